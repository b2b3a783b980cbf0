package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Idempotency-Key: sequential and concurrent repeats, a different body, and a restart of the runtime. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyTest {

    WatiDouble wati;
    Path dbDir;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        dbDir = java.nio.file.Files.createTempDirectory("wati-idem");
    }

    @AfterAll
    void stop() {
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
    }

    RunningRuntime runtime() throws Exception {
        // the same database file for every runtime of this class: keys must survive a restart
        return new RunningRuntime(Map.of("wati.db.url", "jdbc:h2:file:" + dbDir.resolve("shared")));
    }

    String body(String text) {
        return "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                + "\",\"access_token\":\"idem-token\",\"whatsappNumber\":\"27821234567\",\"messageText\":\"" + text + "\"}";
    }

    RunningRuntime.Response post(RunningRuntime runtime, String key, String body) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aRepeatGetsTheStoredAnswerWithoutCallingWatiAndADifferentBodyGets422() throws Exception {
        try (RunningRuntime runtime = runtime()) {
            RunningRuntime.Response first = post(runtime, "order-17-invoice", body("once"));
            RunningRuntime.Response again = post(runtime, "order-17-invoice", body("once"));
            RunningRuntime.Response other = post(runtime, "order-17-invoice", body("something else"));

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.raw().headers().firstValue("Idempotent-Replayed")).isEmpty();
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(first.body());
            assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).contains("true");
            assertThat(other.status()).isEqualTo(422);
            assertThat(wati.requests()).hasSize(1);
        }
    }

    @Test
    void concurrentRepeatsRunOnceAndTheOthersGet409() throws Exception {
        // WATI holds the first call until every repeat has been answered: they all arrive while it runs
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        wati.answer(r -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.json(200, "{\"result\":true}");
        });
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (RunningRuntime runtime = runtime()) {
            List<Future<RunningRuntime.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(callers.submit(() -> post(runtime, "concurrent-key", body("concurrent"))));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> calls.stream().filter(Future::isDone).count() == 7);
            release.countDown();
            int ok = 0;
            int conflicts = 0;
            for (Future<RunningRuntime.Response> call : calls) {
                int status = call.get().status();
                if (status == 200) {
                    ok++;
                } else {
                    assertThat(status).isEqualTo(409);
                    conflicts++;
                }
            }
            assertThat(ok).isEqualTo(1);
            assertThat(conflicts).isEqualTo(7);
            assertThat(wati.requests()).hasSize(1);
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void aKeyHoldsAcrossARestart() throws Exception {
        String first;
        try (RunningRuntime runtime = runtime()) {
            first = post(runtime, "restart-key", body("before restart")).body();
        }
        try (RunningRuntime restarted = runtime()) {
            RunningRuntime.Response again = post(restarted, "restart-key", body("before restart"));

            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(first);
            assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).contains("true");
        }
        assertThat(wati.requests()).hasSize(1);
    }

    @Test
    void aKeyMustBeVisibleAsciiOfAtMost255Characters() throws Exception {
        try (RunningRuntime runtime = runtime()) {
            assertThat(post(runtime, "x".repeat(256), body("long")).status()).isEqualTo(400);
            assertThat(post(runtime, "tab\there", body("tab")).status()).isEqualTo(400);
        }
        assertThat(wati.requests()).isEmpty();
    }
}
