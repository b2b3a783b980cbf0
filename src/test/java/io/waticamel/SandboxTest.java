package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in sandbox in the running runtime: only the account "sandbox" reaches it, its API
 * refuses wrong requests with the reason, it takes bulk template sends; off, it is not there and
 * "sandbox" is an ordinary account name. (The README's walkthrough is SandboxTryItTest.)
 */
class SandboxTest {

    static RunningRuntime runtime;

    /** A second API key, not one of wati.api-admins (the test key, "default", is). */
    static final String ALICE = "alice-api-key-0123456789";

    @BeforeAll
    static void start() throws Exception {
        // as shipped: a request's own URLs may not reach local addresses
        runtime = new RunningRuntime(Map.of("wati.sandbox.enabled", "true", "wati.request-urls.allow-private-hosts", "false",
                "wati.templates.validate", "true", "wati.api-keys.alice", ALICE, "wati.api-admins", "default"));
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    @BeforeEach
    void clear() throws Exception {
        call(runtime, "DELETE", "/api/v1/sandbox/requests", null);
        call(runtime, "DELETE", "/api/v1/sandbox/refusals", null);
    }

    static RunningRuntime.Response call(RunningRuntime runtime, String method, String path, String json) throws Exception {
        return call(runtime, RunningRuntime.API_KEY, method, path, json == null ? null : "application/json", json);
    }

    static RunningRuntime.Response call(RunningRuntime runtime, String key, String method, String path, String contentType, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return runtime.send(request.build());
    }

    /** Every call of the sandbox API, with a body where it takes one. */
    static final String[][] CALLS = {{"GET", "/api/v1/sandbox", null}, {"GET", "/api/v1/sandbox/requests", null},
        {"DELETE", "/api/v1/sandbox/requests", null}, {"GET", "/api/v1/sandbox/refusals", null},
        {"POST", "/api/v1/sandbox/refusals", "{\"call\": \"*\", \"refusal\": \"unavailable\"}"}, {"DELETE", "/api/v1/sandbox/refusals", null},
        {"POST", "/api/v1/sandbox/inbound", "{\"type\": \"message\", \"whatsappNumber\": \"27821234567\"}"}};

    @Test
    void withSeveralKeysOnlyTheAdminsKeysMayUseTheSandbox() throws Exception {
        call(runtime, "POST", "/api/v1/actions", "{\"wati_action\": \"send_session_message\", \"account\": \"sandbox\", "
                + "\"whatsappNumber\": \"27821234567\", \"messageText\": \"Hi Ann\"}");
        for (String[] c : CALLS) {
            RunningRuntime.Response refused = call(runtime, ALICE, c[0], c[1], c[2] == null ? null : "application/json", c[2]);
            assertThat(refused.status()).as("%s %s", c[0], c[1]).isEqualTo(403);
            assertThat(refused.json().get("error").asText()).isEqualTo("The sandbox is for the keys of wati.api-admins (or the only key)");
            assertThat(refused.json().get("request_id").asText()).isNotBlank();
            assertThat(refused.body()).doesNotContain("27821234567").doesNotContain("Hi Ann");
        }
        // nothing of alice's calls took effect: no refusal armed, no customer played, the records kept
        assertThat(call(runtime, "GET", "/api/v1/sandbox/refusals", null).json().get("refusals")).isEmpty();
        assertThat(recorded()).extracting(r -> r.get("operation").asText()).containsExactly("sendSessionMessage");
        // alice still uses the account sandbox for her own sends
        RunningRuntime.Response sent = call(runtime, ALICE, "POST", "/api/v1/actions", "application/json", "{\"wati_action\": "
                + "\"send_session_message\", \"account\": \"sandbox\", \"whatsappNumber\": \"27821234567\", \"messageText\": \"Hi\"}");
        assertThat(sent.status()).isEqualTo(200);
    }

    @Test
    void aQueryParameterNoCallTakesIsRefusedNotIgnored() throws Exception {
        call(runtime, "POST", "/api/v1/actions", "{\"wati_action\": \"send_session_message\", \"account\": \"sandbox\", "
                + "\"whatsappNumber\": \"27821234567\", \"messageText\": \"Hi\"}");
        RunningRuntime.Response bogus = call(runtime, "GET", "/api/v1/sandbox/requests?operation=bogus", null);
        assertThat(bogus.status()).isEqualTo(400);
        assertThat(bogus.json().get("error").asText()).startsWith("operation is one of sendSessionMessage, sendSessionFile").endsWith(", not 'bogus'");
        RunningRuntime.Response misspelt = call(runtime, "GET", "/api/v1/sandbox/requests?operatoin=sendSessionMessage", null);
        assertThat(misspelt.status()).isEqualTo(400);
        assertThat(misspelt.json().get("error").asText()).isEqualTo("Unknown query parameter 'operatoin': this endpoint takes operation");
        assertThat(call(runtime, "GET", "/api/v1/sandbox/requests?operation=sendSessionMessage", null).json().get("requests")).hasSize(1);
        assertThat(call(runtime, "GET", "/api/v1/sandbox/requests?operation=getMedia", null).json().get("requests")).isEmpty();
        for (String[] c : CALLS) {
            RunningRuntime.Response refused = call(runtime, RunningRuntime.API_KEY, c[0], c[1] + "?operation=sendSessionMessage&page=2",
                    c[2] == null ? null : "application/json", c[2]);
            assertThat(refused.status()).as("%s %s", c[0], c[1]).isEqualTo(400);
            assertThat(refused.json().get("error").asText()).startsWith("Unknown query parameter");
        }
        // the DELETE that would have cleared every request did nothing
        assertThat(recorded()).hasSize(1);
        assertThat(call(runtime, "GET", "/api/v1/sandbox/refusals", null).json().get("refusals")).isEmpty();
    }

    @Test
    void aFormBodyIs415SayingToSendJson() throws Exception {
        // curl -d '{...}' without -H 'Content-Type: application/json'
        for (String path : new String[] {"/api/v1/sandbox/refusals", "/api/v1/sandbox/inbound"}) {
            RunningRuntime.Response form = call(runtime, RunningRuntime.API_KEY, "POST", path, "application/x-www-form-urlencoded",
                    "{\"call\": \"*\", \"refusal\": \"unavailable\"}");
            assertThat(form.status()).as(path).isEqualTo(415);
            assertThat(form.json().get("error").asText()).isEqualTo("Send the fields as a JSON object with Content-Type: application/json");
        }
        assertThat(call(runtime, "GET", "/api/v1/sandbox/refusals", null).json().get("refusals")).isEmpty();
    }

    @Test
    void itsErrorsAreTheOneErrorShapeTheDocumentNames() throws Exception {
        JsonNode document = call(runtime, "GET", "/api/v1/openapi.json", null).json();
        int errors = 0;
        for (var path : (Iterable<Map.Entry<String, JsonNode>>) () -> document.path("paths").properties().iterator()) {
            if (!path.getKey().startsWith("/v1/sandbox")) {
                continue;
            }
            for (var operation : (Iterable<Map.Entry<String, JsonNode>>) () -> path.getValue().properties().iterator()) {
                for (var answer : (Iterable<Map.Entry<String, JsonNode>>) () -> operation.getValue().path("responses").properties().iterator()) {
                    if (answer.getKey().matches("[45]\\d\\d") && !answer.getKey().equals("401")) {
                        errors++;
                        assertThat(answer.getValue().at("/content/application~1json/schema/$ref").asText())
                                .as("%s %s %s", operation.getKey(), path.getKey(), answer.getKey()).isEqualTo("#/components/schemas/Error");
                    }
                }
            }
        }
        assertThat(errors).isGreaterThanOrEqualTo(7 * 3);
        for (RunningRuntime.Response error : new RunningRuntime.Response[] {call(runtime, "GET", "/api/v1/sandbox?x=1", null),
            call(runtime, ALICE, "GET", "/api/v1/sandbox", null, null),
            call(runtime, RunningRuntime.API_KEY, "POST", "/api/v1/sandbox/inbound", "application/x-www-form-urlencoded", "a=b")}) {
            assertThat(error.json().properties()).extracting(Map.Entry::getKey).containsExactly("error", "status", "request_id");
        }
    }

    JsonNode recorded() throws Exception {
        return call(runtime, "GET", "/api/v1/sandbox/requests", null).json().get("requests");
    }

    @Test
    void aRequestsOwnEndpointCannotReachTheSandboxWhateverItsToken() throws Exception {
        String endpoint = call(runtime, "GET", "/api/v1/sandbox", null).json().get("endpoint").asText();
        RunningRuntime.Response answer = runtime.postAction(Map.of("wati_action", "send_session_message", "api_endpoint", endpoint,
                "access_token", "Bearer eyJhbGciOiJIUzI1NiJ9.guess", "whatsappNumber", "27821234567", "messageText", "hi"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.runText()).contains("private or local address");
        assertThat(recorded()).isEmpty();
        // and without the token the sandbox answers nothing but 401, recording nothing
        var direct = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint
                + "/api/v1/sendSessionMessage/27821234567?messageText=hi")).header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.guess")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(401);
        assertThat(recorded()).isEmpty();
        // the sample files are the one local origin a request may name, and only as a file_url: never as an endpoint
        String samples = call(runtime, "GET", "/api/v1/sandbox", null).json().get("sample_files").asText();
        RunningRuntime.Response viaSamples = runtime.postAction(Map.of("wati_action", "send_session_message", "api_endpoint", samples,
                "access_token", "guess", "whatsappNumber", "27821234567", "messageText", "hi"));
        assertThat(viaSamples.run()).isFalse();
        assertThat(viaSamples.status()).isEqualTo(400);
        assertThat(viaSamples.runText()).contains("private or local address");
        assertThat(recorded()).isEmpty();
    }

    @Test
    void theSandboxApiRefusesWrongRequestsWithTheReason() throws Exception {
        RunningRuntime.Response unknownCall = call(runtime, "POST", "/api/v1/sandbox/refusals", "{\"call\": \"sendMessage\", \"refusal\": \"rate_limited\"}");
        assertThat(unknownCall.status()).isEqualTo(400);
        assertThat(unknownCall.json().get("error").asText()).startsWith("call must be one of sendSessionMessage");
        RunningRuntime.Response unknownField = call(runtime, "POST", "/api/v1/sandbox/refusals",
                "{\"call\": \"*\", \"refusal\": \"unavailable\", \"count\": 2}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("error").asText()).isEqualTo("Unknown field 'count': a refusal takes call, refusal, times");
        assertThat(call(runtime, "POST", "/api/v1/sandbox/refusals", "{\"call\": \"*\", \"refusal\": \"unavailable\", \"times\": \"2\"}").status())
                .isEqualTo(400);
        assertThat(call(runtime, "POST", "/api/v1/sandbox/refusals", "not json").status()).isEqualTo(400);
        RunningRuntime.Response unknownType = call(runtime, "POST", "/api/v1/sandbox/inbound", "{\"type\": \"status\", \"whatsappNumber\": \"27821234567\"}");
        assertThat(unknownType.status()).isEqualTo(400);
        assertThat(unknownType.json().get("error").asText()).isEqualTo("type must be one of message, media, stop");
        RunningRuntime.Response badNumber = call(runtime, "POST", "/api/v1/sandbox/inbound", "{\"type\": \"message\", \"whatsappNumber\": \"12\"}");
        assertThat(badNumber.status()).isEqualTo(400);
        assertThat(call(runtime, "GET", "/api/v1/sandbox/refusals", null).json().get("refusals")).isEmpty();
        // behind the API key as every /api path
        assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/sandbox"))).build()).status()).isEqualTo(401);
    }

    @Test
    void aBulkCampaignGoesThroughTheSandboxAndARefusedReceiverFails() throws Exception {
        call(runtime, "POST", "/api/v1/sandbox/refusals", "{\"call\": \"sendTemplateMessages\", \"refusal\": \"rate_limited\"}");
        RunningRuntime.Response campaign = call(runtime, "POST", "/api/v1/campaigns", """
                {"account": "sandbox", "template_name": "spring_sale", "mode": "bulk",
                 "recipients": [{"whatsappNumber": "27821230001", "parameters": {"name": "Ann", "code": "A-17"}},
                                {"whatsappNumber": "27821230002", "parameters": {"name": "Bob", "code": "B-02"}}]}""");
        assertThat(campaign.status()).as(campaign.body()).isEqualTo(202);
        String status = campaign.json().get("status_url").asText();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "finished".equals(call(runtime, "GET", status, null).json().get("status").asText()));
        assertThat(call(runtime, "GET", status, null).json().get("sent").asInt()).isEqualTo(2);
        JsonNode bulk = recorded();
        assertThat(bulk).filteredOn(r -> r.get("operation").asText().equals("sendTemplateMessages")).extracting(r -> r.get("status").asInt())
                .containsExactly(429, 200);
        assertThat(bulk.get(bulk.size() - 1).at("/body/receivers")).extracting(r -> r.get("whatsappNumber").asText())
                .containsExactly("27821230001", "27821230002");
    }

    @Test
    void offTheSandboxIsNotThereAndSandboxIsAnOrdinaryAccountName() throws Exception {
        try (WatiDouble wati = new WatiDouble(); RunningRuntime off = new RunningRuntime(Map.of("wati.accounts.sandbox.endpoint", wati.url(),
                "wati.accounts.sandbox.token", "a-real-token-of-an-account-named-sandbox"))) {
            for (String[] call : new String[][] {{"GET", "/api/v1/sandbox"}, {"GET", "/api/v1/sandbox/requests"}, {"POST", "/api/v1/sandbox/inbound"},
                {"POST", "/api/v1/sandbox/refusals"}, {"DELETE", "/api/v1/sandbox/refusals"}}) {
                RunningRuntime.Response answer = call(off, call[0], call[1], call[0].equals("POST") ? "{\"type\": \"message\"}" : null);
                assertThat(answer.status()).as(call[1]).isEqualTo(404);
                assertThat(answer.json().get("error").asText()).contains("wati.sandbox.enabled=true").contains("WATI_SANDBOX_ENABLED=true");
            }
            RunningRuntime.Response sent = off.postAction(Map.of("wati_action", "send_session_message", "account", "sandbox",
                    "whatsappNumber", "27821234567", "messageText", "hi"));
            assertThat(sent.run()).isTrue();
            assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer a-real-token-of-an-account-named-sandbox");
        }
    }

    @Test
    void onTheSandboxOwnsItsAccountAndAConfiguredOneStopsTheStart() {
        assertThatThrownBy(() -> new RunningRuntime(Map.of("wati.sandbox.enabled", "true", "wati.accounts.sandbox.token", "configured-token")))
                .satisfies(e -> assertThat(messages(e)).contains("wati.accounts.sandbox.token is configured")
                        .contains("WATI_ACCOUNTS_SANDBOX_*").doesNotContain("configured-token"));
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
