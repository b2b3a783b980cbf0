package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /api/v1/openapi.json against the running runtime: a valid OpenAPI 3 document that lists
 * exactly the paths and methods the runtime serves (read from its routes, so an endpoint added
 * later without documentation fails here, naming it), the API key, and for each operation its
 * answers; then real answers of every kind are checked against the statuses and schemas the
 * document gives for them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {

    static final String DOCUMENT = "/api/v1/openapi.json";
    static final String SECRET = "openapi-webhook-secret-0123";
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");
    final ObjectMapper mapper = new ObjectMapper();
    WatiDouble wati;
    RunningRuntime runtime;
    JsonNode document;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.accounts.shop.endpoint", wati.url() + "/shop", "wati.accounts.shop.token",
                "shop-token-123456", "wati.accounts.shop.webhook-secret", SECRET));
        RunningRuntime.Response answer = get(DOCUMENT);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        document = answer.json();
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @Test
    void isAValidOpenApi3DocumentOfThisRuntime() throws Exception {
        assertThat(document.path("openapi").asText()).startsWith("3.");
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.toString());
        assertThat(parsed.getMessages()).as("what an OpenAPI parser finds wrong").isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).isNotEmpty();

        assertThat(document.at("/info/title").asText()).isEqualTo("wati-camel API");
        assertThat(document.at("/info/description").asText()).contains("X-API-Key", "/webhooks/wati/");
        assertThat(document.at("/info/version").asText()).isEqualTo(builtVersion()).isNotBlank();
        // relative to where the document was fetched: no host guessed from the server's bind address
        assertThat(document.at("/servers/0/url").asText()).isEqualTo("/api");
        assertThat(document.toString()).doesNotContain("x-className", "x-camelContextId");
    }

    @Test
    void declaresTheApiKeyForEveryPathUnderApi() {
        JsonNode scheme = document.at("/components/securitySchemes/ApiKey");
        assertThat(scheme.path("type").asText()).isEqualTo("apiKey");
        assertThat(scheme.path("in").asText()).isEqualTo("header");
        assertThat(scheme.path("name").asText()).isEqualTo(ApiKeyAuthentication.HEADER);
        assertThat(document.path("security")).hasSize(1);
        assertThat(document.path("security").get(0).has("ApiKey")).isTrue();
        forEachOperation((path, method, operation) -> {
            boolean underApi = !operation.has("security");
            assertThat(underApi).as("%s %s keeps the API key", method, path).isEqualTo(!path.startsWith("/webhooks/"));
            if (underApi) {
                assertThat(operation.at("/responses/401/$ref").asText()).as("%s %s: the server's 401", method, path)
                        .isEqualTo(path.equals("/v1/actions") && method.equals("post") ? "#/components/responses/UnauthorizedAction"
                                : "#/components/responses/Unauthorized");
            }
        });
        // the webhook's credential is the secret in its path
        assertThat(document.at("/paths/~1webhooks~1wati~1{account}~1{secret}/post/security")).isEmpty();
    }

    @Test
    void listsExactlyThePathsAndMethodsTheRuntimeServes() {
        Set<String> served = served();
        Set<String> documented = documented();
        List<String> undocumented = served.stream().filter(s -> !documented.contains(s)).toList();
        List<String> notServed = documented.stream().filter(d -> !served.contains(d)).toList();
        assertThat(undocumented).as("served but not in %s: give the rest verb a description, its params and a responseMessage for"
                + " each answer (see OpenApiTest), or document a platform-http route in wati/openapi/document.yaml", DOCUMENT).isEmpty();
        assertThat(notServed).as("in %s but not served", DOCUMENT).isEmpty();
        // the runtime's own (route files may add more)
        assertThat(served).contains("POST /api/v1/actions", "GET /api/v1/actions/{id}", "POST /api/v1/campaigns", "GET /api/v1/campaigns",
                "DELETE /api/v1/dead-letters/{id}", "PUT /api/v1/opt-outs/{number}", "DELETE /api/v1/opt-outs/{number}",
                "GET /api/v1/openapi.json", "POST /webhooks/wati/{account}/{secret}");
    }

    @Test
    void everyOperationSaysWhatItDoesAndWhatItAnswers() {
        forEachOperation((path, method, operation) -> {
            String name = method.toUpperCase() + " " + path;
            assertThat(operation.path("summary").asText()).as("%s: description", name).isNotBlank();
            List<String> codes = new ArrayList<>();
            operation.path("responses").fieldNames().forEachRemaining(codes::add);
            assertThat(codes).as("%s: a 2xx", name).anyMatch(c -> c.startsWith("2"));
            assertThat(codes).as("%s: a 4xx", name).anyMatch(c -> c.startsWith("4"));
            assertThat(codes).as("%s: only numbered answers", name).allMatch(c -> c.matches("[1-5][0-9][0-9]"));
            operation.path("responses").forEach(r -> assertThat(resolve(r).path("description").asText()).as("%s: each answer described", name)
                    .isNotBlank());
            Matcher m = PATH_PARAMETER.matcher(path);
            while (m.find()) {
                String parameter = m.group(1);
                assertThat(operation.path("parameters")).as("%s: path parameter %s", name, parameter)
                        .anyMatch(p -> p.path("in").asText().equals("path") && p.path("name").asText().equals(parameter)
                                && !p.path("description").asText().isBlank());
            }
            operation.path("parameters").forEach(p -> assertThat(p.path("description").asText()).as("%s: parameter %s", name,
                    p.path("name").asText()).isNotBlank());
        });
        // the POSTs that take a body say what it is
        assertThat(document.at("/paths/~1v1~1actions/post/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/ActionRequest");
        assertThat(document.at("/paths/~1v1~1campaigns/post/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/CampaignRequest");
        assertThat(document.at("/paths/~1v1~1campaigns/post/requestBody/content/text~1csv/schema/type").asText()).isEqualTo("string");
        assertThat(document.at("/paths/~1webhooks~1wati~1{account}~1{secret}/post/requestBody/required").asBoolean()).isTrue();
        assertThat(document.at("/paths/~1v1~1campaigns~1{id}~1pause/post").has("requestBody")).isFalse();
        // errors in one place
        assertThat(document.at("/components/schemas/Error/properties/error/type").asText()).isEqualTo("string");
        assertThat(document.at("/components/schemas/Error/properties/status/type").asText()).isEqualTo("integer");
        assertThat(document.at("/components/schemas/Error/properties/request_id/type").asText()).isEqualTo("string");
    }

    @Test
    void answersAreTheDocumentedStatusesAndSchemas() throws Exception {
        String action = "/v1/actions";
        check("post", action, postJson("/api/v1/actions", "{\"wati_action\":\"send_session_message\",\"account\":\"shop\","
                + "\"whatsappNumber\":\"27821234567\",\"messageText\":\"Hi\"}"), 200);
        check("post", action, postJson("/api/v1/actions", "{\"wati_action\":\"send_session_message\"}"), 400);
        check("post", action, runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-API-Key", RunningRuntime.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("a=b")).build()), 415);
        check("post", action, runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 401);
        String later = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        RunningRuntime.Response accepted = postJson("/api/v1/actions", "{\"wati_action\":\"send_session_message\",\"account\":\"shop\","
                + "\"whatsappNumber\":\"27821234567\",\"messageText\":\"Later\",\"send_at\":\"" + later + "\"}");
        check("post", action, accepted, 202);
        check("get", "/v1/actions/{id}", get(accepted.json().path("status_url").asText()), 200);
        check("get", "/v1/actions/{id}", get("/api/v1/actions/no-such-action"), 404);

        RunningRuntime.Response campaign = postJson("/api/v1/campaigns", "{\"account\":\"shop\",\"template_name\":\"spring_sale\","
                + "\"send_at\":\"" + later + "\",\"recipients\":[{\"whatsappNumber\":\"27821234567\",\"parameters\":{\"name\":\"Ann\"}},"
                + "{\"whatsappNumber\":\"12\"}]}");
        check("post", "/v1/campaigns", campaign, 202);
        String id = campaign.json().path("id").asText();
        check("post", "/v1/campaigns", postJson("/api/v1/campaigns", "{\"template_name\":\"x\"}"), 400);
        check("get", "/v1/campaigns", get("/api/v1/campaigns"), 200);
        check("get", "/v1/campaigns", get("/api/v1/campaigns?size=0"), 400);
        check("get", "/v1/campaigns/{id}", get("/api/v1/campaigns/" + id), 200);
        check("get", "/v1/campaigns/{id}/recipients", get("/api/v1/campaigns/" + id + "/recipients"), 200);
        check("post", "/v1/campaigns/{id}/pause", postJson("/api/v1/campaigns/" + id + "/pause", ""), 200);
        check("post", "/v1/campaigns/{id}/pause", postJson("/api/v1/campaigns/" + id + "/pause", ""), 409);
        check("post", "/v1/campaigns/{id}/cancel", postJson("/api/v1/campaigns/" + id + "/cancel", ""), 200);
        check("get", "/v1/campaigns/{id}", get("/api/v1/campaigns/no-such-campaign"), 404);

        check("get", "/v1/messages", get("/api/v1/messages?number=27821234567"), 200);
        check("get", "/v1/messages", get("/api/v1/messages?since=yesterday"), 400);

        // WATI failing through every retry: a dead letter, replayed once WATI is back
        for (int i = 0; i < 3; i++) {
            wati.next(WatiDouble.Answer.json(500, "{\"message\":\"down\"}"));
        }
        check("post", action, postJson("/api/v1/actions", "{\"wati_action\":\"send_session_message\",\"account\":\"shop\","
                + "\"whatsappNumber\":\"27821234568\",\"messageText\":\"Hi\"}"), 502);
        RunningRuntime.Response letters = get("/api/v1/dead-letters?status=open");
        check("get", "/v1/dead-letters", letters, 200);
        String letter = letters.json().at("/dead_letters/0/id").asText();
        check("get", "/v1/dead-letters/{id}", get("/api/v1/dead-letters/" + letter), 200);
        check("post", "/v1/dead-letters/{id}/replay", postJson("/api/v1/dead-letters/" + letter + "/replay", ""), 200);
        check("post", "/v1/dead-letters/{id}/replay", postJson("/api/v1/dead-letters/" + letter + "/replay", ""), 409);
        check("delete", "/v1/dead-letters/{id}", send("DELETE", "/api/v1/dead-letters/" + letter), 200);
        check("get", "/v1/dead-letters/{id}", get("/api/v1/dead-letters/" + letter), 404);
        check("get", "/v1/files", get("/api/v1/files?owner_id=42"), 200);
        check("get", "/v1/files", get("/api/v1/files"), 400);
        check("get", "/v1/files", runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/files?owner_id=42"))).GET().build()), 401);
        check("get", "/v1/opt-outs/{number}", get("/api/v1/opt-outs/27821234567?account=shop"), 200);
        check("put", "/v1/opt-outs/{number}", send("PUT", "/api/v1/opt-outs/27821234567?account=shop"), 200);
        check("get", "/v1/opt-outs/{number}", get("/api/v1/opt-outs/27821234567?account=nobody"), 404);
        check("get", "/v1/templates", get("/api/v1/templates"), 400);
        wati.answer(r -> r.rawPath().endsWith("/getMessageTemplates") ? WatiDouble.Answer.json(200, "{\"result\":\"success\","
                + "\"messageTemplates\":[{\"id\":\"t1\",\"elementName\":\"spring_sale\",\"category\":\"MARKETING\","
                + "\"status\":\"APPROVED\",\"language\":{\"key\":\"English\",\"value\":\"en\",\"text\":\"English\"},"
                + "\"customParams\":[{\"paramName\":\"name\",\"paramValue\":\"\"}]}],"
                + "\"link\":{\"pageNumber\":1,\"pageSize\":100,\"total\":1}}") : WatiDouble.Answer.json(200, "{\"result\":true}"));
        RunningRuntime.Response catalogue = send("POST", "/api/v1/templates/refresh?account=shop");
        check("post", "/v1/templates/refresh", catalogue, 200);
        assertThat(catalogue.json().at("/templates/0/name").asText()).isEqualTo("spring_sale");
        check("get", "/v1/templates", get("/api/v1/templates?account=shop"), 200);
        wati.answer(r -> WatiDouble.Answer.json(500, "{\"message\":\"down\"}"));
        check("post", "/v1/templates/refresh", send("POST", "/api/v1/templates/refresh?account=shop"), 502);
        wati.reset();

        String webhook = "/webhooks/wati/{account}/{secret}";
        String event = "{\"eventType\":\"message\",\"id\":\"openapi-1\",\"waId\":\"27821234567\",\"text\":\"Hello\",\"type\":\"text\"}";
        check("post", webhook, postJson("/webhooks/wati/shop/" + SECRET, event), 200);
        check("post", webhook, postJson("/webhooks/wati/shop/wrong-secret-0123456789", event), 404);
        check("post", webhook, postJson("/webhooks/wati/shop/" + SECRET, "[1]"), 400);
        RunningRuntime.Response events = get("/api/v1/events");
        check("get", "/v1/events", events, 200);
        String eventId = events.json().at("/events/0/id").asText();
        check("get", "/v1/events/{id}", get("/api/v1/events/" + eventId), 200);
        check("get", "/v1/events/{id}", get("/api/v1/events/0"), 404);
        check("post", "/v1/events/{id}/retry", postJson("/api/v1/events/" + eventId + "/retry", ""), 409);

        check("get", "/v1/openapi.json", get(DOCUMENT), 200);
    }

    @Test
    void documentedConsumesAndProducesAreNotEnforcedByTheServer() throws Exception {
        // camel.component.platform-http.server-request-validation=false: the routes judge bodies as before, with a reason
        RunningRuntime.Response plainText = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\"}")).build());
        assertThat(plainText.status()).isEqualTo(400);
        assertThat(plainText.json().path("task_23001_run_text").asText()).isNotBlank();
        RunningRuntime.Response html = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/dead-letters")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Accept", "text/html").GET().build());
        assertThat(html.status()).isEqualTo(200);
    }

    // ---- what the runtime serves, what the document lists

    /**
     * "METHOD /path" of every HTTP consumer of the runtime's routes (REST DSL and platform-http
     * routes alike), checked against the paths platform-http registered (whose verbs are not
     * reliable: it keeps one entry per path). Management paths (/observe/health, /observe/metrics)
     * are not part of the API.
     */
    Set<String> served() {
        Set<String> served = new TreeSet<>();
        Set<String> paths = new TreeSet<>();
        for (Route route : runtime.context().getRoutes()) {
            if (route.getConsumer() != null && route.getConsumer().getEndpoint() instanceof PlatformHttpEndpoint http) {
                String path = http.getPath().startsWith("/") ? http.getPath() : "/" + http.getPath();
                if (path.startsWith("/observe/")) {
                    continue;
                }
                paths.add(path);
                String methods = http.getHttpMethodRestrict() == null ? "ANY" : http.getHttpMethodRestrict();
                for (String method : methods.split(",")) {
                    served.add(method.strip().toUpperCase() + " " + path);
                }
            }
        }
        Set<String> registered = new TreeSet<>();
        runtime.context().getComponent("platform-http", PlatformHttpComponent.class).getHttpEndpoints().stream()
                .map(e -> e.getUri()).filter(p -> !p.startsWith("/observe/")).forEach(registered::add);
        assertThat(paths).as("the routes' HTTP paths are the server's").isEqualTo(registered);
        assertThat(served).as("a platform-http route restricted to its methods (httpMethodRestrict)").noneMatch(s -> s.startsWith("ANY "));
        return served;
    }

    /** "METHOD /path" of every operation, the path under its server (the document's, or the path's own). */
    Set<String> documented() {
        Set<String> documented = new TreeSet<>();
        String base = document.at("/servers/0/url").asText();
        document.path("paths").properties().forEach(path -> {
            String server = path.getValue().has("servers") ? path.getValue().at("/servers/0/url").asText() : base;
            String full = (server.endsWith("/") ? server.substring(0, server.length() - 1) : server) + path.getKey();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    documented.add(method.toUpperCase() + " " + full);
                }
            });
        });
        return documented;
    }

    interface OperationCheck {
        void check(String path, String method, JsonNode operation);
    }

    void forEachOperation(OperationCheck check) {
        assertThat(document.path("paths").size()).isGreaterThan(10);
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(member -> {
            if (METHODS.contains(member.getKey())) {
                check.check(path.getKey(), member.getKey(), member.getValue());
            }
        }));
    }

    // ---- answers against the document

    /** The answer's status is one the operation documents, and its JSON body fits that answer's schema. */
    void check(String method, String path, RunningRuntime.Response answer, int expected) {
        String name = method.toUpperCase() + " " + path;
        assertThat(answer.status()).as("%s: %s", name, answer.body()).isEqualTo(expected);
        JsonNode operation = document.path("paths").path(path).path(method);
        assertThat(operation.isObject()).as("%s is documented", name).isTrue();
        JsonNode documented = resolve(operation.path("responses").path(String.valueOf(expected)));
        assertThat(documented.isObject()).as("%s: answer %d is documented", name, expected).isTrue();
        JsonNode schema = documented.at("/content/application~1json/schema");
        if (!schema.isMissingNode()) {
            assertThat(answer.json()).as("%s %d: a JSON body", name, expected).isNotNull();
            fits(answer.json(), schema, name + " " + expected);
        }
    }

    /** A $ref'd response or schema, resolved in this document. */
    JsonNode resolve(JsonNode node) {
        JsonNode resolved = node;
        while (resolved.has("$ref")) {
            resolved = document.at(resolved.path("$ref").asText().substring(1));
        }
        return resolved;
    }

    /** Types, enums and property names (no member the schema does not name), all the way down; null is allowed. */
    void fits(JsonNode value, JsonNode schemaOrRef, String where) {
        if (value == null || value.isNull()) {
            return;
        }
        JsonNode schema = resolve(schemaOrRef);
        assertThat(schema.isMissingNode()).as("%s: schema %s exists", where, schemaOrRef).isFalse();
        switch (schema.path("type").asText("")) {
            case "object" -> {
                assertThat(value.isObject()).as("%s is an object: %s", where, value).isTrue();
                JsonNode properties = schema.path("properties");
                JsonNode additional = schema.path("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext();) {
                    Map.Entry<String, JsonNode> member = it.next();
                    if (properties.has(member.getKey())) {
                        fits(member.getValue(), properties.get(member.getKey()), where + "." + member.getKey());
                    } else if (additional.isObject()) {
                        fits(member.getValue(), additional, where + "." + member.getKey());
                    } else {
                        assertThat(additional.asBoolean(false)).as("%s: member %s is documented", where, member.getKey()).isTrue();
                    }
                }
            }
            case "array" -> {
                assertThat(value.isArray()).as("%s is an array", where).isTrue();
                value.forEach(item -> fits(item, schema.path("items"), where + "[]"));
            }
            case "string" -> {
                assertThat(value.isTextual()).as("%s is a string: %s", where, value).isTrue();
                if (schema.has("enum")) {
                    List<String> allowed = new ArrayList<>();
                    schema.path("enum").forEach(e -> allowed.add(e.asText()));
                    assertThat(allowed).as("%s: documented values", where).contains(value.asText());
                }
            }
            case "integer" -> assertThat(value.isIntegralNumber()).as("%s is an integer: %s", where, value).isTrue();
            case "number" -> assertThat(value.isNumber()).as("%s is a number: %s", where, value).isTrue();
            case "boolean" -> assertThat(value.isBoolean()).as("%s is a boolean: %s", where, value).isTrue();
            default -> {
                // no type: anything
            }
        }
    }

    // ---- HTTP

    RunningRuntime.Response get(String path) throws Exception {
        return send("GET", path);
    }

    RunningRuntime.Response send(String method, String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    RunningRuntime.Response postJson(String path, String json) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static String builtVersion() throws Exception {
        try (InputStream in = OpenApiTest.class.getResourceAsStream("/wati-camel-version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }
}
