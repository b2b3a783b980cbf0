package io.waticamel.wati;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import io.waticamel.action.ActionRejectedException;

/** The "API Endpoint URL" users paste from the WATI dashboard. */
public final class WatiEndpoints {

    private WatiEndpoints() {
    }

    /**
     * Trims whitespace and trailing slashes and keeps any tenant path
     * ({@code https://live-mt-server.wati.io/123456}); operations are appended with {@link #operation}.
     */
    public static URI normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new ActionRejectedException("No API endpoint provided");
        }
        String text = raw.strip();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String lowerPath = path.toLowerCase(Locale.ROOT);
        if (path.contains("..") || path.contains("//") || lowerPath.contains("%2e") || lowerPath.contains("%2f")
                || lowerPath.contains("%5c")) {
            throw invalid();
        }
        // "appended once": a pasted ".../api/v1" or operation URL still means the tenant endpoint
        int api = path.indexOf("/api/v1");
        if (api >= 0 && (path.length() == api + 7 || path.charAt(api + 7) == '/')) {
            path = path.substring(0, api);
        }
        return URI.create(scheme + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT) + path);
    }

    /** {@code {endpoint}/api/v1/{operation}}: the tenant path kept, {@code /api/v1} added once. */
    public static String operation(URI endpoint, String operationPath) {
        return endpoint.toString() + "/api/v1/" + operationPath;
    }

    private static ActionRejectedException invalid() {
        return new ActionRejectedException(
                "Invalid api_endpoint: give the http(s) API Endpoint URL from the WATI dashboard, e.g. https://live-mt-server.wati.io/123456");
    }
}
