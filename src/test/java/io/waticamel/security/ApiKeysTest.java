package io.waticamel.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    @Test
    void matchesByNameAndRefusesEverythingElse() {
        ApiKeys keys = new ApiKeys(Map.of("crm", "key-one", "erp", "key-two"));
        assertThat(keys.match("key-two")).contains("erp");
        assertThat(keys.match("key-one")).contains("crm");
        assertThat(keys.match("key-on")).isEmpty();
        assertThat(keys.match("")).isEmpty();
        assertThat(keys.match(null)).isEmpty();
    }

    @Test
    void generatesAnOwnerOnlyKeyOnceAndKeepsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data/api-key");
        ApiKeys first = ApiKeys.configuredOrGenerated(Map.of("default", ""), file);
        String key = Files.readString(file).strip();

        assertThat(key).hasSizeGreaterThanOrEqualTo(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(first.match(key)).isPresent();
        ApiKeys second = ApiKeys.configuredOrGenerated(Map.of(), file);
        assertThat(second.match(key)).isPresent();
        assertThat(Files.readString(file).strip()).isEqualTo(key);
    }

    @Test
    void configuredKeysWinOverTheFile(@TempDir Path dir) throws Exception {
        ApiKeys keys = ApiKeys.configuredOrGenerated(Map.of("default", "configured"), dir.resolve("api-key"));
        assertThat(keys.match("configured")).contains("default");
        assertThat(Files.exists(dir.resolve("api-key"))).isFalse();
    }
}
