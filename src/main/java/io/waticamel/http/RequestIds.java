package io.waticamel.http;

import java.util.UUID;
import java.util.regex.Pattern;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.slf4j.MDC;

/**
 * Every request's id, first of all handlers on every path of the HTTP server: the caller's
 * {@value #HEADER} when it is sane (1 to 64 of letters, digits, '.', '_', ':' and '-'; a UUID or a
 * W3C trace id fits), else a new UUID. It is set on the request (so the route sees it as a header,
 * copied into the exchange property {@value #PROPERTY} by {@link RequestIdProperty}), and on the
 * answer, whatever answers: a route, the API key check, or the server's own 404, 405 and 413. The
 * log lines of the request carry it as the MDC key {@value #PROPERTY}.
 */
public final class RequestIds implements AuthenticationHandler {

    public static final String HEADER = "X-Request-Id";
    /** The exchange property and the MDC key. */
    public static final String PROPERTY = "requestId";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** The caller's id when sane; otherwise a new one (a header with line breaks or 10 kB of text is not echoed). */
    public static String chosen(String given) {
        return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = chosen(ctx.request().getHeader(HEADER));
        ctx.request().headers().set(HEADER, id);
        ctx.put(PROPERTY, id);
        // at the last moment before the status line goes out: no route or error page can drop it
        ctx.addHeadersEndHandler(done -> ctx.response().headers().set(HEADER, id));
        // for the handlers that run now, on this thread (the API key check logs a refusal)
        MDC.put(PROPERTY, id);
        try {
            ctx.next();
        } finally {
            MDC.remove(PROPERTY);
        }
    }

    /** The id of the request being answered (the Vert.x context's), or null outside a request. */
    public static String of(RoutingContext ctx) {
        return ctx.get(PROPERTY);
    }
}
