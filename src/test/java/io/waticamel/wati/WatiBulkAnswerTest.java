package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WatiBulkAnswerTest {

    static final List<String> NUMBERS = List.of("27821234567", "27821234568", "27821234569");

    static WatiBulkAnswer answer(int status, String body) {
        return WatiBulkAnswer.of(new WatiAnswerInterpreter().interpret(status, body.getBytes(StandardCharsets.UTF_8)), NUMBERS);
    }

    @Test
    void anAcceptedCallRefusesOnlyTheReceiversWatiNames() {
        WatiBulkAnswer all = answer(200, "{\"result\":true,\"errors\":{\"error\":false,\"invalidWhatsappNumbers\":[],\"invalidCustomParameters\":[]}}");
        assertThat(all.accepted()).isTrue();
        assertThat(all.refused()).isEmpty();
        WatiBulkAnswer some = answer(200, "{\"result\":true,\"errors\":{\"error\":\"Invalid numbers\",\"invalidWhatsappNumbers\":[\"+27 82 123 4568\"],"
                + "\"invalidCustomParameters\":[{\"whatsappNumber\":\"27821234569\",\"param\":\"name\"},\"something else\"]}}");
        assertThat(some.accepted()).isTrue();
        assertThat(some.refused()).containsOnlyKeys("27821234568", "27821234569");
        assertThat(some.refused().get("27821234568")).isEqualTo("WATI: invalid WhatsApp number");
        assertThat(some.refused().get("27821234569")).startsWith("WATI: invalid template parameters {");
        assertThat(answer(200, "{\"result\":true}").refused()).isEmpty();
    }

    @Test
    void aRefusedCallRefusesEveryReceiverWithItsReason() {
        WatiBulkAnswer refused = answer(200, "{\"result\":false,\"info\":\"Template not approved\"}");
        assertThat(refused.accepted()).isFalse();
        assertThat(refused.reason()).isEqualTo("Template not approved");
        assertThat(answer(400, "{\"result\":true,\"errors\":{}}").accepted()).isFalse();
        assertThat(answer(400, "").reason()).isEqualTo("WATI answered HTTP 400");
        assertThat(refused.refused()).isEqualTo(Map.of());
    }
}
