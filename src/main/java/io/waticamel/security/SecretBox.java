package io.waticamel.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts what must be stored but never in clear (access tokens in dead letters and the outbox):
 * AES-256-GCM with the key {@code wati.secret-key} (base64, 32 bytes), or a key generated on first
 * start into the data folder (owner-only), like the API key.
 */
public final class SecretBox {

    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public SecretBox(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("wati.secret-key must be 32 bytes, base64-encoded");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public static SecretBox configuredOrGenerated(String configured, Path keyFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            SecretMasking.register(configured);
            return new SecretBox(Base64.getDecoder().decode(configured.strip()));
        }
        if (!Files.exists(keyFile)) {
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(random) + "\n", StandardCharsets.UTF_8);
            LOG.warn("No wati.secret-key configured: generated one in {} (owner-only); keep it to replay stored actions",
                    keyFile.toAbsolutePath());
        }
        String key = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
        SecretMasking.register(key);
        return new SecretBox(Base64.getDecoder().decode(key));
    }

    public String encrypt(String plain) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String sealed) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("stored secret cannot be decrypted with this wati.secret-key", e);
        }
    }
}
