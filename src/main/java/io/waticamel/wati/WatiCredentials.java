package io.waticamel.wati;

import java.net.URI;

/**
 * Where and as whom an action calls WATI. {@code account} is the configured account name, or null
 * when the caller sent endpoint and token. {@code toString} never shows the token.
 */
public record WatiCredentials(String account, URI endpoint, String token) {

    public String authorization() {
        return AccessTokens.authorizationHeader(token);
    }

    /** The account as it may appear in logs and stored records: its name, or the endpoint. */
    public String label() {
        return account != null ? account : endpoint.toString();
    }

    /** The key per-account throttling counts against: the account name, or the endpoint and a hash of the token. */
    public String throttleKey() {
        if (account != null) {
            return "account:" + account;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "endpoint:" + endpoint + "#" + java.util.HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "WatiCredentials[account=" + account + ", endpoint=" + endpoint + ", token=******]";
    }
}
