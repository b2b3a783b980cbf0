package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.CapturedLog;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.RunningRuntime.Response;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two callers, alice and bob, each with their own API key and WATI token, and an admin, ops
 * (wati.api-admins): for dead letters, async actions and files, a key sees, replays and deletes
 * only its own records - another's is 404 exactly like an id that does not exist, and absent from
 * lists - while the admin sees both, and an admin's replay runs as the original caller with its
 * credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallerIsolationTest {

    static final String ALICE = "alice-api-key-5e1f0c2b";
    static final String BOB = "bob-api-key-77d2a9e4";
    static final String OPS = "ops-api-key-c4b8e3d1";
    static final String ALICE_TOKEN = "alice-wati-token-91f3";
    static final String BOB_TOKEN = "bob-wati-token-42c8";
    static final Map<String, String> KEYS = Map.of("wati.api-keys.alice", ALICE, "wati.api-keys.bob", BOB, "wati.api-keys.ops", OPS);
    static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
    final ObjectMapper mapper = new ObjectMapper();
    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.api-admins", "ops");
        properties.putAll(KEYS);
        properties.put("wati.outbox.poll-ms", "50");
        properties.put("wati.azure.connection-string", TestAzurite.connectionString());
        runtime = new RunningRuntime(properties);
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

    Response call(String key, String method, String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", key)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    Response post(String key, Map<String, Object> fields, boolean async) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions"))).header("X-API-Key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(fields)));
        return runtime.send(async ? request.header("Prefer", "respond-async").build() : request.build());
    }

    Map<String, Object> message(String token, String text) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_message");
        task.put("api_endpoint", wati.url());
        task.put("access_token", token);
        task.put("whatsappNumber", "27821234567");
        task.put("messageText", text);
        return task;
    }

    /** The ids of the dead letters {@code key} lists (the open ones, newest first). */
    List<String> deadLetters(String key) throws Exception {
        Response list = call(key, "GET", "/api/v1/dead-letters?size=500");
        assertThat(list.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().get("dead_letters").forEach(l -> ids.add(l.get("id").asText()));
        return ids;
    }

    /** A failed action of this key, kept as a dead letter; its id. */
    String deadLetterOf(String key, String token, String text) throws Exception {
        wati.answer(Answer.json(503, "{}"));
        assertThat(post(key, message(token, text), false).status()).isEqualTo(502);
        for (JsonNode letter : call(key, "GET", "/api/v1/dead-letters?size=500").json().get("dead_letters")) {
            if (text.equals(letter.get("fields").get("messageText").asText())) {
                wati.reset();
                return letter.get("id").asText();
            }
        }
        throw new AssertionError("no dead letter for " + text);
    }

    /** What a key gets for the record {@code id} it may not see: the same as for an id that does not exist. */
    void assertNotFound(Response response, String id, Response unknown) {
        assertThat(response.status()).isEqualTo(404);
        // the same answer but for the request's own id
        assertThat(response.body().replace(id, UNKNOWN_ID).replaceAll("\"request_id\":\"[^\"]*\"", ""))
                .isEqualTo(unknown.body().replaceAll("\"request_id\":\"[^\"]*\"", ""));
    }

    @Test
    void anotherCallersDeadLettersCannotBeListedShownReplayedOrDeleted() throws Exception {
        String alices = deadLetterOf(ALICE, ALICE_TOKEN, "alice: your code is 424242");
        String bobs = deadLetterOf(BOB, BOB_TOKEN, "bob: hello");
        wati.answer(Answer.json(200, "{\"result\":true}"));

        assertThat(deadLetters(BOB)).contains(bobs).doesNotContain(alices);
        assertThat(call(BOB, "GET", "/api/v1/dead-letters?size=500").body()).doesNotContain("424242");
        assertThat(deadLetters(ALICE)).contains(alices).doesNotContain(bobs);
        assertNotFound(call(BOB, "GET", "/api/v1/dead-letters/" + alices), alices, call(BOB, "GET", "/api/v1/dead-letters/" + UNKNOWN_ID));
        assertNotFound(call(BOB, "POST", "/api/v1/dead-letters/" + alices + "/replay"), alices,
                call(BOB, "POST", "/api/v1/dead-letters/" + UNKNOWN_ID + "/replay"));
        assertNotFound(call(BOB, "DELETE", "/api/v1/dead-letters/" + alices), alices, call(BOB, "DELETE", "/api/v1/dead-letters/" + UNKNOWN_ID));
        assertThat(wati.requests()).isEmpty();

        Response stillThere = call(ALICE, "GET", "/api/v1/dead-letters/" + alices);
        assertThat(stillThere.status()).isEqualTo(200);
        assertThat(stillThere.json().get("status").asText()).isEqualTo("open");
        assertThat(stillThere.json().get("caller").asText()).isEqualTo("alice");
        assertThat(deadLetters(OPS)).contains(alices, bobs);
        assertThat(call(OPS, "GET", "/api/v1/dead-letters/" + bobs).json().get("caller").asText()).isEqualTo("bob");
        assertThat(call(ALICE, "DELETE", "/api/v1/dead-letters/" + alices).status()).isEqualTo(200);
        assertThat(call(OPS, "DELETE", "/api/v1/dead-letters/" + bobs).status()).isEqualTo(200);
        assertThat(deadLetters(OPS)).doesNotContain(alices, bobs);
    }

    @Test
    void anAdminsReplayRunsAsTheOriginalCallerWithItsCredentialsAndIsLoggedWithBothNames() throws Exception {
        String alices = deadLetterOf(ALICE, ALICE_TOKEN, "alice: replayed by ops");
        wati.answer(Answer.json(200, "{\"result\":true}"));

        Response replay;
        String logged;
        try (CapturedLog log = new CapturedLog()) {
            replay = call(OPS, "POST", "/api/v1/dead-letters/" + alices + "/replay");
            logged = log.toString();
        }

        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().get("dead_letter").get("status").asText()).isEqualTo("resolved");
        assertThat(replay.json().get("dead_letter").get("caller").asText()).isEqualTo("alice");
        assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer " + ALICE_TOKEN);
        assertThat(logged).contains("Dead letter " + alices + " replayed by ops as its caller alice")
                .contains("(caller alice)").doesNotContain("(caller ops)");
        assertThat(deadLetters(ALICE)).contains(alices);
    }

    @Test
    void anotherCallersAsyncActionIsNotFoundAndItsDeadLetterStaysItsCallers() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true}"));
        Response accepted = post(ALICE, message(ALICE_TOKEN, "alice async"), true);
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("action_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "done".equals(call(ALICE, "GET", "/api/v1/actions/" + id).json().get("state").asText()));

        assertNotFound(call(BOB, "GET", "/api/v1/actions/" + id), id, call(BOB, "GET", "/api/v1/actions/" + UNKNOWN_ID));
        Response asAdmin = call(OPS, "GET", "/api/v1/actions/" + id);
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.json().get("caller").asText()).isEqualTo("alice");

        // sent by an outbox worker, not over HTTP: its failure is still alice's
        wati.answer(Answer.json(503, "{}"));
        String failing = post(ALICE, message(ALICE_TOKEN, "alice async fails"), true).json().get("action_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "done".equals(call(ALICE, "GET", "/api/v1/actions/" + failing).json().get("state").asText()));
        String letters = call(ALICE, "GET", "/api/v1/dead-letters?size=500").body();
        assertThat(letters).contains("alice async fails");
        assertThat(call(BOB, "GET", "/api/v1/dead-letters?size=500").body()).doesNotContain("alice async fails");
    }

    Map<String, Object> getMedia(String token, String owner, String fileName) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "get_media");
        task.put("api_endpoint", wati.url() + "/123456");
        task.put("access_token", token);
        task.put("file_url", wati.url() + "/api/file/showFile?fileName=data/images/" + fileName);
        task.put("owner_id", owner);
        return task;
    }

    List<String> files(String key, String owner) throws Exception {
        Response list = call(key, "GET", "/api/v1/files?owner_id=" + owner);
        assertThat(list.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().get("files").forEach(f -> ids.add(f.get("id").asText()));
        return ids;
    }

    @Test
    void anotherCallersFilesCannotBeListedOrShownEvenForTheSameOwner() throws Exception {
        wati.answer(Answer.bytes(200, "image/png", new byte[] {1, 2, 3}));
        // one Azurite serves every test class: an owner of this run only, used by both callers
        String owner = "shared-" + Long.toString(System.nanoTime(), 36);
        Response alicesMedia = post(ALICE, getMedia(ALICE_TOKEN, owner, "a.png"), false);
        assertThat(alicesMedia.status()).as(alicesMedia.body()).isEqualTo(200);
        String alices = alicesMedia.response().get("id").asText();
        String bobs = post(BOB, getMedia(BOB_TOKEN, owner, "b.png"), false).response().get("id").asText();

        assertThat(files(BOB, owner)).containsExactly(bobs);
        assertThat(files(ALICE, owner)).containsExactly(alices);
        assertThat(files(OPS, owner)).containsExactlyInAnyOrder(alices, bobs);
        assertNotFound(call(BOB, "GET", "/api/v1/files/" + alices), alices, call(BOB, "GET", "/api/v1/files/" + UNKNOWN_ID));
        assertThat(call(ALICE, "GET", "/api/v1/files/" + alices).status()).isEqualTo(200);
        Response asAdmin = call(OPS, "GET", "/api/v1/files/" + alices);
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.json().get("caller").asText()).isEqualTo("alice");
    }
}
