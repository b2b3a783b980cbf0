package io.waticamel.wati;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * WATI's answer judged by the one rule of wati-api.md §4.
 *
 * @param success HTTP 2xx and no refusal marker in the body
 * @param reason  WATI's human reason, or a text naming the HTTP status; null on success
 * @param body    WATI's JSON answer (an object), or, when it sent none, {@code {"status", "body"}}
 */
public record WatiAnswer(int status, boolean success, String reason, JsonNode body) {
}
