package io.waticamel.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The HTTP answer of every API route: a status and a JSON body, and no other header, so nothing
 * of the request (API key) or of WATI's answer goes back to the caller.
 *
 * <p>Every error that is not an action's task result has one shape ({@link #error}):
 * {@code {"error": "<reason>", "status": <HTTP status>, "request_id": "<X-Request-Id>"}}, plus
 * any fields the endpoint documents (a dead letter's {@code state}).
 */
public final class JsonAnswer {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonAnswer() {
    }

    public static void send(Exchange exchange, int status, Object body) throws JsonProcessingException {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(MAPPER.writeValueAsBytes(body));
    }

    /** The error answer: {@code status} (4xx, 5xx) and the reason, for the caller to read. */
    public static void error(Exchange exchange, int status, String reason) throws JsonProcessingException {
        error(exchange, status, reason, Map.of());
    }

    /** The error answer with the endpoint's own extra fields after the three common ones. */
    public static void error(Exchange exchange, int status, String reason, Map<String, ?> extra) throws JsonProcessingException {
        Map<String, Object> body = errorBody(status, reason, exchange.getProperty(RequestIds.PROPERTY, String.class));
        body.putAll(extra);
        send(exchange, status, body);
    }

    /** The error shape, for answers written outside a route (the HTTP server's own 404, 405, 413; the API key check). */
    public static Map<String, Object> errorBody(int status, String reason, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", reason);
        body.put("status", status);
        body.put("request_id", requestId);
        return body;
    }

    public static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
