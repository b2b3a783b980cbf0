package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.events.WatiEvent;
import org.junit.jupiter.api.Test;

class InboundEventsTest {

    private static final String ENDPOINT = "http://127.0.0.1:4321/sandbox";
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicInteger ids = new AtomicInteger();
    private final InboundEvents events = new InboundEvents(Clock.fixed(Instant.parse("2026-11-30T08:00:00Z"), ZoneOffset.UTC), ENDPOINT,
            () -> "%024x".formatted(ids.incrementAndGet()));

    ObjectNode build(String json) throws Exception {
        return events.build(mapper.readTree(json));
    }

    @Test
    void aCustomerMessageIsWatisMessageEvent() throws Exception {
        ObjectNode event = build("{\"type\": \"message\", \"whatsappNumber\": \"+27 82 123 4567\", \"text\": \"Where is my parcel?\"}");
        assertThat(event.get("eventType").asText()).isEqualTo("message");
        assertThat(event.get("id").asText()).isEqualTo("000000000000000000000001");
        assertThat(event.get("owner").asBoolean(true)).isFalse();
        assertThat(event.get("waId").asText()).isEqualTo("27821234567");
        assertThat(event.get("type").asText()).isEqualTo("text");
        assertThat(event.get("text").asText()).isEqualTo("Where is my parcel?");
        assertThat(event.get("timestamp").asText()).isEqualTo(String.valueOf(Instant.parse("2026-11-30T08:00:00Z").getEpochSecond()));
        // the runtime reads it as a customer's message
        WatiEvent read = WatiEvent.parse(event.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(read.isCustomerMessage()).isTrue();
        assertThat(read.messageText()).isEqualTo("Where is my parcel?");
        assertThat(read.media()).isNull();
    }

    @Test
    void mediaIsAShowFileUrlOnTheSandboxThatTheSandboxServes() throws Exception {
        ObjectNode image = build("{\"type\": \"media\", \"whatsappNumber\": \"27821234567\"}");
        assertThat(image.get("type").asText()).isEqualTo("image");
        String url = image.get("data").asText();
        assertThat(url).isEqualTo(ENDPOINT + "/api/file/showFile?fileName=data/images/" + image.get("id").asText() + ".jpg");
        WatiEvent read = WatiEvent.parse(image.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(read.media().url()).isEqualTo(url);
        assertThat(SampleMedia.of(url.substring(url.indexOf("fileName=") + 9)).contentType()).isEqualTo("image/jpeg");

        ObjectNode document = build("{\"type\": \"media\", \"mediaType\": \"document\", \"whatsappNumber\": \"27821234567\", \"text\": \"the form\"}");
        assertThat(document.get("type").asText()).isEqualTo("document");
        assertThat(document.get("text").asText()).isEqualTo("the form");
        assertThat(document.get("data").asText()).contains("fileName=data/documents/").endsWith(".pdf");
        assertThat(SampleMedia.of("x.pdf").contentType()).isEqualTo("application/pdf");
    }

    @Test
    void aStopIsTheTextStop() throws Exception {
        JsonNode stop = build("{\"type\": \"stop\", \"whatsappNumber\": \"27821234567\"}");
        assertThat(stop.get("text").asText()).isEqualTo("STOP");
        assertThat(stop.get("type").asText()).isEqualTo("text");
    }

    @Test
    void theSendersNameIsOneShortLine() throws Exception {
        JsonNode event = build("{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"senderName\": \"Ann\\n\\u001b[2JX\"}");
        assertThat(event.get("senderName").asText()).isEqualTo("Ann??[2JX");
        assertThatThrownBy(() -> build("{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"t\\nxt\": \"hi\"}"))
                .hasMessageStartingWith("Unknown field 't?xt'");
    }

    @Test
    void wrongRequestsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> build("[1]")).isInstanceOf(ActionRejectedException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> build("{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"txt\": \"hi\"}"))
                .hasMessage("Unknown field 'txt': an inbound event takes type, whatsappNumber, text, senderName, mediaType");
        assertThatThrownBy(() -> build("{\"type\": \"reaction\", \"whatsappNumber\": \"27821234567\"}"))
                .hasMessage("type must be one of message, media, stop");
        assertThatThrownBy(() -> build("{\"type\": \"message\"}")).hasMessage("No whatsappNumber provided");
        assertThatThrownBy(() -> build("{\"type\": \"message\", \"whatsappNumber\": 27821234567}")).hasMessage("Field 'whatsappNumber' must be a string");
        assertThatThrownBy(() -> build("{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"mediaType\": \"image\"}"))
                .hasMessage("mediaType is for type media only");
        assertThatThrownBy(() -> build("{\"type\": \"media\", \"whatsappNumber\": \"27821234567\", \"mediaType\": \"hologram\"}"))
                .hasMessageStartingWith("mediaType must be one of audio, document, image");
        assertThatThrownBy(() -> build("{\"type\": \"stop\", \"whatsappNumber\": \"27821234567\", \"text\": \"stop please\"}"))
                .hasMessageStartingWith("A stop is the text STOP");
    }
}
