package io.waticamel.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.waticamel.action.ActionRejectedException;
import org.apache.camel.Exchange;

/**
 * The query of an endpoint, read strictly from the request's query string (never from headers of
 * the same name): a parameter the endpoint does not take, a value outside its list or a number out
 * of range is refused ({@link ActionRejectedException}, answered 400 naming it), not ignored.
 * {@code ?stauts=open} or {@code ?status=bogus} would otherwise answer 200 with a list that looks
 * filtered and is not.
 */
public final class QueryParameters {

    /** The largest page a list endpoint returns. */
    public static final int MAX_PAGE_SIZE = 500;

    /** How much of a caller's parameter name or value a refusal repeats. */
    private static final int ECHOED = 40;

    private final Map<String, String> values;

    private QueryParameters(Map<String, String> values) {
        this.values = values;
    }

    /** The query, once every parameter in it is one of {@code names} (none: the endpoint takes no query). */
    public static QueryParameters of(Exchange exchange, String... names) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        List<String> known = List.of(names);
        Map<String, String> values = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            // Vert.x (and so platform-http) splits the query at ';' as well as at '&'
            for (String pair : query.split("[&;]")) {
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals)).strip();
                if (name.isEmpty()) {
                    continue;
                }
                if (!known.contains(name)) {
                    throw new ActionRejectedException("Unknown query parameter '" + EchoedText.cut(name, ECHOED) + "': this endpoint takes "
                            + (known.isEmpty() ? "none" : String.join(", ", known)));
                }
                values.putIfAbsent(name, equals < 0 ? "" : decode(pair.substring(equals + 1)));
            }
        }
        return new QueryParameters(values);
    }

    /** The value, stripped; null when absent or blank. */
    public String text(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** One of {@code values} (compared in lower case), or null when absent. */
    public String oneOf(String name, List<String> allowed) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw new ActionRejectedException(name + " is one of " + String.join(", ", allowed) + ", not '" + EchoedText.cut(value, ECHOED) + "'");
        }
        return lower;
    }

    /** A whole number from {@code min} to {@code max}, or {@code fallback} when absent. */
    public int number(String name, int fallback, int min, int max) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ActionRejectedException(name + " must be a number from " + min + (max == Integer.MAX_VALUE ? "" : " to " + max));
    }

    /** {@code page}: from 0, default 0. */
    public int page() {
        return number("page", 0, 0, Integer.MAX_VALUE);
    }

    /** {@code size}: 1 to {@link #MAX_PAGE_SIZE}, default {@code fallback}. */
    public int size(int fallback) {
        return number("size", fallback, 1, MAX_PAGE_SIZE);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }

}
