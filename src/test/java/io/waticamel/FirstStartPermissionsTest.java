package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import io.waticamel.testing.RunningRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the runtime writes to disk is owner-only: the data folder (0700) is made before anything
 * is written into it, the generated API key and secret key and the H2 database (plain numbers and
 * message texts) are 0600. A data folder an earlier release left open is closed at start.
 */
class FirstStartPermissionsTest {

    @TempDir
    Path base;

    RunningRuntime start(Path data) throws Exception {
        return new RunningRuntime(Map.of("wati.data.dir", data.toString(), "wati.api-key", "",
                "wati.db.url", "jdbc:h2:file:" + data.resolve("wati-camel")));
    }

    @Test
    void aFirstStartMakesTheDataFolderTheKeysAndTheDatabaseOwnerOnly() throws Exception {
        Path data = base.resolve("data");
        try (RunningRuntime runtime = start(data)) {
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(permissions(data.resolve("api-key"))).isEqualTo("rw-------");
            assertThat(permissions(data.resolve("secret-key"))).isEqualTo("rw-------");
            assertThat(permissions(data.resolve("wati-camel.mv.db"))).isEqualTo("rw-------");
            try (var files = Files.list(data)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary key file left").noneMatch(n -> n.endsWith(".tmp"));
            }
            String key = Files.readString(data.resolve("api-key")).strip();
            RunningRuntime.Response letters = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/dead-letters")))
                    .header("X-API-Key", key).build());
            assertThat(letters.status()).as("the generated key opens the API").isEqualTo(200);
        }
    }

    @Test
    void aDataFolderAnEarlierReleaseLeftOpenIsMadeOwnerOnly() throws Exception {
        Path data = Files.createDirectories(base.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (RunningRuntime ignored = start(data)) {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(data.resolve("wati-camel.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));
        }
        try (RunningRuntime ignored = start(data)) {
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(permissions(data.resolve("wati-camel.mv.db"))).isEqualTo("rw-------");
        }
    }

    static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
