package io.waticamel.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

class WatiEventTest {

    static WatiEvent event(String json) {
        return WatiEvent.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyAJsonObjectIsAnEvent() {
        for (String body : new String[] {"", "not json", "[1,2]", "\"text\"", "42", "{\"a\":1,\"a\":2}", "{\"a\":"}) {
            assertThatThrownBy(() -> event(body)).as(body).isInstanceOf(ActionRejectedException.class);
        }
        assertThat(event("{}").type()).isNull();
        assertThatThrownBy(() -> WatiEvent.parse(null)).isInstanceOf(ActionRejectedException.class);
        // UTF-16 JSON is JSON to Jackson, but would be stored mangled: refused
        assertThatThrownBy(() -> WatiEvent.parse("{\"eventType\":\"message\"}".getBytes(StandardCharsets.UTF_16)))
                .isInstanceOf(ActionRejectedException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void aRedeliveryHasTheSameKeyAndAnotherStatusAnother() {
        byte[] read = "{\"eventType\":\"sentMessageREAD_v2\",\"id\":\"w1\",\"statusString\":\"Read\"}".getBytes(StandardCharsets.UTF_8);
        byte[] readAgain = "{ \"statusString\":\"Read\", \"id\":\"w1\", \"eventType\":\"sentMessageREAD_v2\" }".getBytes(StandardCharsets.UTF_8);
        byte[] delivered = "{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"w1\",\"statusString\":\"Delivered\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(WatiEvent.parse(read).dedupKey(read)).isEqualTo("sentMessageREAD_v2|w1|Read")
                .isEqualTo(WatiEvent.parse(readAgain).dedupKey(readAgain))
                .isNotEqualTo(WatiEvent.parse(delivered).dedupKey(delivered));
        // no id at all: the body itself
        byte[] anonymous = "{\"eventType\":\"accountEvent\",\"x\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(WatiEvent.parse(anonymous).dedupKey(anonymous)).startsWith("sha256:").hasSize(7 + 64);
        // status events that carry only WATI's message ids
        byte[] byWamid = "{\"eventType\":\"templateMessageFailed\",\"whatsappMessageId\":\"wamid.X\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(WatiEvent.parse(byWamid).dedupKey(byWamid)).isEqualTo("templateMessageFailed|wamid.X|");
        // an id too long for the column is hashed
        String longId = "x".repeat(600);
        byte[] big = ("{\"eventType\":\"message\",\"id\":\"" + longId + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(WatiEvent.parse(big).dedupKey(big)).startsWith("sha256:");
    }

    @Test
    void customerMediaIsAUrlOrAFileName() {
        assertThat(event("{\"eventType\":\"message\",\"type\":\"image\",\"data\":\"https://live-mt-server.wati.io/1/api/file/showFile?fileName=data/images/a.jpg\","
                + "\"owner\":false}").media()).isEqualTo(new WatiEvent.Media("https://live-mt-server.wati.io/1/api/file/showFile?fileName=data/images/a.jpg", null));
        assertThat(event("{\"eventType\":\"message\",\"type\":\"document\",\"data\":{\"fileName\":\"data/documents/b.pdf\"}}").media())
                .isEqualTo(new WatiEvent.Media(null, "data/documents/b.pdf"));
        assertThat(event("{\"eventType\":\"message\",\"type\":\"voice\",\"data\":\"data/audios/c.ogg\"}").media())
                .isEqualTo(new WatiEvent.Media(null, "data/audios/c.ogg"));
        // the business's own message, a text, a location, no data: nothing to archive
        assertThat(event("{\"eventType\":\"message\",\"type\":\"image\",\"data\":\"data/images/a.jpg\",\"owner\":true}").media()).isNull();
        assertThat(event("{\"eventType\":\"message\",\"type\":\"text\",\"text\":\"hi\"}").media()).isNull();
        assertThat(event("{\"eventType\":\"message\",\"type\":\"location\",\"data\":\"x\"}").media()).isNull();
        assertThat(event("{\"eventType\":\"message\",\"type\":\"image\"}").media()).isNull();
        assertThat(event("{\"eventType\":\"sessionMessageSent\",\"type\":\"image\",\"data\":\"data/images/a.jpg\"}").media()).isNull();
    }

    @Test
    void theTimeIsTheEventsOwnWhenItHasOne() {
        Instant fallback = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(event("{\"timestamp\":\"1764400100\"}").happenedAt(fallback)).isEqualTo(Instant.ofEpochSecond(1764400100));
        assertThat(event("{\"timestamp\":1764400100}").happenedAt(fallback)).isEqualTo(Instant.ofEpochSecond(1764400100));
        assertThat(event("{\"created\":\"2026-11-29T10:00:00.123Z\"}").happenedAt(fallback)).isEqualTo(Instant.parse("2026-11-29T10:00:00.123Z"));
        assertThat(event("{\"created\":\"2026-11-29T10:00:00\"}").happenedAt(fallback)).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        assertThat(event("{\"timestamp\":\"soon\",\"created\":\"yesterday\"}").happenedAt(fallback)).isEqualTo(fallback);
    }

    @Test
    void theCustomerNumberIsDigitsAndTheTextTrimmed() {
        WatiEvent e = event("{\"eventType\":\"message\",\"waId\":\"+27 82 123 4567\",\"text\":\"  STOP \\n\"}");
        assertThat(e.waId()).isEqualTo("27821234567");
        assertThat(e.messageText()).isEqualTo("STOP");
        assertThat(e.isCustomerMessage()).isTrue();
        assertThat(event("{\"eventType\":\"message\",\"type\":\"button\",\"buttonReply\":{\"text\":\"Stop promotions \"}}").messageText())
                .isEqualTo("Stop promotions");
        assertThat(event("{\"eventType\":\"message\",\"type\":\"interactive\",\"interactiveButtonReply\":{\"title\":\"UNSUBSCRIBE\"}}")
                .messageText()).isEqualTo("UNSUBSCRIBE");
        assertThat(event("{\"eventType\":\"message\",\"type\":\"location\"}").messageText()).isNull();
    }
}
