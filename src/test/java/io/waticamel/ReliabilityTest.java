package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Retries, throttling, dead letters and alerts against the WATI double scripted to fail. Delays
 * are short through configuration; spacing is asserted between the requests WATI received, never
 * as a wall-clock time of a whole test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReliabilityTest {

    static final String TOKEN = "reliability-token-77aa";
    WatiDouble wati;
    WatiDouble alerts;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        alerts = new WatiDouble();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.retry.max-attempts", "3");
        properties.put("wati.retry.initial-delay-ms", "200");
        properties.put("wati.retry.multiplier", "2");
        properties.put("wati.retry.max-delay-ms", "1500");
        properties.put("wati.accounts.busy.endpoint", wati.url() + "/busy");
        properties.put("wati.accounts.busy.token", "busy-token-1");
        properties.put("wati.accounts.calm.endpoint", wati.url() + "/calm");
        properties.put("wati.accounts.calm.token", "calm-token-1");
        properties.put("wati.accounts.tiny.endpoint", wati.url() + "/tiny");
        properties.put("wati.accounts.tiny.token", "tiny-token-1");
        properties.put("wati.throttle.accounts.busy.per-second", "10");
        properties.put("wati.throttle.accounts.calm.per-second", "10");
        properties.put("wati.throttle.accounts.tiny.per-second", "1");
        for (String rate : new String[] {"5", "50"}) {
            properties.put("wati.accounts.rate" + rate + ".endpoint", wati.url() + "/rate" + rate);
            properties.put("wati.accounts.rate" + rate + ".token", "rate-token-" + rate);
            properties.put("wati.throttle.accounts.rate" + rate + ".per-second", rate);
        }
        properties.put("wati.throttle.max-wait-ms", "3000");
        properties.put("wati.alerts.after-failures", "3");
        properties.put("wati.alerts.webhook-url", alerts.url() + "/alerts");
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
        alerts.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        alerts.reset();
    }

    Map<String, Object> message(String text) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_message");
        task.put("api_endpoint", wati.url());
        task.put("access_token", TOKEN);
        task.put("whatsappNumber", "27821234567");
        task.put("messageText", text);
        return task;
    }

    Map<String, Object> viaAccount(String account, String text) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_message");
        task.put("account", account);
        task.put("whatsappNumber", "27821234567");
        task.put("messageText", text);
        return task;
    }

    static List<Long> gapsMs(List<WatiDouble.Recorded> requests) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < requests.size(); i++) {
            gaps.add((requests.get(i).receivedNanos() - requests.get(i - 1).receivedNanos()) / 1_000_000);
        }
        return gaps;
    }

    RunningRuntime.Response get(String path) throws Exception {
        return runtime.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url(path)))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build());
    }

    RunningRuntime.Response post(String path) throws Exception {
        return runtime.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url(path)))
                .header("X-API-Key", RunningRuntime.API_KEY).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void retryAfterFromWatiSetsTheNextDelay() throws Exception {
        wati.next(new Answer(429, Map.of("Retry-After", "1"), new byte[0]));
        wati.answer(Answer.json(200, "{\"result\":true}"));

        RunningRuntime.Response response = runtime.postAction(message("after 429"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(wati.requests()).hasSize(2);
        assertThat(gapsMs(wati.requests()).get(0)).isBetween(950L, 3000L);
    }

    @Test
    void withoutRetryAfterTheBackoffGrowsExponentiallyWithJitter() throws Exception {
        wati.answer(new Answer(429, Map.of(), new byte[0]));
        // once before measuring: the first redelivery of a fresh JVM also loads and compiles its code
        runtime.postAction(message("warm-up"));
        wati.reset();
        wati.answer(new Answer(429, Map.of(), new byte[0]));

        RunningRuntime.Response response = runtime.postAction(message("always 429"));

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).isEqualTo("WATI answered HTTP 429 (after 3 attempts)");
        List<Long> gaps = gapsMs(wati.requests());
        assertThat(gaps).hasSize(2);
        // 200 ms, then twice the jittered first delay, each varied by up to 15 %: at least 170 ms and 289 ms.
        // The upper bounds leave room for a busy machine: the policy's lower bounds are what must hold.
        assertThat(gaps.get(0)).isBetween(160L, 1000L);
        assertThat(gaps.get(1)).isBetween(285L, 1500L);
    }

    @Test
    void businessRefusalsAndBadRequestsAreNeverRetried() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":false,\"info\":\"Invalid number\"}"));
        assertThat(runtime.postAction(message("refused")).runText()).isEqualTo("Invalid number");
        assertThat(wati.requests()).hasSize(1);

        wati.reset();
        wati.answer(Answer.json(400, "{\"info\":\"Template not found\"}"));
        assertThat(runtime.postAction(message("bad")).runText()).isEqualTo("WATI answered HTTP 400: Template not found");
        assertThat(wati.requests()).hasSize(1);
    }

    @Test
    void exhaustedRetriesBecomeADeadLetterThatReplaysWithTheRightCredentials() throws Exception {
        wati.answer(Answer.json(503, "{\"message\":\"Service Unavailable\"}"));

        RunningRuntime.Response failed = runtime.postAction(message("dead then alive"));

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.runText()).isEqualTo("WATI answered HTTP 503: Service Unavailable (after 3 attempts)");
        assertThat(wati.requests()).hasSize(3);

        RunningRuntime.Response list = get("/api/v1/dead-letters?status=open&action=send_session_message");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(TOKEN);
        JsonNode letter = null;
        for (JsonNode l : list.json().get("dead_letters")) {
            if ("dead then alive".equals(l.get("fields").get("messageText").asText())) {
                letter = l;
            }
        }
        assertThat(letter).isNotNull();
        assertThat(letter.get("attempts").asInt()).isEqualTo(3);
        assertThat(letter.get("http_status").asInt()).isEqualTo(502);
        assertThat(letter.get("credentials_kept").asBoolean()).isTrue();
        assertThat(letter.get("fields").has("access_token")).isFalse();
        String id = letter.get("id").asText();
        assertThat(get("/api/v1/dead-letters/" + id).body()).doesNotContain(TOKEN);

        wati.reset();
        wati.answer(Answer.json(200, "{\"result\":true}"));
        RunningRuntime.Response replay = post("/api/v1/dead-letters/" + id + "/replay");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().get("result").get("task_23001_run").asBoolean()).isTrue();
        assertThat(replay.json().get("dead_letter").get("status").asText()).isEqualTo("resolved");
        assertThat(replay.body()).doesNotContain(TOKEN);
        WatiDouble.Recorded resent = wati.onlyRequest();
        assertThat(resent.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(resent.rawQuery()).isEqualTo("messageText=dead%20then%20alive");

        assertThat(runtime.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url("/api/v1/dead-letters/" + id)))
                .header("X-API-Key", RunningRuntime.API_KEY).DELETE().build()).status()).isEqualTo(200);
        assertThat(get("/api/v1/dead-letters/" + id).status()).isEqualTo(404);
    }

    /** A dead letter of a message WATI kept answering 503 to; WATI's record is cleared afterwards. */
    String deadLetter(String text) throws Exception {
        wati.answer(Answer.json(503, "{\"message\":\"Service Unavailable\"}"));
        assertThat(runtime.postAction(message(text)).status()).isEqualTo(502);
        wati.reset();
        for (JsonNode letter : get("/api/v1/dead-letters?status=open&action=send_session_message&size=500").json().get("dead_letters")) {
            if (text.equals(letter.get("fields").get("messageText").asText())) {
                return letter.get("id").asText();
            }
        }
        throw new AssertionError("no dead letter for " + text);
    }

    @Test
    void aResolvedDeadLetterIsNotSentAgain() throws Exception {
        String id = deadLetter("replayed twice");
        wati.answer(Answer.json(200, "{\"result\":true}"));

        RunningRuntime.Response first = post("/api/v1/dead-letters/" + id + "/replay");
        RunningRuntime.Response second = post("/api/v1/dead-letters/" + id + "/replay");

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("error").asText()).isEqualTo("Dead letter already resolved: it is not sent again");
        assertThat(second.json().get("state").asText()).isEqualTo("resolved");
        assertThat(second.json().get("dead_letter").get("replays").asInt()).isEqualTo(1);
        assertThat(second.body()).doesNotContain(TOKEN);
        assertThat(wati.requests()).hasSize(1);
    }

    @Test
    void twoReplaysOfOneDeadLetterAtOnceSendOnce() throws Exception {
        String id = deadLetter("replayed twice at once");
        // WATI holds the replay that reached it until the other replay has its answer: both run at once
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        wati.answer(r -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.json(200, "{\"result\":true}");
        });
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<RunningRuntime.Response>> replays = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                replays.add(callers.submit(() -> post("/api/v1/dead-letters/" + id + "/replay")));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> replays.stream().anyMatch(Future::isDone) || wati.requests().size() > 1);
            assertThat(get("/api/v1/dead-letters/" + id).json().get("status").asText()).isEqualTo("replaying");
            release.countDown();

            List<Integer> statuses = new ArrayList<>();
            for (Future<RunningRuntime.Response> replay : replays) {
                statuses.add(replay.get().status());
                if (replay.get().status() == 409) {
                    assertThat(replay.get().json().get("state").asText()).isEqualTo("replaying");
                }
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            assertThat(wati.requests()).hasSize(1);
            assertThat(get("/api/v1/dead-letters/" + id).json().get("status").asText()).isEqualTo("resolved");
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void aFailedReplayLeavesTheLetterOpenForTheNext() throws Exception {
        String id = deadLetter("refused on replay");
        wati.answer(Answer.json(400, "{\"info\":\"Invalid number\"}"));

        RunningRuntime.Response refused = post("/api/v1/dead-letters/" + id + "/replay");

        assertThat(refused.status()).isEqualTo(502);
        JsonNode letter = get("/api/v1/dead-letters/" + id).json();
        assertThat(letter.get("status").asText()).isEqualTo("open");
        assertThat(letter.get("replays").asInt()).isEqualTo(1);
        assertThat(letter.get("error").asText()).isEqualTo("WATI answered HTTP 400: Invalid number");

        wati.reset();
        wati.answer(Answer.json(200, "{\"result\":true}"));
        assertThat(post("/api/v1/dead-letters/" + id + "/replay").status()).isEqualTo(200);
        assertThat(wati.requests()).hasSize(1);
    }

    /** An instance that died mid-replay leaves the letter replaying: only a claim older than the replay timeout is taken over. */
    @Test
    void aReplayLeftByADeadInstanceMayBeStartedAgainAfterTheTimeout() throws Exception {
        String id = deadLetter("replay of a dead instance");
        javax.sql.DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", javax.sql.DataSource.class);
        wati.answer(Answer.json(200, "{\"result\":true}"));
        try (var c = db.getConnection(); var s = c.prepareStatement("UPDATE dead_letters SET status = 'replaying', updated_at = ? WHERE id = ?")) {
            s.setTimestamp(1, java.sql.Timestamp.from(java.time.Instant.now()));
            s.setString(2, id);
            s.executeUpdate();
            assertThat(post("/api/v1/dead-letters/" + id + "/replay").status()).isEqualTo(409);

            s.setTimestamp(1, java.sql.Timestamp.from(java.time.Instant.now().minus(java.time.Duration.ofMinutes(11))));
            s.executeUpdate();
            assertThat(post("/api/v1/dead-letters/" + id + "/replay").status()).isEqualTo(200);
        }
        assertThat(wati.requests()).hasSize(1);
    }

    @Test
    void threeConsecutiveFailuresOfAnAccountRaiseOneAlert() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":false,\"message\":\"Ticket has been expired.\"}"));
        Map<String, Object> task = message("alerting");
        task.put("api_endpoint", wati.url() + "/alerting");

        for (int i = 0; i < 4; i++) {
            runtime.postAction(task);
        }

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> alerts.requests().size() == 1);
        JsonNode alert = new com.fasterxml.jackson.databind.ObjectMapper().readTree(alerts.onlyRequest().body());
        assertThat(alert.get("account").asText()).isEqualTo(wati.url() + "/alerting");
        assertThat(alert.get("consecutive_failures").asInt()).isEqualTo(3);
        assertThat(alerts.onlyRequest().bodyText()).doesNotContain(TOKEN);
    }

    @Test
    void throttleKeepsEachAccountsRateAndOneBacklogDoesNotSlowAnother() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int n = i;
                calls.add(() -> runtime.postAction(viaAccount("busy", "busy " + n)).status());
            }
            List<Future<Integer>> busy = new ArrayList<>();
            for (Callable<Integer> call : calls) {
                busy.add(callers.submit(call));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> wati.requests().stream().filter(r -> r.rawPath().startsWith("/busy")).count() >= 10);
            long calmSent = System.nanoTime();
            assertThat(runtime.postAction(viaAccount("calm", "calm")).status()).isEqualTo(200);
            for (Future<Integer> f : busy) {
                assertThat(f.get()).isEqualTo(200);
            }

            List<Long> busyTimes = wati.requests().stream().filter(r -> r.rawPath().startsWith("/busy"))
                    .map(WatiDouble.Recorded::receivedNanos).sorted().toList();
            assertThat(busyTimes).hasSize(30);
            // 10 per second: the call 10 places after any call reaches WATI about a second later
            // (at least 0.75 s: 25 % tolerance for the spread of arrival times within one batch)
            for (int i = 0; i + 10 < busyTimes.size(); i++) {
                assertThat((busyTimes.get(i + 10) - busyTimes.get(i)) / 1_000_000).as("gap from call %d to call %d", i, i + 10)
                        .isGreaterThanOrEqualTo(750);
            }
            assertThat((busyTimes.get(29) - busyTimes.get(0)) / 1_000_000).isGreaterThanOrEqualTo(1800);
            long calmReceived = wati.requests().stream().filter(r -> r.rawPath().startsWith("/calm")).findFirst().orElseThrow()
                    .receivedNanos();
            // busy's backlog needs 2 more seconds: calm must not wait for it
            assertThat((calmReceived - calmSent) / 1_000_000).as("calm account waited behind busy").isLessThan(1000);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void callsThatWouldWaitLongerThanTheMaxWaitGet429WithRetryAfter() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<RunningRuntime.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                calls.add(callers.submit(() -> runtime.postAction(viaAccount("tiny", "tiny " + n))));
            }
            List<RunningRuntime.Response> refused = new ArrayList<>();
            for (Future<RunningRuntime.Response> f : calls) {
                RunningRuntime.Response r = f.get();
                if (r.status() == 429) {
                    refused.add(r);
                } else {
                    assertThat(r.status()).isEqualTo(200);
                }
            }
            // 1 per second with at most 3 s of waiting: about four pass, the rest are refused at once
            assertThat(refused).hasSizeGreaterThanOrEqualTo(3);
            assertThat(refused.get(0).runText()).startsWith("Too many calls for this WATI account");
            assertThat(refused.get(0).raw().headers().firstValue("Retry-After")).isPresent();
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * WATI counts calls per window: whatever the burst, no one-second window sees more calls of an
     * account than its rate (give or take the jitter between leaving the throttle and arriving), at
     * 5/s and at 50/s, measured from the arrival times at the WATI double.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {5, 50})
    void noOneSecondWindowSeesMoreThanTheRate(int rate) throws Exception {
        // more than a second's worth (the test client multiplexes at most 100 calls on one HTTP/2 connection)
        int calls = rate + rate / 2 + 5;
        ExecutorService callers = Executors.newFixedThreadPool(calls);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int n = i;
                statuses.add(callers.submit(() -> runtime.postAction(viaAccount("rate" + rate, "burst " + n)).status()));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            callers.shutdownNow();
        }
        List<Long> arrivals = wati.requests().stream().filter(r -> r.rawPath().startsWith("/rate" + rate + "/"))
                .map(WatiDouble.Recorded::receivedNanos).sorted().toList();
        assertThat(arrivals).hasSize(calls);
        int worst = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            int j = i;
            while (j < arrivals.size() && arrivals.get(j) - arrivals.get(i) < 1_000_000_000L) {
                j++;
            }
            worst = Math.max(worst, j - i);
        }
        // calls leave the throttle evenly spaced 5 % under the rate (its exit bucket holds one turn, so a late call
        // cannot release a burst); between leaving and arriving here a loaded 2-CPU machine adds scheduling jitter
        // that can crowd a few calls into one window (56 at 50/s seen with other builds running): one more per 5 of
        // the rate is allowed for that. Without spacing the whole burst (80 at 50/s) would arrive within a second.
        assertThat(worst).as("most calls in any one-second window at %d/s", rate).isLessThanOrEqualTo(rate + Math.max(1, rate / 5));
        // and the throttle lets the rate through: the burst is spread over about calls / rate seconds, not more
        assertThat((arrivals.get(calls - 1) - arrivals.get(0)) / 1e9).isLessThan((calls - 1) / (double) rate + 1.0);
    }
}
