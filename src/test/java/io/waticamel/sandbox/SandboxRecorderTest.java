package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class SandboxRecorderTest {

    @Test
    void keepsTheLastRequestsOnlyAndCountsAll() {
        SandboxRecorder recorder = new SandboxRecorder(3);
        for (int i = 1; i <= 5; i++) {
            recorder.add(Instant.EPOCH, "POST", i % 2 == 0 ? "sendTemplateMessage" : "sendSessionMessage", "/api/v1/x" + i, Map.of(), null, 200,
                    null);
        }
        assertThat(recorder.list(null)).extracting(SandboxRecorder.Recorded::path).containsExactly("/api/v1/x3", "/api/v1/x4", "/api/v1/x5");
        assertThat(recorder.list("sendTemplateMessage")).extracting(SandboxRecorder.Recorded::seq).containsExactly(4L);
        assertThat(recorder.total()).isEqualTo(5);
        assertThat(recorder.size()).isEqualTo(3);
        assertThat(recorder.clear()).isEqualTo(3);
        assertThat(recorder.size()).isZero();
        assertThat(recorder.list(null)).isEmpty();
        assertThat(recorder.total()).isZero();
    }

    @Test
    void keepsAt64KibOfABodyAndMarksALargerOneTruncated() throws Exception {
        SandboxRecorder recorder = new SandboxRecorder(3);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode small = mapper.readTree("{\"template_name\":\"welcome\",\"receivers\":[{\"whatsappNumber\":\"27821234567\"}]}");
        ObjectNode large = mapper.createObjectNode().put("template_name", "welcome");
        ArrayNode receivers = large.putArray("receivers");
        while (large.toString().length() <= SandboxRecorder.MAX_BODY_BYTES) {
            receivers.addObject().put("whatsappNumber", "27821234567").putArray("customParams");
        }
        int largeBytes = large.toString().getBytes(StandardCharsets.UTF_8).length;
        recorder.add(Instant.EPOCH, "POST", "sendTemplateMessages", "/api/v1/sendTemplateMessages", Map.of(), small, 200, null);
        recorder.add(Instant.EPOCH, "POST", "sendTemplateMessages", "/api/v1/sendTemplateMessages", Map.of(), large, 200, null);
        recorder.add(Instant.EPOCH, "POST", "sendSessionMessage", "/api/v1/sendSessionMessage/27821234567", Map.of(), null, 200, null);
        List<SandboxRecorder.Recorded> kept = recorder.list(null);
        assertThat(kept.get(0).body()).isEqualTo(small);
        assertThat(kept.get(1).body()).isEqualTo(mapper.createObjectNode().put("bytes", largeBytes).put("truncated", true));
        assertThat(kept.get(1).bodyJson().length()).isLessThan(100);
        assertThat(kept.get(2).body()).isNull();
        // listed as the JSON it is, not as a string of JSON
        assertThat(mapper.readTree(mapper.writeValueAsString(kept.get(0).toMap())).get("body")).isEqualTo(small);
        assertThat(mapper.readTree(mapper.writeValueAsString(kept.get(2).toMap())).get("body").isNull()).isTrue();
    }

    @Test
    void holdsAtLeastOne() {
        assertThatThrownBy(() -> new SandboxRecorder(0)).hasMessageContaining("wati.sandbox.max-recorded");
    }
}
