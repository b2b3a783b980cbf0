package io.waticamel.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import io.waticamel.media.AzuriteDevService;

/**
 * One real Azurite for the whole test JVM, started on first use on a free port and stopped when
 * the JVM exits, its data folder deleted. Installed from npm into {@code .tools/azurite} (or {@code -Dwati.test.azurite-dir}).
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
            AzuriteDevService started = azurite;
            // its blobs (the media tests' hundreds of MB) go with it: a test run leaves no data behind
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteQuietly(data);
            }));
        }
        return azurite.connectionString();
    }

    private static void deleteQuietly(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // a temporary folder: the system cleans it up in the end
        }
    }
}
