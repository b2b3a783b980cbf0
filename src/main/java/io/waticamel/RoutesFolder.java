package io.waticamel;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder of YAML routes the runtime loads ({@code wati.routes.dir}, default {@code routes}
 * beside the process). Users extend the runtime by editing it, without rebuilding; when it does not
 * exist yet (a jar started somewhere new) it is created from the routes packaged in the jar.
 */
final class RoutesFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesFolder.class);
    private static final String PACKAGED = "routes";

    private RoutesFolder() {
    }

    /** The configured folder: {@code -Dwati.routes.dir}, else {@code WATI_ROUTES_DIR}, else {@code routes}. */
    static Path configured() {
        String dir = System.getProperty("wati.routes.dir");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("WATI_ROUTES_DIR");
        }
        return Path.of(dir == null || dir.isBlank() ? "routes" : dir);
    }

    static Path ensureExists(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return folder;
        }
        URL packaged = RoutesFolder.class.getClassLoader().getResource(PACKAGED);
        if (packaged == null) {
            throw new IOException("No routes folder at " + folder.toAbsolutePath() + " and none packaged");
        }
        Files.createDirectories(folder);
        try {
            URI uri = packaged.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    copyRoutes(jar.getPath(PACKAGED), folder);
                }
            } else {
                copyRoutes(Path.of(uri), folder);
            }
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        LOG.info("Created routes folder {} from the routes packaged with this runtime; edit it to change workflows",
                folder.toAbsolutePath());
        return folder;
    }

    private static void copyRoutes(Path from, Path to) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(from)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                Files.copy(in, to.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
