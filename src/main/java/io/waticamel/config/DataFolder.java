package io.waticamel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.waticamel.security.OwnerOnlyFiles;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Makes {@code wati.data.dir} owner-only before anything is written into it: the API and secret
 * keys, the H2 database (plain numbers and message texts), temporary media, Azurite's blobs. Runs
 * once the properties are known and before any configuration or bean, so no writer can create
 * the folder first with the process's default permissions. A folder an earlier release left open to
 * others is made owner-only, which protects every file inside it.
 */
public final class DataFolder extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        Path folder = Path.of(main.getCamelContext().resolvePropertyPlaceholders("{{wati.data.dir}}"));
        try {
            OwnerOnlyFiles.folder(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the data folder " + folder.toAbsolutePath() + " (wati.data.dir) owner-only", e);
        }
    }
}
