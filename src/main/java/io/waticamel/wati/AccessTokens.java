package io.waticamel.wati;

import java.util.regex.Pattern;

import io.waticamel.action.ActionRejectedException;

/** WATI access tokens, with or without the {@code Bearer } prefix users copy from the dashboard. */
public final class AccessTokens {

    private static final Pattern BEARER_PREFIX = Pattern.compile("^(?i:bearer)\\s+");
    // RFC 6750 b64token plus the dot and underscore of WATI's scoped tokens: nothing that could split a header
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/=]+");

    private AccessTokens() {
    }

    /** The bare token: leading {@code bearer} + whitespace stripped (any case, repeated). */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new ActionRejectedException("No Access Token provided");
        }
        String token = raw.strip();
        while (BEARER_PREFIX.matcher(token).find()) {
            token = BEARER_PREFIX.matcher(token).replaceFirst("").strip();
        }
        if (token.isEmpty() || token.equalsIgnoreCase("bearer")) {
            throw new ActionRejectedException("No Access Token provided");
        }
        if (token.length() > 4096 || !TOKEN.matcher(token).matches()) {
            // never echo the token itself
            throw new ActionRejectedException("Invalid access_token: it contains characters a token cannot have");
        }
        return token;
    }

    public static String authorizationHeader(String token) {
        return "Bearer " + token;
    }
}
