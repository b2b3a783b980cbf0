package io.waticamel.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    static final byte[] A = key(1);
    static final byte[] B = key(2);
    static final byte[] C = key(3);

    static byte[] key(int fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) fill);
        return key;
    }

    static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void aPreviousKeyStillDecryptsAndWhatItOpensIsResealedWithTheCurrentKey() {
        String underA = new SecretBox(A, List.of()).encrypt("token-1");
        SecretBox rotated = new SecretBox(B, List.of(C, A));

        assertThat(rotated.decrypt(underA)).isEqualTo("token-1");
        String underB = rotated.resealed(underA).orElseThrow();
        assertThat(new SecretBox(B, List.of()).decrypt(underB)).isEqualTo("token-1");
        assertThat(rotated.resealed(underB)).isEmpty();
    }

    @Test
    void aTokenNoKeyOpensNamesTheSettingThatWouldOpenIt() {
        String underA = new SecretBox(A, List.of()).encrypt("token-1");
        SecretBox withoutA = new SecretBox(C, List.of(B));

        assertThatThrownBy(() -> withoutA.decrypt(underA)).isInstanceOf(UndecryptableSecretException.class)
                .hasMessageContaining("wati.secret-key.previous");
        assertThatThrownBy(() -> withoutA.resealed(underA)).isInstanceOf(UndecryptableSecretException.class);
        assertThatThrownBy(() -> withoutA.decrypt("not base64 at all!")).isInstanceOf(UndecryptableSecretException.class);
        assertThatThrownBy(() -> withoutA.decrypt(base64(new byte[8]))).isInstanceOf(UndecryptableSecretException.class);
    }

    @Test
    void previousKeysComeAsACommaListAndAWrongOneIsRefusedWithoutShowingIt(@TempDir Path dir) throws Exception {
        String underA = new SecretBox(A, List.of()).encrypt("token-1");

        SecretBox configured = SecretBox.configuredOrGenerated(base64(C), " " + base64(B) + " , " + base64(A) + ",", dir.resolve("secret-key"));

        assertThat(configured.decrypt(underA)).isEqualTo("token-1");
        assertThat(Files.exists(dir.resolve("secret-key"))).isFalse();
        assertThatThrownBy(() -> SecretBox.configuredOrGenerated(base64(C), "%%not-base64%%", dir.resolve("secret-key")))
                .hasMessage("wati.secret-key.previous must be base64 of 32 bytes");
        assertThatThrownBy(() -> SecretBox.configuredOrGenerated(base64(C), base64(new byte[16]), dir.resolve("secret-key")))
                .hasMessage("each key of wati.secret-key.previous must be 32 bytes, base64-encoded");
    }

    @Test
    void theGeneratedKeyCanBecomeAPreviousKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secret-key");
        String sealed = SecretBox.configuredOrGenerated("", "", file).encrypt("token-1");

        SecretBox rotated = SecretBox.configuredOrGenerated(base64(B), Files.readString(file).strip(), file);

        assertThat(rotated.decrypt(sealed)).isEqualTo("token-1");
    }
}
