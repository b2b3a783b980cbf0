package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.waticamel.testing.CapturedLog;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.RunningRuntime.Response;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator and a caller see around the actions: the request id on every answer and log
 * line, one error shape for every answer that is not a task result (the runtime's own and the HTTP
 * server's), strict query parameters, and the one start-up line that says where everything is.
 */
class ConsoleAndAnswersTest {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String TOKEN = "Bearer console-test-token-0123456789";

    static WatiDouble wati;
    static CapturedLog log;
    static RunningRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        wati = new WatiDouble().answer(Answer.json(200, "{\"result\": true}"));
        log = new CapturedLog();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.accounts.main.endpoint", wati.url());
        properties.put("wati.accounts.main.token", TOKEN);
        properties.put("wati.db.password", "db-secret-never-shown");
        // a route file with a bug: its REST path throws what nothing catches
        java.nio.file.Path routes = java.nio.file.Files.createTempDirectory("console-routes");
        java.nio.file.Files.writeString(routes.resolve("broken.camel.yaml"), """
                - rest:
                    id: broken-api
                    path: /v1/broken
                    get:
                      - id: broken-rest
                        to: direct:broken
                - route:
                    id: broken
                    from:
                      uri: direct:broken
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "internal detail that is no caller's business"
                """);
        properties.put("wati.routes.dir", routes.toString());
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
        log.close();
        wati.close();
    }

    private static Response get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return runtime.send(request.GET().build());
    }

    private static void assertErrorShape(Response answer, int status, String reasonPart) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.raw().headers().firstValue("Content-Type")).as(answer.body()).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(answer.json()).as(answer.body()).isNotNull();
        assertThat(answer.json().size()).as(answer.body()).isGreaterThanOrEqualTo(3);
        assertThat(answer.json().get("error").asText()).contains(reasonPart);
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.json().get("request_id").asText()).isEqualTo(answer.raw().headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void theCallersRequestIdIsEchoedAndCarriedByEveryLogLineOfTheRequest() throws Exception {
        Response sent = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json").header("X-Request-Id", "crm-run-4711")
                .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\": \"send_session_message\", \"account\": \"main\", "
                        + "\"whatsappNumber\": \"27821234567\", \"messageText\": \"hello\"}"))
                .build());

        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.run()).isTrue();
        assertThat(sent.raw().headers().firstValue("X-Request-Id")).hasValue("crm-run-4711");
        // the action's outcome line, written deep in the route on a virtual thread, names the request
        assertThat(log.toString().lines().filter(l -> l.contains("send_session_message to")))
                .isNotEmpty().allSatisfy(line -> assertThat(line).contains("[crm-run-4711]"));
    }

    @Test
    void aMissingOrInsaneRequestIdIsReplacedByANewOne() throws Exception {
        Response none = get("/api/v1/dead-letters");
        Response insane = get("/api/v1/dead-letters", "X-Request-Id", "x".repeat(65));
        Response other = get("/api/v1/dead-letters");
        Response number = get("/api/v1/dead-letters", "X-Request-Id", "27821234567");
        Response key = get("/api/v1/dead-letters", "X-Request-Id", RunningRuntime.API_KEY);

        assertThat(none.raw().headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
        assertThat(insane.raw().headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
        assertThat(other.raw().headers().firstValue("X-Request-Id")).isNotEqualTo(none.raw().headers().firstValue("X-Request-Id"));
        // log lines show the id as it is: a phone number or an API key sent as one is not taken
        assertThat(number.raw().headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
        assertThat(key.raw().headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
        // the health check too (a load balancer's probe)
        assertThat(get("/observe/health").raw().headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void everyAnswerThatIsNotATaskResultHasTheOneErrorShape() throws Exception {
        // the runtime's own
        assertErrorShape(get("/api/v1/dead-letters/no-such-id"), 404, "No dead letter");
        assertErrorShape(get("/api/v1/files"), 400, "owner_id is required");
        // the HTTP server's: unknown path, wrong method, too large a body, no API key
        assertErrorShape(get("/api/v1/no-such-thing"), 404, "No such path");
        assertErrorShape(get("/nothing-here"), 404, "No such path");
        assertErrorShape(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).DELETE().build()), 405, "does not take this method");
        assertErrorShape(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\": \"" + "a".repeat(1_100_000) + "\"}")).build()), 413, "larger than");
        assertErrorShape(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/files?owner_id=1"))).GET().build()), 401,
                "API key");
    }

    @Test
    void aFailureNothingCaughtIsA500InTheErrorShapeNotAStackTrace() throws Exception {
        Response failed = get("/api/v1/broken", "X-Request-Id", "bug-report-1");

        assertErrorShape(failed, 500, "its log lines carry this request_id");
        assertThat(failed.body()).doesNotContain("IllegalStateException", "internal detail", "at org.apache");
        assertThat(log.toString()).contains("[bug-report-1] - GET /api/v1/broken failed: answered 500")
                .contains("internal detail that is no caller's business");
    }

    @Test
    void anActionKeepsItsTaskVariablesEvenWhenTheKeyIsMissing() throws Exception {
        Response refused = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.run()).isFalse();
        assertThat(refused.runText()).contains("API key");
    }

    @Test
    void aQueryValueOrNameTheEndpointDoesNotTakeIsA400NotAnEmptyList() throws Exception {
        assertErrorShape(get("/api/v1/dead-letters?status=bogus"), 400, "status is one of open, replaying, resolved, not 'bogus'");
        assertErrorShape(get("/api/v1/dead-letters?stauts=open"), 400, "Unknown query parameter 'stauts'");
        assertErrorShape(get("/api/v1/dead-letters?size=0"), 400, "size must be a number from 1 to 500");
        assertErrorShape(get("/api/v1/events?state=done"), 400, "state is one of received, processed, failed");
        assertErrorShape(get("/api/v1/messages?page=-1"), 400, "page must be a number from 0");
        assertErrorShape(get("/api/v1/files?owner_id=1&sort=name"), 400, "Unknown query parameter 'sort'");
        assertErrorShape(get("/api/v1/campaigns?size=abc"), 400, "size must be a number");
        assertErrorShape(get("/api/v1/templates?account=main&x=1"), 400, "Unknown query parameter 'x'");
        assertErrorShape(get("/api/v1/opt-outs/27821234567?acount=main"), 400, "Unknown query parameter 'acount'");

        // a CSV campaign's settings are its query: a misspelt one is refused, not dropped (the campaign would go out now)
        assertErrorShape(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns?account=main&template_name=t&send_ta=x")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("whatsappNumber\n27821234567\n")).build()), 400, "Unknown query parameter 'send_ta'");
        // only the query is the query: an HTTP header of the same name is not a filter
        Response header = get("/api/v1/dead-letters", "status", "bogus");
        assertThat(header.status()).as(header.body()).isEqualTo(200);

        // the values the endpoints do take still work, in any case
        assertThat(get("/api/v1/dead-letters?status=OPEN&page=0&size=10").status()).isEqualTo(200);
        assertThat(get("/api/v1/events?state=failed").status()).isEqualTo(200);
    }

    @Test
    void theLastStartUpLineSaysWhereEverythingIsAndNoSecret() {
        String line = log.toString().lines().filter(l -> l.contains(" ready on http://")).reduce((a, b) -> b).orElseThrow();

        assertThat(line).contains("http://localhost:" + URI.create(runtime.url("/")).getPort())
                .contains("API key: 1 configured (wati.api-key)")
                .contains("database: H2 file " + runtime.dataDir().resolve("wati-camel"))
                .contains("blob storage: Azurite dev service on 127.0.0.1:")
                .contains("accounts: main (token set, webhook secret not set)")
                .contains("wati.secret-key generated (", "wati.db.password set", "wati.azure.connection-string not set");
        assertThat(line).doesNotContain(RunningRuntime.API_KEY, "console-test-token", "db-secret-never-shown", "WRITE_DELAY");
    }
}
