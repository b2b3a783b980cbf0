package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.MutableClock;
import io.waticamel.testing.PostgresServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * send_at and quiet hours on POST /api/v1/actions, by a clock the test moves: nothing is sent before
 * its time (checked over several polls of the outbox worker), exactly one send after, also across a
 * restart; a template of an account inside its quiet hours waits for their end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduledActionsTest {

    /** 12:00 in Johannesburg, outside the account's quiet hours (21:00-08:00 there). */
    static final Instant NOON = Instant.parse("2026-12-01T10:00:00Z");
    /** 22:00 there: inside. */
    static final Instant TEN_PM = Instant.parse("2026-12-01T20:00:00Z");
    /** 08:00 the next morning there: the window's end. */
    static final Instant EIGHT_AM = Instant.parse("2026-12-02T06:00:00Z");
    static final String QUIET = "quiet hours 21:00-08:00 Africa/Johannesburg";

    WatiDouble wati;
    MutableClock clock;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        clock = new MutableClock(NOON);
        runtime = new RunningRuntime(properties(wati), clock);
    }

    static Map<String, String> properties(WatiDouble wati) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.outbox.poll-ms", "50");
        properties.put("wati.accounts.quiet.endpoint", wati.url());
        properties.put("wati.accounts.quiet.token", "quiet-token-1");
        properties.put("wati.accounts.quiet.quiet-hours", "21:00-08:00");
        properties.put("wati.accounts.quiet.time-zone", "Africa/Johannesburg");
        return properties;
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        clock.set(NOON);
    }

    static String session(String text, String extra) {
        return "{\"wati_action\":\"send_session_message\",\"account\":\"quiet\",\"whatsappNumber\":\"27821234567\",\"messageText\":\""
                + text + "\"" + extra + "}";
    }

    static String template(String name, String extra) {
        return "{\"wati_action\":\"send_template_message\",\"account\":\"quiet\",\"whatsappNumber\":\"27821234567\",\"template_name\":\""
                + name + "\"" + extra + "}";
    }

    static String sendAt(String when) {
        return ",\"send_at\":\"" + when + "\"";
    }

    JsonNode status(String id) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions/" + id)))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json();
    }

    /** Several full polls of the outbox worker (each ends only once what it claimed is sent) sent nothing. */
    static void nothingSentOverSeveralPolls(RunningRuntime runtime, WatiDouble wati) {
        NotifyBuilder polls = new NotifyBuilder(runtime.context()).fromRoute("outbox-worker").whenCompleted(4).create();
        assertThat(polls.matches(10, TimeUnit.SECONDS)).as("the outbox worker polled").isTrue();
        assertThat(wati.requests()).isEmpty();
    }

    static void sentOnce(RunningRuntime runtime, WatiDouble wati) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !wati.requests().isEmpty());
        // and not again over the next polls
        NotifyBuilder polls = new NotifyBuilder(runtime.context()).fromRoute("outbox-worker").whenCompleted(4).create();
        assertThat(polls.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(wati.requests()).hasSize(1);
    }

    long outboxRows() throws Exception {
        javax.sql.DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", javax.sql.DataSource.class);
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSendAtAFewSecondsAheadIsSentOnceAndNotBefore() throws Exception {
        RunningRuntime.Response accepted = runtime.postAction(session("at five past", sendAt("2026-12-01T12:00:05+02:00")));

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("action_id").asText();
        assertThat(accepted.json().get("state").asText()).isEqualTo("scheduled");
        assertThat(accepted.json().get("send_at").asText()).isEqualTo("2026-12-01T10:00:05Z");
        assertThat(accepted.json().get("status_url").asText()).isEqualTo("/api/v1/actions/" + id);
        assertThat(accepted.json().has("deferred")).isFalse();
        assertThat(status(id).get("state").asText()).isEqualTo("scheduled");
        assertThat(status(id).get("send_at").asText()).isEqualTo("2026-12-01T10:00:05Z");
        nothingSentOverSeveralPolls(runtime, wati);

        clock.advance(Duration.ofMillis(4999));
        nothingSentOverSeveralPolls(runtime, wati);
        assertThat(status(id).get("state").asText()).isEqualTo("scheduled");

        clock.advance(Duration.ofMillis(1));
        sentOnce(runtime, wati);
        assertThat(wati.onlyRequest().rawQuery()).isEqualTo("messageText=at%20five%20past");
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(status(id).get("state").asText()));
        JsonNode done = status(id);
        assertThat(done.get("result").get("task_23001_run").asBoolean()).isTrue();
        assertThat(done.get("send_at").asText()).isEqualTo("2026-12-01T10:00:05Z");
    }

    @Test
    void aSendAtInThePastIsSentAtOnce() throws Exception {
        RunningRuntime.Response accepted = runtime.postAction(session("overdue", sendAt("2026-12-01T09:00:00Z")));

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().get("state").asText()).isEqualTo("queued");
        assertThat(accepted.json().get("send_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
        sentOnce(runtime, wati);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-12-01T12:00:05      | send_at has no UTC offset: add one or Z",
        "tomorrow at nine         | send_at must be an ISO-8601 date-time with a UTC offset",
        "2028-01-01T00:00:00Z     | send_at 2028-01-01T00:00:00Z is more than 366 days ahead",
        "2026-11-29T09:00:00Z     | send_at 2026-11-29T09:00:00Z is more than 24 hours in the past"})
    void aBadSendAtIsA400WithTheReasonNothingStoredNothingSent(String when, String reason) throws Exception {
        long rows = outboxRows();

        RunningRuntime.Response refused = runtime.postAction(session("never", sendAt(when)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.runText()).startsWith(reason);
        assertThat(refused.run()).isFalse();
        assertThat(outboxRows()).isEqualTo(rows);
        nothingSentOverSeveralPolls(runtime, wati);
    }

    @Test
    void aScheduledActionIsCheckedAsAnAsyncOneBeforeThe202() throws Exception {
        long rows = outboxRows();

        RunningRuntime.Response refused = runtime.postAction(
                "{\"wati_action\":\"send_session_message\",\"account\":\"quiet\",\"whatsappNumber\":\"27821234567\"" + sendAt("2026-12-01T10:00:05Z") + "}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.runText()).isEqualTo("No messageText provided");
        assertThat(outboxRows()).isEqualTo(rows);
    }

    @Test
    void anIdempotencyKeyAnswersARepeatWithTheSameScheduledAction() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", "scheduled-once-1")
                .POST(HttpRequest.BodyPublishers.ofString(session("once", sendAt("2026-12-01T10:00:05Z")))).build();
        long rows = outboxRows();

        RunningRuntime.Response first = runtime.send(request);
        RunningRuntime.Response repeat = runtime.send(request);

        assertThat(first.status()).isEqualTo(202);
        assertThat(repeat.status()).isEqualTo(202);
        assertThat(repeat.raw().headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(repeat.json().get("action_id")).isEqualTo(first.json().get("action_id"));
        assertThat(outboxRows()).isEqualTo(rows + 1);
        clock.advance(Duration.ofSeconds(5));
        sentOnce(runtime, wati);
    }

    @Test
    void aTemplateInsideQuietHoursWaitsForTheirEndEvenWhenCalledSynchronously() throws Exception {
        clock.set(TEN_PM);

        RunningRuntime.Response deferred = runtime.postAction(template("good_morning", ""));

        assertThat(deferred.status()).as(deferred.body()).isEqualTo(202);
        String id = deferred.json().get("action_id").asText();
        assertThat(deferred.json().get("state").asText()).isEqualTo("scheduled");
        assertThat(deferred.json().get("send_at").asText()).isEqualTo(EIGHT_AM.toString());
        assertThat(deferred.json().get("deferred").asText()).isEqualTo(QUIET);
        assertThat(status(id).get("deferred").asText()).isEqualTo(QUIET);

        // a session reply of the same account, in the same window, is not deferred
        RunningRuntime.Response reply = runtime.postAction(session("we are open tomorrow", ""));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.run()).isTrue();
        assertThat(wati.onlyRequest().rawPath()).isEqualTo("/api/v1/sendSessionMessage/27821234567");
        wati.reset();

        clock.set(EIGHT_AM.minusSeconds(1));
        nothingSentOverSeveralPolls(runtime, wati);
        assertThat(status(id).get("state").asText()).isEqualTo("scheduled");

        clock.set(EIGHT_AM.plusSeconds(1));
        sentOnce(runtime, wati);
        assertThat(wati.onlyRequest().rawPath()).isEqualTo("/api/v1/sendTemplateMessage");
        assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer quiet-token-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(status(id).get("state").asText()));
    }

    @Test
    void aSendAtThatFallsInsideQuietHoursIsDeferredToTheirEnd() throws Exception {
        RunningRuntime.Response deferred = runtime.postAction(template("late_offer", sendAt("2026-12-01T22:30:00+02:00")));

        assertThat(deferred.status()).isEqualTo(202);
        String id = deferred.json().get("action_id").asText();
        assertThat(deferred.json().get("send_at").asText()).isEqualTo(EIGHT_AM.toString());
        assertThat(deferred.json().get("deferred").asText()).isEqualTo(QUIET);

        clock.set(Instant.parse("2026-12-01T20:31:00Z"));
        nothingSentOverSeveralPolls(runtime, wati);

        clock.set(EIGHT_AM);
        sentOnce(runtime, wati);
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(status(id).get("state").asText()));
    }

    @Test
    void aTemplateDueWhileTheAccountIsInQuietHoursIsDeferredAgainNotSentNotDropped() throws Exception {
        // due at 12:00:05 there, but the clock only gets there at 22:00 (as if the runtime was down all afternoon)
        RunningRuntime.Response scheduled = runtime.postAction(template("reminder", sendAt("2026-12-01T10:00:05Z")));
        assertThat(scheduled.status()).isEqualTo(202);
        assertThat(scheduled.json().has("deferred")).isFalse();
        String id = scheduled.json().get("action_id").asText();

        clock.set(TEN_PM);
        await().atMost(Duration.ofSeconds(10)).until(() -> EIGHT_AM.toString().equals(status(id).get("send_at").asText()));
        JsonNode waiting = status(id);
        assertThat(waiting.get("state").asText()).isEqualTo("scheduled");
        assertThat(waiting.get("deferred").asText()).isEqualTo(QUIET);
        nothingSentOverSeveralPolls(runtime, wati);

        clock.set(EIGHT_AM.plusSeconds(1));
        sentOnce(runtime, wati);
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(status(id).get("state").asText()));
    }

    @Test
    void otherActionsOfTheAccountAndRequestCredentialsAreNeverDeferred() throws Exception {
        clock.set(TEN_PM);

        RunningRuntime.Response contact = runtime.postAction("{\"wati_action\":\"update_contact\",\"account\":\"quiet\","
                + "\"whatsappNumber\":\"27821234567\",\"parameter_name_1\":\"city\",\"parameter_value_1\":\"Durban\"}");
        RunningRuntime.Response ownCredentials = runtime.postAction("{\"wati_action\":\"send_template_message\",\"api_endpoint\":\""
                + wati.url() + "\",\"access_token\":\"own-token-1\",\"whatsappNumber\":\"27821234567\",\"template_name\":\"hello\"}");

        assertThat(List.of(contact.status(), ownCredentials.status())).containsExactly(200, 200);
        assertThat(wati.requests()).hasSize(2);
    }

    @Test
    void aScheduledActionSurvivesARestartAndIsSentOnceByTheNextRuntime() throws Exception {
        try (WatiDouble wati = new WatiDouble()) {
            MutableClock clock = new MutableClock(NOON);
            Map<String, String> properties = properties(wati);
            String id;
            try (RunningRuntime first = new RunningRuntime(properties, clock)) {
                RunningRuntime.Response accepted = first.postAction(session("after the restart", sendAt("2026-12-01T10:00:05Z")));
                assertThat(accepted.status()).isEqualTo(202);
                id = accepted.json().get("action_id").asText();
                properties.put("wati.data.dir", first.dataDir().toString());
                properties.put("wati.db.url", first.context().getPropertiesComponent().resolveProperty("wati.db.url").orElseThrow());
            }

            try (RunningRuntime second = new RunningRuntime(properties, clock)) {
                nothingSentOverSeveralPolls(second, wati);

                clock.advance(Duration.ofSeconds(5));
                sentOnce(second, wati);
                assertThat(wati.onlyRequest().rawQuery()).isEqualTo("messageText=after%20the%20restart");
                await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(second.send(HttpRequest.newBuilder(
                        URI.create(second.url("/api/v1/actions/" + id))).header("X-API-Key", RunningRuntime.API_KEY).GET().build())
                        .json().get("state").asText()));
            }
        }
    }

    @Test
    void onASharedPostgresTheOtherInstanceSendsItOnceWhenTheFirstIsGone() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); WatiDouble wati = new WatiDouble()) {
            MutableClock clock = new MutableClock(NOON);
            Map<String, String> properties = properties(wati);
            properties.put("wati.db.url", postgres.jdbcUrl());
            properties.put("wati.db.user", postgres.user());
            Map<String, String> a = new LinkedHashMap<>(properties);
            a.put("wati.instance-id", "instance-a");
            Map<String, String> b = new LinkedHashMap<>(properties);
            b.put("wati.instance-id", "instance-b");
            try (RunningRuntime survivor = new RunningRuntime(b, clock)) {
                try (RunningRuntime first = new RunningRuntime(a, clock)) {
                    RunningRuntime.Response accepted = first.postAction(session("from either", sendAt("2026-12-01T10:00:05Z")));
                    assertThat(accepted.status()).isEqualTo(202);
                    nothingSentOverSeveralPolls(first, wati);
                    nothingSentOverSeveralPolls(survivor, wati);
                }

                clock.advance(Duration.ofSeconds(5));
                sentOnce(survivor, wati);
            }
        }
    }
}
