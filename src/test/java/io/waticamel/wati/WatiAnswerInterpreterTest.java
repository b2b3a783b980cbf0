package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WatiAnswerInterpreterTest {

    final WatiAnswerInterpreter interpreter = new WatiAnswerInterpreter();

    WatiAnswer interpret(int status, String body) {
        return interpreter.interpret(status, body.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "200 | {\"ok\":true,\"result\":\"success\",\"message\":{\"id\":\"1\"}}",
        "200 | {\"result\":true}",
        "200 | {\"result\":true,\"validWhatsAppNumber\":true,\"parameteres\":[]}",
        "201 | {}",
        "204 | ''",
    })
    void successIs2xxWithoutARefusalMarker(int status, String body) {
        WatiAnswer answer = interpret(status, body);
        assertThat(answer.success()).isTrue();
        assertThat(answer.reason()).isNull();
        assertThat(answer.body().isObject()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "200 | {\"result\": false, \"message\": \"Ticket has been expired.\", \"ticketStatus\": \"CLOSED\"} | Ticket has been expired.",
        "200 | {\"ok\": false, \"result\": \"Contact not found\"} | Contact not found",
        "200 | {\"result\": false, \"info\": \"Invalid number\"} | Invalid number",
        "200 | {\"result\": \"false\", \"error\": \"quota\"} | quota",
        "200 | {\"result\": true, \"validWhatsAppNumber\": false} | Invalid WhatsApp number",
        "200 | {\"errors\": [{\"message\": \"bad param\"}]} | bad param",
        "200 | {\"errors\": {\"template\": \"unknown\"}} | unknown",
        "200 | {\"result\": false} | WATI refused the request",
        "400 | {\"result\":false,\"info\":\"Template not found or not approved\"} | WATI answered HTTP 400: Template not found or not approved",
        "401 | '' | WATI answered HTTP 401",
        "403 | <html>blocked</html> | WATI answered HTTP 403",
        "429 | {\"message\": \"Too many requests\"} | WATI answered HTTP 429: Too many requests",
        "500 | {\"result\": true} | WATI answered HTTP 500",
    })
    void refusalsCarryWatisReason(int status, String body, String reason) {
        WatiAnswer answer = interpret(status, body);
        assertThat(answer.success()).isFalse();
        assertThat(answer.reason()).isEqualTo(reason);
        assertThat(answer.body().isObject()).isTrue();
    }

    @Test
    void anAnswerThatIsNotAJsonObjectIsKeptWithItsStatus() {
        WatiAnswer answer = interpret(403, "<html>blocked</html>");
        assertThat(answer.body().get("status").asInt()).isEqualTo(403);
        assertThat(answer.body().get("body").asText()).isEqualTo("<html>blocked</html>");
    }
}
