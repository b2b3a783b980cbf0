package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.MutableClock;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import io.waticamel.testing.WatiDouble.Recorded;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The 24-hour window: known from the customer's message events (their own timestamp), judged by a clock
 * the test moves; a closed window refuses a session message or sends the action's fallback template, as
 * WATI's own "Ticket has been expired" does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionWindowTest {

    static final String SECRET = "window-webhook-secret-0123";
    static final String EXPIRED = "{\"result\":false,\"message\":\"Ticket has been expired.\",\"ticketStatus\":\"CLOSED\"}";
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    WatiDouble wati;
    RunningRuntime runtime;
    int events;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.accounts.shop.endpoint", wati.url(), "wati.accounts.shop.token", "shop-token-123456",
                "wati.accounts.shop.webhook-secret", SECRET), clock);
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

    /** The customer wrote at {@code at}: the webhook's message event, processed before this returns. */
    void customerWrote(String number, Instant at) throws Exception {
        String id = "msg-" + (++events);
        String event = "{\"eventType\":\"message\",\"id\":\"" + id + "\",\"waId\":\"" + number + "\",\"owner\":false,\"type\":\"text\","
                + "\"text\":\"hello\",\"timestamp\":\"" + at.getEpochSecond() + "\"}";
        RunningRuntime.Response accepted = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/webhooks/wati/shop/" + SECRET)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build());
        assertThat(accepted.status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> runtime.send(HttpRequest.newBuilder(
                URI.create(runtime.url("/api/v1/events?type=message&state=processed&size=200"))).header("X-API-Key", RunningRuntime.API_KEY)
                .GET().build()).json().get("events").findValues("wati_id").stream().anyMatch(w -> w.asText().equals(id)));
    }

    Map<String, Object> session(String number) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_message");
        task.put("account", "shop");
        task.put("whatsappNumber", number);
        task.put("messageText", "Your order shipped");
        return task;
    }

    Map<String, Object> withFallback(Map<String, Object> task) {
        task.put("fallback_template_name", "order_update");
        task.put("fallback_parameter_name_1", "order_number");
        task.put("fallback_parameter_value_1", "A-17");
        return task;
    }

    List<String> paths() {
        return wati.requests().stream().map(Recorded::rawPath).toList();
    }

    @Test
    void aSessionMessageInsideTheWindowIsSent() throws Exception {
        customerWrote("27820000001", clock.instant().minus(Duration.ofHours(23)));

        RunningRuntime.Response response = runtime.postAction(session("27820000001"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(paths()).containsExactly("/api/v1/sendSessionMessage/27820000001");
    }

    @Test
    void aClosedWindowIsRefusedWithoutCallingWati() throws Exception {
        Instant wrote = clock.instant().minus(Duration.ofHours(2));
        customerWrote("27820000002", wrote);
        clock.advance(Duration.ofHours(21));
        assertThat(runtime.postAction(session("27820000002")).status()).isEqualTo(200);
        wati.reset();

        clock.advance(Duration.ofHours(1));
        RunningRuntime.Response response = runtime.postAction(session("27820000002"));

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).startsWith("The 24-hour window is closed (the contact last wrote at " + wrote + ", 24 h ago)")
                .contains("fallback_template_name");
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void aLateWebhookDoesNotMoveTheWindowBack() throws Exception {
        customerWrote("27820000003", clock.instant().minus(Duration.ofHours(1)));
        customerWrote("27820000003", clock.instant().minus(Duration.ofHours(30)));

        assertThat(runtime.postAction(session("27820000003")).status()).isEqualTo(200);
    }

    @Test
    void aClosedWindowSendsTheFallbackTemplateInstead() throws Exception {
        customerWrote("27820000004", clock.instant().minus(Duration.ofHours(48)));

        RunningRuntime.Response response = runtime.postAction(withFallback(session("27820000004")));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.run()).isTrue();
        assertThat(response.runText()).isEqualTo("The 24-hour window is closed (the contact last wrote at " + clock.instant().minus(Duration.ofHours(48))
                + ", 48 h ago): sent template 'order_update' instead. Successfully sent message.");
        Recorded sent = wati.onlyRequest();
        assertThat(sent.rawPath()).isEqualTo("/api/v1/sendTemplateMessage");
        assertThat(sent.rawQuery()).isEqualTo("whatsappNumber=27820000004");
        assertThat(sent.bodyText()).isEqualTo("{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\","
                + "\"parameters\":[{\"name\":\"order_number\",\"value\":\"A-17\"}]}");
    }

    @Test
    void watisOwnWindowRefusalSendsTheFallbackToo() throws Exception {
        wati.next(Answer.json(200, EXPIRED));

        RunningRuntime.Response response = runtime.postAction(withFallback(session("27820000005")));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("WATI refused the session message (Ticket has been expired.): sent template 'order_update' "
                + "instead. Successfully sent message.");
        assertThat(paths()).containsExactly("/api/v1/sendSessionMessage/27820000005", "/api/v1/sendTemplateMessage");
    }

    @Test
    void watisWindowRefusalWithoutAFallbackIsTheAnswer() throws Exception {
        wati.next(Answer.json(200, EXPIRED));

        RunningRuntime.Response response = runtime.postAction(session("27820000006"));

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).isEqualTo("Ticket has been expired.");
        assertThat(wati.requests()).hasSize(1);
    }

    @Test
    void aFallbackToSomeoneWhoOptedOutIsNotSentAndSaysWhy() throws Exception {
        customerWrote("27820000007", clock.instant().minus(Duration.ofHours(30)));
        assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/opt-outs/27820000007?account=shop")))
                .header("X-API-Key", RunningRuntime.API_KEY).PUT(HttpRequest.BodyPublishers.noBody()).build()).status()).isEqualTo(200);

        RunningRuntime.Response response = runtime.postAction(withFallback(session("27820000007")));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.runText()).startsWith("The 24-hour window is closed (the contact last wrote at ")
                .contains("; the fallback template 'order_update' was not sent: The recipient has opted out of messages from account 'shop'")
                .doesNotContain("instead.");
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void aFallbackWatiRefusesIsNotCalledSent() throws Exception {
        wati.next(Answer.json(200, EXPIRED)).next(Answer.json(400, "{\"result\":false,\"info\":\"Template not found\"}"));

        RunningRuntime.Response response = runtime.postAction(withFallback(session("27820000009")));

        assertThat(response.run()).isFalse();
        assertThat(response.runText()).isEqualTo("WATI refused the session message (Ticket has been expired.); the fallback template "
                + "'order_update' was not sent: WATI answered HTTP 400: Template not found");
    }

    @Test
    void aFallbackThatExhaustedItsRetriesIsADeadLetterThatReplaysAsTheTemplate() throws Exception {
        wati.next(Answer.json(200, EXPIRED)).next(Answer.json(503, "{}")).next(Answer.json(503, "{}")).next(Answer.json(503, "{}"));
        RunningRuntime.Response response = runtime.postAction(withFallback(session("27820000010")));
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).contains("the fallback template 'order_update' was not sent");

        JsonNode letter = null;
        for (JsonNode l : api("GET", "/api/v1/dead-letters?status=open&action=send_template_message").json().get("dead_letters")) {
            if ("27820000010".equals(l.get("fields").get("whatsappNumber").asText())) {
                letter = l;
            }
        }
        assertThat(letter).isNotNull();
        assertThat(letter.get("account").asText()).isEqualTo("shop");
        wati.reset();
        RunningRuntime.Response replay = api("POST", "/api/v1/dead-letters/" + letter.get("id").asText() + "/replay");

        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        Recorded sent = wati.onlyRequest();
        assertThat(sent.rawPath()).isEqualTo("/api/v1/sendTemplateMessage");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer shop-token-123456");
    }

    RunningRuntime.Response api(String method, String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void aContactNeverHeardFromIsLeftToWati() throws Exception {
        assertThat(runtime.postAction(session("27820000008")).status()).isEqualTo(200);
        assertThat(paths()).containsExactly("/api/v1/sendSessionMessage/27820000008");
    }
}
