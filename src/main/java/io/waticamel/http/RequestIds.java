package io.waticamel.http;

import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.slf4j.MDC;

/**
 * Every request's id, first of all handlers on every path of the HTTP server: the caller's
 * {@value #HEADER} when it is sane (1 to 64 of letters, digits, '.', '_', ':' and '-'; a UUID or a
 * W3C trace id fits; not only digits and no secret, since log lines carry it unmasked),
 * else a new UUID. It is set on the request (so the route sees it as a header,
 * copied into the exchange property {@value #PROPERTY} by {@link RequestIdProperty}), and on the
 * answer, whatever answers: a route, the API key check, or the server's own 404, 405 and 413. The
 * log lines of the request carry it as the MDC key {@value #PROPERTY}.
 */
public final class RequestIds implements AuthenticationHandler {

    public static final String HEADER = "X-Request-Id";
    /** The exchange property and the MDC key. */
    public static final String PROPERTY = "requestId";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** An id of only digits, seven or more, may be a phone number, which logs never show in full. */
    private static final Pattern DIGITS = Pattern.compile("\\d{7,}");

    private final Predicate<String> secret;

    /** @param secret whether a text is or holds a secret the logs mask (a caller's API key or token sent as its id) */
    public RequestIds(Predicate<String> secret) {
        this.secret = secret;
    }

    /**
     * Whether a caller's id may be echoed and logged: short, one line, of a few characters, not a
     * number that may be a phone number (log lines carry it unmasked, in every format).
     */
    public static boolean isSane(String given) {
        return given != null && SANE.matcher(given).matches() && !DIGITS.matcher(given).matches();
    }

    /** The caller's id when sane and no secret; otherwise a new one. */
    String chosen(String given) {
        return isSane(given) && !secret.test(given) ? given : UUID.randomUUID().toString();
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
