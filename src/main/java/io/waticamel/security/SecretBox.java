package io.waticamel.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts what must be stored but never in clear (access tokens in dead letters and the outbox):
 * AES-256-GCM with the key {@code wati.secret-key} (base64, 32 bytes), or a key generated on first
 * start into the data folder (owner-only), like the API key.
 * <p>
 * Rotation: the keys of {@code wati.secret-key.previous} only decrypt. What one of them opens can
 * be sealed again with the current key ({@link #resealed}); what none opens is an
 * {@link UndecryptableSecretException}, which names the setting that would open it.
 */
public final class SecretBox {

    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;
    private final List<SecretKeySpec> previous;

    public SecretBox(byte[] key, List<byte[]> previous) {
        this.key = aesKey(key, "wati.secret-key");
        this.previous = previous.stream().map(k -> aesKey(k, "each key of wati.secret-key.previous")).toList();
    }

    private static SecretKeySpec aesKey(byte[] key, String setting) {
        if (key.length != 32) {
            throw new IllegalArgumentException(setting + " must be 32 bytes, base64-encoded");
        }
        return new SecretKeySpec(key, "AES");
    }

    /**
     * The configured key (or the generated one in {@code keyFile}), and the older keys of
     * {@code previousKeys}, a comma list of base64 keys (may be empty).
     */
    public static SecretBox configuredOrGenerated(String configured, String previousKeys, Path keyFile) throws IOException {
        return new SecretBox(currentKey(configured, keyFile), previousKeys(previousKeys));
    }

    private static List<byte[]> previousKeys(String commaList) {
        List<byte[]> keys = new ArrayList<>();
        for (String key : commaList == null ? new String[0] : commaList.split(",")) {
            if (!key.isBlank()) {
                SecretMasking.register(key);
                keys.add(base64(key, "wati.secret-key.previous"));
            }
        }
        return keys;
    }

    private static byte[] base64(String key, String setting) {
        try {
            return Base64.getDecoder().decode(key.strip());
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character: not logged, the setting is named instead
            throw new IllegalArgumentException(setting + " must be base64 of 32 bytes");
        }
    }

    private static byte[] currentKey(String configured, Path keyFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            SecretMasking.register(configured);
            return base64(configured, "wati.secret-key");
        }
        if (!Files.exists(keyFile)) {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            // owner-only from the start and never half-written, like the API key file
            OwnerOnlyFiles.createOnce(keyFile, Base64.getEncoder().encodeToString(random) + "\n");
            LOG.warn("No wati.secret-key configured: generated one in {} (owner-only); keep it to replay stored actions",
                    keyFile.toAbsolutePath());
        }
        String key = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
        SecretMasking.register(key);
        return base64(key, keyFile.toAbsolutePath().toString());
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

    /** The secret, opened with the current key or, failing that, a previous one. */
    public String decrypt(String sealed) {
        Optional<String> plain = open(sealed, key);
        for (int i = 0; plain.isEmpty() && i < previous.size(); i++) {
            plain = open(sealed, previous.get(i));
        }
        return plain.orElseThrow(UndecryptableSecretException::new);
    }

    /**
     * The secret sealed again with the current key when only a previous key opens it; empty when
     * the current key already does.
     */
    public Optional<String> resealed(String sealed) {
        return open(sealed, key).isPresent() ? Optional.empty() : Optional.of(encrypt(decrypt(sealed)));
    }

    /** Empty when this key did not seal it (GCM's tag does not match) or it is no sealed secret at all. */
    private static Optional<String> open(String sealed, SecretKeySpec key) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            if (in.length < 12 + 16) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return Optional.of(new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8));
        } catch (AEADBadTagException | IllegalArgumentException notThisKey) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed", e);
        }
    }
}
