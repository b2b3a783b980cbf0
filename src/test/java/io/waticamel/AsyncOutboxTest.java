package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Async actions: 202 once stored, sent by the outbox workers, state and result by id, callback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncOutboxTest {

    WatiDouble wati;
    WatiDouble callbacks;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        callbacks = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.outbox.poll-ms", "50"));
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
        callbacks.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        callbacks.reset();
    }

    String body(String text, String extra) {
        return "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                + "\",\"access_token\":\"async-token-1\",\"whatsappNumber\":\"27821234567\",\"messageText\":\"" + text + "\"" + extra + "}";
    }

    RunningRuntime.Response get(String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY).GET().build());
    }

    @Test
    void preferRespondAsyncIsAcceptedThenSentAndAnsweredByIdAndCallback() throws Exception {
        RunningRuntime.Response accepted = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString(body("later", ",\"callback_url\":\"" + callbacks.url() + "/done\"")))
                .build());

        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("action_id").asText();
        assertThat(accepted.raw().headers().firstValue("Location")).contains("/api/v1/actions/" + id);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(get("/api/v1/actions/" + id).json().get("state").asText()));

        JsonNode status = get("/api/v1/actions/" + id).json();
        assertThat(status.get("result").get("task_23001_run").asBoolean()).isTrue();
        assertThat(status.get("result").get("task_23001_run_text").asText()).isEqualTo("Successfully sent message.");
        assertThat(status.toString()).doesNotContain("async-token-1");
        WatiDouble.Recorded sent = wati.onlyRequest();
        assertThat(sent.rawQuery()).isEqualTo("messageText=later");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer async-token-1");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.requests().size() == 1);
        JsonNode callback = new ObjectMapper().readTree(callbacks.onlyRequest().body());
        assertThat(callback.get("action_id").asText()).isEqualTo(id);
        assertThat(callback.get("task_23001_run").asBoolean()).isTrue();
    }

    @Test
    void afterACrashClaimedActionsAreRequeuedAndSendingOnesBecomeDeadLetters() throws Exception {
        javax.sql.DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", javax.sql.DataSource.class);
        io.waticamel.reliability.Outbox outbox = runtime.context().getRegistry().lookupByNameAndType("outbox",
                io.waticamel.reliability.Outbox.class);
        String instance = runtime.context().getPropertiesComponent().resolveProperty("wati.instance-id").orElseThrow();
        // the start-up recovery (outbox-recovery's first run) happens now if the timer has not run it yet: it must not
        // take the rows below before the recovery this test calls
        outbox.recoverNow();
        try (var c = db.getConnection(); var s = c.createStatement()) {
            // rows as a killed instance left them (claimed_until far ahead: only the start-up recovery may take them)
            for (String[] row : new String[][] {{"11111111-1111-1111-1111-111111111111", "claimed"},
                {"22222222-2222-2222-2222-222222222222", "sending"}}) {
                s.executeUpdate("INSERT INTO outbox (id, caller, action, fields_json, state, claimed_by, claimed_until, created_at, updated_at) "
                        + "VALUES ('" + row[0] + "', 'default', 'send_session_message', '{\"wati_action\":\"send_session_message\"}', '" + row[1]
                        + "', '" + instance + "', TIMESTAMP '2999-01-01 00:00:00', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            }
        }

        assertThat(outbox.recover(true)).isEqualTo(2);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !"queued".equals(
                get("/api/v1/actions/11111111-1111-1111-1111-111111111111").json().get("state").asText()));
        assertThat(get("/api/v1/actions/22222222-2222-2222-2222-222222222222").json().get("state").asText()).isEqualTo("dead");
        assertThat(get("/api/v1/dead-letters?status=open").body()).contains("22222222-2222-2222-2222-222222222222");
    }

    RunningRuntime.Response postAsync(String json) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .header("Prefer", "respond-async").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    long queuedActions() throws Exception {
        javax.sql.DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", javax.sql.DataSource.class);
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void anAsyncActionWithoutMessageTextIsRefusedAsASynchronousOneIsAndNotQueued() throws Exception {
        String invalid = "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                + "\",\"access_token\":\"async-token-1\",\"whatsappNumber\":\"27821234567\"";
        long queued = queuedActions();

        RunningRuntime.Response sync = runtime.postAction(invalid + "}");
        RunningRuntime.Response preferAsync = postAsync(invalid + "}");
        RunningRuntime.Response asyncTrue = runtime.postAction(invalid + ",\"async\":true}");

        assertThat(sync.status()).isEqualTo(400);
        assertThat(sync.runText()).isEqualTo("No messageText provided");
        for (RunningRuntime.Response async : List.of(preferAsync, asyncTrue)) {
            assertThat(async.status()).isEqualTo(400);
            assertThat(async.body()).isEqualTo(sync.body());
        }
        assertThat(queuedActions()).isEqualTo(queued);
        assertThat(wati.requests()).isEmpty();

        RunningRuntime.Response valid = postAsync(body("valid after all", ""));
        assertThat(valid.status()).isEqualTo(202);
        assertThat(queuedActions()).isEqualTo(queued + 1);
    }

    /** Task fields ({credentials}: this test's endpoint and token) and the synchronous refusal's text (its start). */
    static Stream<Arguments> refusedBeforeAnyNetworkCall() {
        String number = "\"whatsappNumber\":\"27821234567\"";
        return Stream.of(
                Arguments.of("{{credentials}," + number + ",\"messageText\":\"no action\"}", "No wati_action provided. Valid actions: "),
                Arguments.of("{\"wati_action\":\"send_fax\",{credentials}}", "Unknown wati_action 'send_fax'. Valid actions: "),
                Arguments.of("{\"wati_action\":\"send_session_message\",\"access_token\":\"t\"," + number + ",\"messageText\":\"x\"}",
                        "No API endpoint provided"),
                Arguments.of("{\"wati_action\":\"send_session_message\",{credentials},\"whatsappNumber\":\"12\",\"messageText\":\"x\"}",
                        "Invalid whatsappNumber"),
                Arguments.of("{\"wati_action\":\"send_template_message\",{credentials}," + number + "}", "No template_name provided"),
                Arguments.of("{\"wati_action\":\"update_contact\",{credentials}," + number + "}", "No contact attributes provided"),
                Arguments.of("{\"wati_action\":\"send_session_file\",{credentials}," + number + ",\"file_url\":\"ftp://files.example/a.pdf\"}",
                        "file_url must be an http or https URL"),
                Arguments.of("{\"wati_action\":\"send_session_file\",{credentials}," + number
                        + ",\"file_url\":\"http://127.0.0.1:9/a.pdf\",\"caption\":\"" + "c".repeat(4097) + "\"}",
                        "caption is longer than 4096 characters"),
                Arguments.of("{\"wati_action\":\"get_media\",{credentials},\"file_url\":\"https://elsewhere.example/api/file/showFile?fileName=a.jpg\"}",
                        "file_url must be on the WATI endpoint's origin"),
                Arguments.of("{\"wati_action\":\"get_media\",{credentials},\"owner_id\":\"no/such owner\","
                        + "\"file_url\":\"{endpoint}/api/file/showFile?fileName=a.jpg\"}", "Invalid owner_id"));
    }

    @ParameterizedTest
    @MethodSource("refusedBeforeAnyNetworkCall")
    void whatIsRefusedSynchronouslyIsRefusedBeforeThe202(String fields, String refusal) throws Exception {
        String json = fields.replace("{credentials}", "\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"async-token-1\"")
                .replace("{endpoint}", wati.url());
        long queued = queuedActions();

        RunningRuntime.Response sync = runtime.postAction(json);
        RunningRuntime.Response async = postAsync(json);

        assertThat(sync.status()).as(sync.body()).isEqualTo(400);
        assertThat(sync.runText()).startsWith(refusal);
        assertThat(async.status()).isEqualTo(400);
        assertThat(async.body()).isEqualTo(sync.body());
        assertThat(queuedActions()).isEqualTo(queued);
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void asyncTrueInTheBodyAlsoQueuesAndInvalidCredentialsAreRefusedAtOnce() throws Exception {
        RunningRuntime.Response accepted = runtime.postAction(body("flagged", ",\"async\":true"));
        assertThat(accepted.status()).isEqualTo(202);

        RunningRuntime.Response refused = runtime.postAction("{\"wati_action\":\"send_session_message\",\"async\":true}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.runText()).isEqualTo("No API endpoint provided");

        String id = accepted.json().get("action_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(get("/api/v1/actions/" + id).json().get("state").asText()));
        assertThat(get("/api/v1/actions/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

    @Test
    void aSendAtQueuesASynchronousRequestWhereNoAccountHasQuietHours() throws Exception {
        // this runtime configures no quiet hours: only the body's send_at sends the request to the outbox
        RunningRuntime.Response scheduled = runtime.postAction(body("later", ",\"send_at\":\"2099-01-01T00:00:00Z\""));
        assertThat(scheduled.status()).as(scheduled.body()).isEqualTo(400);
        assertThat(scheduled.runText()).contains("days ahead");

        RunningRuntime.Response soon = runtime.postAction(body("soon", ",\"send_at\":\"" + java.time.Instant.now().plusSeconds(3600) + "\""));
        assertThat(soon.status()).as(soon.body()).isEqualTo(202);
        assertThat(soon.json().get("state").asText()).isEqualTo("scheduled");
        assertThat(runtime.postAction(body("now", "")).status()).isEqualTo(200);
    }
}
