package io.waticamel.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import io.waticamel.media.AzuriteDevService;

/**
 * One real Azurite for the whole test JVM, started on first use on a free port and stopped when
 * the JVM exits. Installed from npm into {@code .tools/azurite} (or {@code -Dwati.test.azurite-dir}).
 */
public final class TestAzurite {

    private static AzuriteDevService azurite;

    private TestAzurite() {
    }

    public static synchronized String connectionString() throws Exception {
        if (azurite == null) {
            Path install = Path.of(System.getProperty("wati.test.azurite-dir", ".tools/azurite")).toAbsolutePath();
            Path data = Files.createTempDirectory("wati-azurite");
            azurite = AzuriteDevService.start(install, data, RunningRuntime.freePort());
            Runtime.getRuntime().addShutdownHook(new Thread(azurite::close));
        }
        return azurite.connectionString();
    }
}
