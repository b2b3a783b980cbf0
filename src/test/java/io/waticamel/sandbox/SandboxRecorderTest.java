package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

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
        assertThat(recorder.clear()).isEqualTo(3);
        assertThat(recorder.list(null)).isEmpty();
        assertThat(recorder.total()).isZero();
    }

    @Test
    void holdsAtLeastOne() {
        assertThatThrownBy(() -> new SandboxRecorder(0)).hasMessageContaining("wati.sandbox.max-recorded");
    }
}
