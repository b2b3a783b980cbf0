package io.waticamel.sandbox;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A refusal the sandbox can be told to answer instead of its success, each as WATI answers it
 * ({@code wati-api.md} §3 and §4): what the runtime then does with it is what it does with WATI's.
 */
public enum Refusal {
    /** The 24-hour window is closed: WATI answers HTTP 200 with result false. Final, never retried. */
    TICKET_EXPIRED(200, "{\"result\":false,\"message\":\"Ticket has been expired.\",\"ticketStatus\":\"CLOSED\"}", null),
    /** WATI's rate limit (or monthly quota): 429 with Retry-After 1 and no body. Retried after a second. */
    RATE_LIMITED(429, null, "1"),
    /** WATI is down: 503. Retried with the runtime's backoff. */
    UNAVAILABLE(503, "{\"message\":\"Service Unavailable\"}", null),
    /** The number has no WhatsApp: 200 with validWhatsAppNumber false (a bulk send names every receiver). Final. */
    INVALID_NUMBER(200, "{\"result\":false,\"validWhatsAppNumber\":false,\"info\":\"Invalid WhatsApp number\"}", null),
    /** A template WATI does not have (or has not approved): 400. Final. */
    TEMPLATE_NOT_FOUND(400, "{\"result\":false,\"info\":\"Template not found or not approved\"}", null),
    /** The token was revoked or rotated: 401 with no body. Final ("alert a human"). */
    UNAUTHORIZED(401, null, null);

    private final int status;
    private final String body;
    private final String retryAfter;

    Refusal(int status, String body, String retryAfter) {
        this.status = status;
        this.body = body;
        this.retryAfter = retryAfter;
    }

    /** The name callers use: {@code ticket_expired}, {@code rate_limited}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int status() {
        return status;
    }

    /** WATI's JSON answer, or null when WATI sends no body. */
    public String body() {
        return body;
    }

    /** Extra headers of the answer. */
    public Map<String, String> headers() {
        return retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
    }

    /** The refusal of a label, or null. */
    public static Refusal of(String label) {
        return label == null ? null : Arrays.stream(values()).filter(r -> r.label().equals(label.strip())).findFirst().orElse(null);
    }

    /** "ticket_expired, rate_limited, ..." for error texts. */
    public static String labels() {
        return Arrays.stream(values()).map(Refusal::label).collect(Collectors.joining(", "));
    }
}
