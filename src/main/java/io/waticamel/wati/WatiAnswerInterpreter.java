package io.waticamel.wati;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Success = HTTP 2xx and none of {@code result == false} (boolean or "false"), {@code ok == false},
 * {@code validWhatsAppNumber == false}, a non-empty {@code errors}. The reason is the first present
 * of {@code message}, {@code info}, {@code error}, {@code result} (a string other than "success").
 */
public class WatiAnswerInterpreter {

    static final int MAX_TEXT_BODY = 2000;
    private final ObjectMapper mapper = new ObjectMapper();

    public WatiAnswer interpret(int status, byte[] rawBody) {
        String text = rawBody == null ? "" : new String(rawBody, StandardCharsets.UTF_8);
        JsonNode json = parse(text);
        boolean http2xx = status >= 200 && status <= 299;
        boolean refused = json != null && json.isObject() && (isFalse(json.get("result")) || isFalse(json.get("ok"))
                || isFalse(json.get("validWhatsAppNumber")) || nonEmpty(json.get("errors")));
        JsonNode body = json != null && json.isObject() ? json : fallbackBody(status, json, text);
        if (http2xx && !refused) {
            return new WatiAnswer(status, true, null, body);
        }
        String reason = json == null ? null : reason(json);
        if (http2xx) {
            return new WatiAnswer(status, false, reason != null ? reason : "WATI refused the request", body);
        }
        String httpText = "WATI answered HTTP " + status;
        return new WatiAnswer(status, false, reason != null ? httpText + ": " + reason : httpText, body);
    }

    private JsonNode parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    /** A JSON object for the task's response variable even when WATI sent no JSON object. */
    private ObjectNode fallbackBody(int status, JsonNode json, String text) {
        ObjectNode node = mapper.createObjectNode();
        node.put("status", status);
        if (json != null) {
            node.set("body", json);
        } else {
            node.put("body", text.length() > MAX_TEXT_BODY ? text.substring(0, MAX_TEXT_BODY) : text);
        }
        return node;
    }

    static String reason(JsonNode json) {
        if (!json.isObject()) {
            return json.isTextual() && !json.textValue().isBlank() ? json.textValue() : null;
        }
        for (String field : new String[] {"message", "info", "error"}) {
            String text = text(json.get(field));
            if (text != null) {
                return text;
            }
        }
        JsonNode result = json.get("result");
        if (result != null && result.isTextual() && !result.textValue().isBlank()
                && !result.textValue().equalsIgnoreCase("success") && !result.textValue().equalsIgnoreCase("false")) {
            return result.textValue();
        }
        JsonNode errors = json.get("errors");
        if (nonEmpty(errors)) {
            JsonNode first = errors.isArray() ? errors.get(0) : errors.elements().next();
            String text = first.isObject() ? reason(first) : text(first);
            if (text != null) {
                return text;
            }
        }
        if (isFalse(json.get("validWhatsAppNumber"))) {
            return "Invalid WhatsApp number";
        }
        return null;
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue().isBlank() ? null : node.textValue();
        }
        if (node.isObject()) {
            return reason(node);
        }
        return null;
    }

    private static boolean isFalse(JsonNode node) {
        return node != null && (node.isBoolean() && !node.booleanValue()
                || node.isTextual() && node.textValue().strip().equalsIgnoreCase("false"));
    }

    private static boolean nonEmpty(JsonNode node) {
        return node != null && (node.isArray() || node.isObject()) && !node.isEmpty()
                || node != null && node.isTextual() && !node.textValue().isBlank();
    }
}
