package io.waticamel.wati;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * WATI's answer to sendTemplateMessages, per receiver. WATI answers a bulk call with
 * {@code {"result": true, "errors": {"error": "...", "invalidWhatsappNumbers": [...],
 * "invalidCustomParameters": [...]}}} [field]: the call as a whole went through (2xx, {@code result}
 * not false) and the receivers it names were refused, or it was refused as a whole. A refused
 * receiver is named by its number; an {@code invalidCustomParameters} entry that names no number
 * cannot be placed and leaves the others sent.
 *
 * @param accepted whether the call went through (then every receiver not in {@code refused} was sent)
 * @param reason   why the call as a whole was refused; null when accepted
 * @param refused  receivers WATI refused, number to reason
 */
public record WatiBulkAnswer(boolean accepted, String reason, Map<String, String> refused) {

    public static WatiBulkAnswer of(WatiAnswer answer, Collection<String> numbers) {
        JsonNode body = answer.body();
        boolean http2xx = answer.status() >= 200 && answer.status() <= 299;
        boolean resultFalse = body != null && (isFalse(body.get("result")) || isFalse(body.get("ok")));
        if (answer.success() || http2xx && !resultFalse && body != null && body.path("errors").isObject()) {
            Map<String, String> refused = new HashMap<>();
            JsonNode errors = body == null ? null : body.path("errors");
            if (errors != null && errors.isObject()) {
                place(errors.path("invalidWhatsappNumbers"), numbers, "WATI: invalid WhatsApp number", refused);
                place(errors.path("invalidCustomParameters"), numbers, "WATI: invalid template parameters", refused);
            }
            return new WatiBulkAnswer(true, null, refused);
        }
        return new WatiBulkAnswer(false, answer.reason() == null ? "WATI refused the call" : answer.reason(), Map.of());
    }

    /** Each entry that names one of the numbers (as text, or inside an object) refuses that receiver. */
    private static void place(JsonNode entries, Collection<String> numbers, String reason, Map<String, String> refused) {
        if (!entries.isArray()) {
            return;
        }
        for (JsonNode entry : entries) {
            String text = entry.isValueNode() ? entry.asText() : entry.toString();
            String digits = text.replaceAll("[^0-9]", "");
            if (numbers.contains(digits)) {
                refused.put(digits, entry.isValueNode() ? reason : reason + " " + cut(text));
                continue;
            }
            for (String number : numbers) {
                if (text.contains(number)) {
                    refused.put(number, reason + " " + cut(text));
                }
            }
        }
    }

    private static boolean isFalse(JsonNode node) {
        return node != null && (node.isBoolean() && !node.booleanValue()
                || node.isTextual() && node.textValue().strip().equalsIgnoreCase("false"));
    }

    private static String cut(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
