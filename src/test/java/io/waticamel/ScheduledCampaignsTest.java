package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.testing.MutableClock;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scheduled campaigns (send_at) and quiet hours, with a clock the test moves: nothing is sent before its time,
 * everything once after, no sleeps. Account "night" has quiet hours 21:00-08:00 in Johannesburg (UTC+2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduledCampaignsTest {

    final ObjectMapper mapper = new ObjectMapper();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = new RunningRuntime(Map.ofEntries(Map.entry("wati.accounts.shop.endpoint", wati.url() + "/shop"),
                Map.entry("wati.accounts.shop.token", "shop-token-123456"), Map.entry("wati.accounts.night.endpoint", wati.url() + "/night"),
                Map.entry("wati.accounts.night.token", "night-token-123456"), Map.entry("wati.accounts.night.quiet-hours", "21:00-08:00"),
                Map.entry("wati.accounts.night.time-zone", "Africa/Johannesburg"),
                Map.entry("wati.accounts.slownight.endpoint", wati.url() + "/slownight"),
                Map.entry("wati.accounts.slownight.token", "slownight-token-123456"), Map.entry("wati.accounts.slownight.quiet-hours", "21:00-08:00"),
                Map.entry("wati.accounts.slownight.time-zone", "Africa/Johannesburg"), Map.entry("wati.throttle.accounts.slownight.per-second", "2"),
                Map.entry("wati.campaigns.poll-ms", "50")), clock);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
    }

    RunningRuntime.Response post(String path, String contentType, String body) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    JsonNode status(String id) {
        try {
            return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns/" + id))).header("X-API-Key", RunningRuntime.API_KEY)
                    .GET().build()).json();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode awaitStatus(String id, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> status.equals(status(id).get("status").asText()));
        return status(id);
    }

    /** A campaign of the given numbers, each {number, time_zone} ("" = none), with extra settings. */
    String campaign(String account, String mode, List<String[]> recipients, Map<String, String> settings) {
        ObjectNode body = mapper.createObjectNode().put("account", account).put("template_name", "reminder").put("mode", mode);
        settings.forEach(body::put);
        ArrayNode list = body.putArray("recipients");
        for (String[] r : recipients) {
            ObjectNode recipient = list.addObject().put("whatsappNumber", r[0]);
            if (!r[1].isEmpty()) {
                recipient.put("time_zone", r[1]);
            }
            recipient.putObject("parameters").put("name", "Client " + r[0]);
        }
        return body.toString();
    }

    static List<String[]> numbers(int count, long first) {
        List<String[]> numbers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            numbers.add(new String[] {Long.toString(first + i), ""});
        }
        return numbers;
    }

    /** Every number WATI was asked to send to, with how many times (bulk receivers and single sends). */
    Map<String, Long> sentTo() {
        List<String> numbers = new ArrayList<>();
        for (WatiDouble.Recorded call : wati.requests()) {
            if (call.rawPath().endsWith("/sendTemplateMessages")) {
                try {
                    mapper.readTree(call.body()).get("receivers").forEach(r -> numbers.add(r.get("whatsappNumber").asText()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            } else if (call.rawPath().endsWith("/sendTemplateMessage")) {
                numbers.add(call.rawQuery().replace("whatsappNumber=", ""));
            }
        }
        return numbers.stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
    }

    void noCallFor(Duration period) {
        Awaitility.await().during(period).atMost(period.plusSeconds(2)).until(() -> wati.requests().isEmpty());
    }

    @Test
    void aScheduledCampaignWaitsForItsSendAtThenSendsEachRecipientOnce() throws Exception {
        clock.set(Instant.parse("2026-11-30T10:00:00Z"));
        String sendAt = OffsetDateTime.ofInstant(clock.instant().plusSeconds(5), ZoneOffset.ofHours(2)).toString();
        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json",
                campaign("shop", "bulk", numbers(30, 27810000000L), Map.of("send_at", sendAt)));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("send_at").asText()).isEqualTo("2026-11-30T10:00:05Z");
        String id = accepted.json().get("id").asText();
        // another, cancelled while it waits: never sent
        String cancelled = post("/api/v1/campaigns", "application/json", campaign("shop", "single", numbers(3, 27810000100L),
                Map.of("send_at", sendAt))).json().get("id").asText();

        JsonNode waiting = status(id);
        assertThat(waiting.get("status").asText()).isEqualTo("scheduled");
        assertThat(waiting.get("send_at").asText()).isEqualTo("2026-11-30T10:00:05Z");
        assertThat(waiting.get("next_send_at").asText()).isEqualTo("2026-11-30T10:00:05Z");
        assertThat(waiting.get("pending").asInt()).isEqualTo(30);
        noCallFor(Duration.ofMillis(1500));
        // pause and resume before it is due: still scheduled; cancel: done, all skipped
        assertThat(post("/api/v1/campaigns/" + id + "/pause", "application/json", "").json().get("status").asText()).isEqualTo("paused");
        assertThat(post("/api/v1/campaigns/" + id + "/resume", "application/json", "").json().get("status").asText()).isEqualTo("scheduled");
        RunningRuntime.Response resumeAgain = post("/api/v1/campaigns/" + id + "/resume", "application/json", "");
        assertThat(resumeAgain.status()).isEqualTo(409);
        assertThat(resumeAgain.json().get("error").asText()).contains("scheduled");
        JsonNode cancel = post("/api/v1/campaigns/" + cancelled + "/cancel", "application/json", "").json();
        assertThat(cancel.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancel.get("skipped").asInt()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(4));
        noCallFor(Duration.ofMillis(500));
        clock.advance(Duration.ofSeconds(1));
        JsonNode done = awaitStatus(id, "finished");
        assertThat(done.get("sent").asInt()).isEqualTo(30);
        assertThat(sentTo()).hasSize(30).allSatisfy((number, times) -> assertThat(times).isOne());
        assertThat(status(cancelled).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void quietHoursDeferEveryRecipientToTheWindowsEndBulkAndSingle() throws Exception {
        // 22:00 in Johannesburg: inside 21:00-08:00, which ends at 06:00 UTC
        clock.set(Instant.parse("2026-11-30T20:00:00Z"));
        String bulk = post("/api/v1/campaigns", "application/json", campaign("night", "bulk", numbers(20, 27811000000L), Map.of()))
                .json().get("id").asText();
        String single = post("/api/v1/campaigns", "application/json", campaign("night", "single", numbers(5, 27811000100L), Map.of()))
                .json().get("id").asText();
        for (String id : List.of(bulk, single)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(id).get("deferred").asInt() > 0
                    && status(id).get("deferred").asInt() == status(id).get("pending").asInt());
            JsonNode waiting = status(id);
            assertThat(waiting.get("status").asText()).isEqualTo("running");
            assertThat(waiting.get("next_send_at").asText()).isEqualTo("2026-12-01T06:00:00Z");
            assertThat(waiting.get("sent").asInt()).isZero();
        }
        assertThat(status(bulk).get("deferred").asInt()).isEqualTo(20);
        noCallFor(Duration.ofMillis(1500));
        JsonNode deferred = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns/" + single
                + "/recipients?status=deferred"))).header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json().get("recipients");
        assertThat(deferred).hasSize(5).allSatisfy(r -> {
            assertThat(r.get("status").asText()).isEqualTo("pending");
            assertThat(r.get("deferred_until").asText()).isEqualTo("2026-12-01T06:00:00Z");
        });

        clock.set(Instant.parse("2026-12-01T05:59:59Z"));
        noCallFor(Duration.ofMillis(500));
        clock.set(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(awaitStatus(bulk, "finished").get("sent").asInt()).isEqualTo(20);
        assertThat(awaitStatus(single, "finished").get("sent").asInt()).isEqualTo(5);
        assertThat(sentTo()).hasSize(25).allSatisfy((number, times) -> assertThat(times).isOne());
    }

    @Test
    void eachRecipientIsJudgedInTheirOwnTimeZone() throws Exception {
        // 19:30 UTC: 21:30 in Johannesburg (the account's zone) and 04:30 in Tokyo are night; New York and London are day
        for (String mode : List.of("bulk", "single")) {
            wati.reset();
            clock.set(Instant.parse("2026-11-30T19:30:00Z"));
            long base = "bulk".equals(mode) ? 27812000000L : 27812000100L;
            String account = Long.toString(base);
            String tokyo = Long.toString(base + 1);
            String newYork = Long.toString(base + 2);
            String london = Long.toString(base + 3);
            String id = post("/api/v1/campaigns", "application/json", campaign("night", mode, List.of(new String[] {account, ""},
                    new String[] {tokyo, "Asia/Tokyo"}, new String[] {newYork, "America/New_York"}, new String[] {london, "Europe/London"}),
                    Map.of())).json().get("id").asText();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(id).get("sent").asInt() == 2);
            assertThat(sentTo()).containsOnlyKeys(newYork, london);
            if ("bulk".equals(mode)) {
                // only the due receivers went into the call
                assertThat(wati.requests()).hasSize(1);
            }
            JsonNode waiting = status(id);
            assertThat(waiting.get("deferred").asInt()).isEqualTo(2);
            assertThat(waiting.get("next_send_at").asText()).isEqualTo("2026-11-30T23:00:00Z"); // 08:00 in Tokyo

            clock.set(Instant.parse("2026-11-30T23:00:00Z"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(id).get("sent").asInt() == 3);
            assertThat(sentTo()).containsOnlyKeys(newYork, london, tokyo);
            assertThat(status(id).get("next_send_at").asText()).isEqualTo("2026-12-01T06:00:00Z");

            clock.set(Instant.parse("2026-12-01T06:00:00Z"));
            assertThat(awaitStatus(id, "finished").get("sent").asInt()).isEqualTo(4);
            assertThat(sentTo()).hasSize(4).allSatisfy((number, times) -> assertThat(times).isOne());
        }
    }

    @Test
    void quietHoursThatBeginWhileABatchIsBeingSentStopItsNextSends() throws Exception {
        // 20:59:50 in Johannesburg; the account sends 2 a second, so the batch of 8 takes about 4 s
        clock.set(Instant.parse("2026-11-30T18:59:50Z"));
        String id = post("/api/v1/campaigns", "application/json", campaign("slownight", "single", numbers(8, 27817000000L), Map.of()))
                .json().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !wati.requests().isEmpty());
        clock.set(Instant.parse("2026-11-30T19:00:00Z"));
        long quietFrom = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode now = status(id);
            return now.get("deferred").asInt() > 0 && now.get("deferred").asInt() + now.get("sent").asInt() == 8;
        });
        JsonNode waiting = status(id);
        assertThat(waiting.get("next_send_at").asText()).isEqualTo("2026-12-01T06:00:00Z");
        int sentBefore = waiting.get("sent").asInt();
        assertThat(sentBefore).isLessThan(8);
        // a send already past its check when the hour struck may finish; none starts later
        assertThat(wati.requests().stream().filter(r -> r.receivedNanos() > quietFrom + 1_000_000_000L)).isEmpty();

        clock.set(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(awaitStatus(id, "finished").get("sent").asInt()).isEqualTo(8);
        assertThat(sentTo()).hasSize(8).allSatisfy((number, times) -> assertThat(times).isOne());
    }

    @Test
    void aCampaignsOwnQuietHoursApplyWithoutAnAccountWindow() throws Exception {
        // the campaign's window 22:00-07:00 in Asia/Kolkata (UTC+5:30): 17:00 UTC is 22:30 there
        clock.set(Instant.parse("2026-11-30T17:00:00Z"));
        String id = post("/api/v1/campaigns", "application/json", campaign("shop", "bulk", numbers(3, 27813000000L),
                Map.of("quiet_hours", "22:00-07:00", "time_zone", "Asia/Kolkata"))).json().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(id).get("deferred").asInt() == 3);
        JsonNode waiting = status(id);
        assertThat(waiting.get("quiet_hours").asText()).isEqualTo("22:00-07:00");
        assertThat(waiting.get("time_zone").asText()).isEqualTo("Asia/Kolkata");
        assertThat(waiting.get("next_send_at").asText()).isEqualTo("2026-12-01T01:30:00Z");
        assertThat(wati.requests()).isEmpty();
        clock.set(Instant.parse("2026-12-01T01:30:00Z"));
        assertThat(awaitStatus(id, "finished").get("sent").asInt()).isEqualTo(3);
    }

    @Test
    void aCsvTimeZoneColumnIsNeverATemplateParameter() throws Exception {
        clock.set(Instant.parse("2026-11-30T10:00:00Z"));
        String csv = "whatsappNumber,time_zone,name\r\n27814000001,Europe/Paris,Ann\r\n27814000002,,Bob\r\n27814000003,Nowhere/City,Cy\r\n";
        RunningRuntime.Response accepted = post("/api/v1/campaigns?account=shop&template_name=order_update&mode=single", "text/csv", csv);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("skipped").asInt()).isEqualTo(1);
        String id = accepted.json().get("id").asText();
        assertThat(awaitStatus(id, "finished").get("sent").asInt()).isEqualTo(2);
        assertThat(wati.requests()).extracting(WatiDouble.Recorded::bodyText).containsExactlyInAnyOrder(
                "{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\",\"parameters\":[{\"name\":\"name\",\"value\":\"Ann\"}]}",
                "{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\",\"parameters\":[{\"name\":\"name\",\"value\":\"Bob\"}]}");
        JsonNode recipients = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns/" + id + "/recipients")))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json().get("recipients");
        assertThat(recipients.get(0).get("time_zone").asText()).isEqualTo("Europe/Paris");
        assertThat(recipients.get(0).get("parameters").toString()).isEqualTo("{\"name\":\"Ann\"}");
        assertThat(recipients.get(2).get("status").asText()).isEqualTo("skipped");
        assertThat(recipients.get(2).get("reason").asText()).startsWith("Unknown time zone 'Nowhere/City'");

        // bulk: the receivers' customParams have no time_zone either
        wati.reset();
        String bulk = post("/api/v1/campaigns?account=shop&template_name=order_update", "text/csv",
                "whatsappNumber,name,TIME_ZONE\r\n27814000011,Dee,Asia/Tokyo\r\n").json().get("id").asText();
        awaitStatus(bulk, "finished");
        JsonNode receivers = mapper.readTree(wati.onlyRequest().body()).get("receivers");
        assertThat(receivers.get(0).get("customParams").toString()).isEqualTo("[{\"name\":\"name\",\"value\":\"Dee\"}]");
    }

    @Test
    void badScheduleSettingsAreRefusedWithAReasonAndNothingIsStored() throws Exception {
        clock.set(Instant.parse("2026-11-30T10:00:00Z"));
        String recipients = "\"recipients\":[{\"whatsappNumber\":\"27815000001\"}]}";
        Map<String, String> refused = Map.of(
                "{\"account\":\"shop\",\"template_name\":\"t\",\"send_at\":\"2026-12-01T09:00:00\",", "has no UTC offset",
                "{\"account\":\"shop\",\"template_name\":\"t\",\"send_at\":\"next week\",", "must be an ISO-8601",
                "{\"account\":\"shop\",\"template_name\":\"t\",\"send_at\":\"2028-01-01T09:00:00Z\",", "days ahead",
                "{\"account\":\"shop\",\"template_name\":\"t\",\"send_at\":\"2026-11-29T09:00:00Z\",", "more than 24 hours in the past",
                "{\"account\":\"shop\",\"template_name\":\"t\",\"time_zone\":\"Moon/Base\",", "time_zone: Unknown time zone 'Moon/Base'",
                "{\"account\":\"shop\",\"template_name\":\"t\",\"quiet_hours\":\"9pm-8am\",", "quiet_hours: Quiet hours are HH:mm-HH:mm");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            RunningRuntime.Response answer = post("/api/v1/campaigns", "application/json", bad.getKey() + recipients);
            assertThat(answer.status()).as(bad.getKey()).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).contains(bad.getValue());
        }
        RunningRuntime.Response csv = post("/api/v1/campaigns?account=shop&template_name=t&send_at=2026-12-01T09:00", "text/csv",
                "whatsappNumber\n27815000001\n");
        assertThat(csv.status()).isEqualTo(400);
        assertThat(csv.json().get("error").asText()).contains("has no UTC offset");
        JsonNode campaigns = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns?size=1000")))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json().get("campaigns");
        assertThat(campaigns.toString()).doesNotContain("\"template_name\":\"t\"");
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void aScheduledCampaignAndItsDeferredRecipientsSurviveARestart() throws Exception {
        // its own runtimes on one database file: the first stops before anything is due, the second sends
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("wati-scheduled-restart");
        MutableClock own = new MutableClock(Instant.parse("2026-11-30T20:00:00Z")); // 22:00 in Johannesburg
        Map<String, String> properties = Map.of("wati.db.url", "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0",
                "wati.accounts.night.endpoint", wati.url() + "/night", "wati.accounts.night.token", "night-token-123456",
                "wati.accounts.night.quiet-hours", "21:00-08:00", "wati.accounts.night.time-zone", "Africa/Johannesburg",
                "wati.campaigns.poll-ms", "50");
        String scheduled;
        String deferred;
        try (RunningRuntime first = new RunningRuntime(properties, own)) {
            RunningRuntime previous = runtime;
            runtime = first;
            try {
                scheduled = post("/api/v1/campaigns", "application/json", campaign("night", "bulk", numbers(4, 27816000000L),
                        Map.of("send_at", "2026-12-01T07:00:00Z"))).json().get("id").asText();
                deferred = post("/api/v1/campaigns", "application/json", campaign("night", "single", numbers(3, 27816000100L), Map.of()))
                        .json().get("id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(deferred).get("deferred").asInt() == 3);
                assertThat(status(scheduled).get("status").asText()).isEqualTo("scheduled");
            } finally {
                runtime = previous;
            }
        }
        assertThat(wati.requests()).isEmpty();
        own.set(Instant.parse("2026-12-01T06:00:00Z"));
        try (RunningRuntime second = new RunningRuntime(properties, own)) {
            RunningRuntime previous = runtime;
            runtime = second;
            try {
                assertThat(awaitStatus(deferred, "finished").get("sent").asInt()).isEqualTo(3);
                assertThat(status(scheduled).get("status").asText()).isEqualTo("scheduled");
                own.set(Instant.parse("2026-12-01T07:00:00Z"));
                assertThat(awaitStatus(scheduled, "finished").get("sent").asInt()).isEqualTo(4);
            } finally {
                runtime = previous;
            }
        }
        assertThat(sentTo()).hasSize(7).allSatisfy((number, times) -> assertThat(times).isOne());
    }
}
