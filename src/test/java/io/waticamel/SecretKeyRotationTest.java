package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.security.SecretBox;
import io.waticamel.testing.CapturedLog;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.RunningRuntime.Response;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * wati.secret-key rotation across restarts on one database: dead letters written under key A; a
 * start with key B and wati.secret-key.previous = A re-encrypts their tokens with B and replays
 * them with the right token; a start with a key that never encrypted them answers a replay 409
 * with what to do (and an async action it cannot decrypt becomes a dead letter), sending nothing.
 */
class SecretKeyRotationTest {

    static final String TOKEN = "rotation-token-3b9d";
    static final SecureRandom RANDOM = new SecureRandom();
    final String keyA = newKey();
    final String keyB = newKey();
    final String keyC = newKey();
    WatiDouble wati;
    Path data;

    static String newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @BeforeEach
    void start() throws Exception {
        wati = new WatiDouble();
        data = Files.createTempDirectory("wati-rotation");
    }

    @AfterEach
    void stop() {
        wati.close();
    }

    /** The runtime on this test's data folder and database, with these keys. */
    RunningRuntime runtime(String key, String previous) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.data.dir", data.toString());
        properties.put("wati.db.url", "jdbc:h2:file:" + data.resolve("wati-camel") + ";WRITE_DELAY=0");
        properties.put("wati.secret-key", key);
        properties.put("wati.secret-key.previous", previous);
        properties.put("wati.outbox.poll-ms", "50");
        return new RunningRuntime(properties);
    }

    Response call(RunningRuntime runtime, String method, String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Under key A: a failed action kept as a dead letter with its token; returns its id. */
    String deadLetterUnderKeyA() throws Exception {
        wati.answer(Answer.json(503, "{}"));
        try (RunningRuntime a = runtime(keyA, "")) {
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("wati_action", "send_session_message");
            task.put("api_endpoint", wati.url());
            task.put("access_token", TOKEN);
            task.put("whatsappNumber", "27821234567");
            task.put("messageText", "kept under key A");
            assertThat(a.postAction(task).status()).isEqualTo(502);
            JsonNode letters = call(a, "GET", "/api/v1/dead-letters").json().get("dead_letters");
            assertThat(letters).hasSize(1);
            return letters.get(0).get("id").asText();
        } finally {
            wati.reset();
        }
    }

    static String storedToken(RunningRuntime runtime, String table, String id) throws Exception {
        DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", DataSource.class);
        try (var c = db.getConnection(); var s = c.prepareStatement("SELECT token_encrypted FROM " + table + " WHERE id = ?")) {
            s.setString(1, id);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void withThePreviousKeyTheTokenIsReEncryptedAtStartAndTheReplaySendsIt() throws Exception {
        String id = deadLetterUnderKeyA();
        wati.answer(Answer.json(200, "{\"result\":true}"));

        String logged;
        try (CapturedLog log = new CapturedLog(); RunningRuntime b = runtime(keyB, keyA)) {
            String token = storedToken(b, "dead_letters", id);
            assertThat(new SecretBox(Base64.getDecoder().decode(keyB), List.of()).decrypt(token)).isEqualTo(TOKEN);

            Response replay = call(b, "POST", "/api/v1/dead-letters/" + id + "/replay");

            assertThat(replay.status()).as(replay.body()).isEqualTo(200);
            assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer " + TOKEN);
            logged = log.toString();
        }
        assertThat(logged).contains("Re-encrypted 1 access token(s) in dead_letters with the current wati.secret-key")
                .doesNotContain(keyA).doesNotContain(keyB).doesNotContain(TOKEN);
    }

    @Test
    void withoutItsKeyAReplayAnswers409WithWhatToDoAndNothingIsSent() throws Exception {
        String id = deadLetterUnderKeyA();
        wati.answer(Answer.json(200, "{\"result\":true}"));

        String logged;
        try (CapturedLog log = new CapturedLog(); RunningRuntime c = runtime(keyC, "")) {
            Response replay = call(c, "POST", "/api/v1/dead-letters/" + id + "/replay");

            assertThat(replay.status()).as(replay.body()).isEqualTo(409);
            assertThat(replay.json().get("error").asText()).contains("cannot be decrypted").contains("wati.secret-key.previous");
            assertThat(replay.json().get("dead_letter").get("status").asText()).isEqualTo("open");
            assertThat(call(c, "GET", "/api/v1/dead-letters/" + id).json().get("status").asText()).isEqualTo("open");
            assertThat(wati.requests()).isEmpty();
            logged = log.toString();
        }
        assertThat(logged).contains("1 access token(s) in dead_letters of records still to be sent cannot be decrypted")
                .doesNotContain(keyA).doesNotContain(keyC);

        // the key added afterwards: the same letter replays
        try (RunningRuntime fixed = runtime(keyC, keyA)) {
            assertThat(call(fixed, "POST", "/api/v1/dead-letters/" + id + "/replay").status()).isEqualTo(200);
            assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer " + TOKEN);
        }
    }

    @Test
    void anAsyncActionNoKeyDecryptsBecomesADeadLetterWithTheReasonNotALoop() throws Exception {
        String id = "33333333-3333-4333-8333-333333333333";
        try (RunningRuntime c = runtime(keyC, "")) {
            DataSource db = c.context().getRegistry().lookupByNameAndType("watiDataSource", DataSource.class);
            // as an instance on key A left it: accepted, not yet sent
            try (var connection = db.getConnection(); var s = connection.prepareStatement("INSERT INTO outbox (id, caller, action, "
                    + "fields_json, token_encrypted, state, created_at, updated_at) VALUES (?, 'default', 'send_session_message', ?, ?, "
                    + "'queued', ?, ?)")) {
                s.setString(1, id);
                s.setString(2, "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                        + "\",\"whatsappNumber\":\"27821234567\",\"messageText\":\"queued under key A\"}");
                s.setString(3, new SecretBox(Base64.getDecoder().decode(keyA), List.of()).encrypt(TOKEN));
                s.setTimestamp(4, Timestamp.from(Instant.now()));
                s.setTimestamp(5, Timestamp.from(Instant.now()));
                s.executeUpdate();
            }

            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> "dead".equals(call(c, "GET", "/api/v1/actions/" + id).json().get("state").asText()));

            JsonNode action = call(c, "GET", "/api/v1/actions/" + id).json();
            assertThat(action.get("http_status").asInt()).isEqualTo(409);
            assertThat(action.get("result").get("task_23001_run_text").asText()).contains("wati.secret-key.previous");
            JsonNode letter = call(c, "GET", "/api/v1/dead-letters").json().get("dead_letters").get(0);
            assertThat(letter.get("error").asText()).startsWith("Async action " + id + " not sent: ");
            assertThat(letter.get("credentials_kept").asBoolean()).isTrue();
            assertThat(wati.requests()).isEmpty();
        }
    }
}
