package io.waticamel.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.waticamel.action.ActionRejectedException;
import org.apache.camel.Exchange;

/**
 * The query of a GET endpoint, read strictly: a parameter the endpoint does not take, a value
 * outside its list or a number out of range is refused ({@link ActionRejectedException}, answered
 * 400 naming it), not ignored. {@code ?stauts=open} or {@code ?status=bogus} would otherwise answer
 * 200 with a list that looks filtered and is not.
 */
public final class QueryParameters {

    private final Exchange exchange;

    private QueryParameters(Exchange exchange) {
        this.exchange = exchange;
    }

    /** The query, once every parameter in it is one of {@code names}. */
    public static QueryParameters of(Exchange exchange, String... names) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isEmpty()) {
            List<String> known = List.of(names);
            for (String pair : query.split("[&;]")) {
                String name = decode(pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair).strip();
                if (!name.isEmpty() && !known.contains(name)) {
                    throw new ActionRejectedException("Unknown query parameter '" + cut(name) + "': this endpoint takes "
                            + (known.isEmpty() ? "none" : String.join(", ", known)));
                }
            }
        }
        return new QueryParameters(exchange);
    }

    /** The value, stripped; null when absent or blank. */
    public String text(String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** One of {@code values} (compared in lower case), or null when absent. */
    public String oneOf(String name, List<String> values) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!values.contains(lower)) {
            throw new ActionRejectedException(name + " is one of " + String.join(", ", values) + ", not '" + cut(value) + "'");
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

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }

    /** A caller's text echoed in an answer: short, one line. */
    private static String cut(String text) {
        String oneLine = text.replaceAll("[\\p{Cntrl}]", "?");
        return oneLine.length() > 40 ? oneLine.substring(0, 40) + "…" : oneLine;
    }
}
