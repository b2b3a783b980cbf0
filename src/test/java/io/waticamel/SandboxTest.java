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

    @BeforeAll
    static void start() throws Exception {
        // as shipped: a request's own URLs may not reach local addresses
        runtime = new RunningRuntime(Map.of("wati.sandbox.enabled", "true", "wati.request-urls.allow-private-hosts", "false",
                "wati.templates.validate", "true"));
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
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return runtime.send(request.build());
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
        // the sample files are the one local origin a request may name: they serve files, no WATI operation
        String samples = call(runtime, "GET", "/api/v1/sandbox", null).json().get("sample_files").asText();
        RunningRuntime.Response viaSamples = runtime.postAction(Map.of("wati_action", "send_session_message", "api_endpoint", samples,
                "access_token", "guess", "whatsappNumber", "27821234567", "messageText", "hi"));
        assertThat(viaSamples.run()).isFalse();
        assertThat(viaSamples.status()).isEqualTo(502);
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
