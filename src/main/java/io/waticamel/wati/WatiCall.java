package io.waticamel.wati;

/**
 * One WATI request, built once and sent as it is on every attempt: the body is repeatable (bytes,
 * or a multipart of a spooled file). {@code toString} never shows the token.
 *
 * @param method       HTTP method (WATI V1 uses GET and POST)
 * @param uri          {@code {endpoint}/api/v1/{operation path}}
 * @param rawQuery     already encoded, or null
 * @param contentType  of the body, or null without one
 * @param body         {@code byte[]}, an Apache {@code HttpEntity}, or null
 * @param operation    the operation's name, for logs ({@code sendSessionMessage})
 * @param recipient    the WhatsApp number masked for logs, or "-"
 */
public record WatiCall(String method, String uri, String rawQuery, String contentType, Object body, String authorization,
        String operation, String recipient) {

    @Override
    public String toString() {
        return "WatiCall[" + method + " " + uri + "]";
    }
}
