package io.waticamel.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys callers must send as {@code X-API-Key}, by name. Compared in constant time; only
 * names are ever logged. With no key configured one is generated on first start and kept in the
 * data folder, readable by the owner only.
 */
public final class ApiKeys {

    static final String GENERATED_NAME = "generated";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

    private final Map<String, byte[]> keys;

    public ApiKeys(Map<String, String> keysByName) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        keysByName.forEach((name, key) -> {
            if (key != null && !key.isBlank()) {
                copy.put(name, key.strip().getBytes(StandardCharsets.UTF_8));
                SecretMasking.register(key);
            }
        });
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no API key");
        }
        this.keys = copy;
    }

    /** The name of the key that matches, checked against every key so timing tells nothing. */
    public Optional<String> match(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, byte[]> e : keys.entrySet()) {
            if (MessageDigest.isEqual(e.getValue(), candidate) && found == null) {
                found = e.getKey();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The configured keys, or the key generated (or generated before) in {@code keyFile}. */
    public static ApiKeys configuredOrGenerated(Map<String, String> configured, Path keyFile) throws IOException {
        if (configured.values().stream().anyMatch(k -> k != null && !k.isBlank())) {
            return new ApiKeys(configured);
        }
        if (!Files.exists(keyFile)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            OwnerOnlyFiles.createOnce(keyFile, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
            LOG.warn("No API key configured (wati.api-key): generated one in {} (owner-only). Callers send it as X-API-Key.",
                    keyFile.toAbsolutePath());
        } else {
            LOG.info("No API key configured (wati.api-key): using the key kept in {}", keyFile.toAbsolutePath());
        }
        return new ApiKeys(Map.of(GENERATED_NAME, Files.readString(keyFile, StandardCharsets.UTF_8).strip()));
    }
}
