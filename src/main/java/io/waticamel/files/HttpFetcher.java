package io.waticamel.files;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Locale;

import io.waticamel.action.ActionRejectedException;

/**
 * GET with the runtime's rules for fetching URLs: every hop checked by the {@link UrlGuard}, at most
 * {@value #MAX_REDIRECTS} redirects, connect and read timeouts, and an Authorization header sent
 * only to the one origin it belongs to (never along a redirect to another host).
 */
public class HttpFetcher {

    public static final int MAX_REDIRECTS = 3;

    /** An open answer; close it to release the connection. */
    public record Fetched(URI uri, int status, String contentType, long contentLength, String contentDisposition,
            HttpURLConnection connection) implements AutoCloseable {

        public InputStream body() throws IOException {
            return status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        }

        @Override
        public void close() {
            connection.disconnect();
        }
    }

    private final UrlGuard guard;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final String userAgent;

    public HttpFetcher(UrlGuard guard, int connectTimeoutMs, int readTimeoutMs, String userAgent) {
        this.guard = guard;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.userAgent = userAgent;
    }

    /**
     * @param authorization header value sent to {@code authorizedOrigin} only; null for none
     */
    public Fetched get(String field, String url, String authorization, URI authorizedOrigin) throws IOException {
        URI uri = guard.check(field, url);
        for (int hop = 0;; hop++) {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(connectTimeoutMs);
            connection.setReadTimeout(readTimeoutMs);
            connection.setRequestProperty("User-Agent", userAgent);
            if (authorization != null && sameOrigin(uri, authorizedOrigin)) {
                connection.setRequestProperty("Authorization", authorization);
            }
            int status;
            try {
                status = connection.getResponseCode();
            } catch (IOException | RuntimeException e) {
                connection.disconnect();
                throw e;
            }
            String location = connection.getHeaderField("Location");
            if (status >= 300 && status < 400 && location != null) {
                connection.disconnect();
                if (hop >= MAX_REDIRECTS) {
                    throw new ActionRejectedException(field + " redirects more than " + MAX_REDIRECTS + " times");
                }
                uri = guard.check(field + " redirect", uri.resolve(location).toString());
                continue;
            }
            return new Fetched(uri, status, connection.getContentType(), connection.getContentLengthLong(),
                    connection.getHeaderField("Content-Disposition"), connection);
        }
    }

    /** Same scheme, host and port (default ports made explicit). */
    public static boolean sameOrigin(URI a, URI b) {
        return a != null && b != null && a.getScheme() != null && b.getScheme() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost() == null ? null : b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
