package io.waticamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryStatusTest {

    static DeliveryStatus of(String json) {
        return DeliveryStatus.of(WatiEventTest.event(json));
    }

    @Test
    void theStatusStringWinsElseTheEventTypeNamesIt() {
        assertThat(of("{\"eventType\":\"sentMessageDELIVERED_v2\",\"statusString\":\"Delivered\"}")).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(of("{\"eventType\":\"sentMessageREAD\"}")).isEqualTo(DeliveryStatus.READ);
        assertThat(of("{\"eventType\":\"sentMessageREPLIED_v2\"}")).isEqualTo(DeliveryStatus.REPLIED);
        assertThat(of("{\"eventType\":\"templateMessageSent_v2\",\"statusString\":\"SENT\"}")).isEqualTo(DeliveryStatus.SENT);
        assertThat(of("{\"eventType\":\"sessionMessageSent\"}")).isEqualTo(DeliveryStatus.SENT);
        assertThat(of("{\"eventType\":\"templateMessageFailed\",\"failedCode\":\"131026\"}")).isEqualTo(DeliveryStatus.FAILED);
        assertThat(of("{\"eventType\":\"sessionMessageFailed\",\"statusString\":\"Failed\"}")).isEqualTo(DeliveryStatus.FAILED);
        // not status events
        assertThat(of("{\"eventType\":\"message\",\"statusString\":\"Read\"}")).isNull();
        assertThat(of("{\"eventType\":\"newContactMessageReceived\"}")).isNull();
        assertThat(of("{}")).isNull();
    }

    @Test
    void aMessageOnlyMovesForward() {
        assertThat(DeliveryStatus.READ.rank()).isGreaterThan(DeliveryStatus.DELIVERED.rank());
        assertThat(DeliveryStatus.REPLIED.rank()).isGreaterThan(DeliveryStatus.READ.rank());
        assertThat(DeliveryStatus.FAILED.rank()).isGreaterThan(DeliveryStatus.SENT.rank()).isLessThan(DeliveryStatus.DELIVERED.rank());
    }
}
