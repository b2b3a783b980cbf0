package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.templates.TemplateCatalogue;
import io.waticamel.testing.CapturedLog;
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
 * The template catalogue and the checks before a template is sent, against a WATI double that serves
 * getMessageTemplates in pages of 100 (the approved order_update is on the third page).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateChecksTest {

    static final Pattern PAGE = Pattern.compile("pageSize=([0-9]+)&pageNumber=([0-9]+)");
    final ObjectMapper mapper = new ObjectMapper();
    final List<ObjectNode> templates = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(Instant.now());
    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.accounts.shop.endpoint", wati.url() + "/shop", "wati.accounts.shop.token", "shop-token-123456",
                "wati.accounts.down.endpoint", wati.url() + "/down", "wati.accounts.down.token", "down-token-123456",
                "wati.templates.validate", "true", "wati.templates.refresh-interval", "15m", "wati.templates.recheck-after", "0s"), clock);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        templates.clear();
        for (int i = 1; i <= 230; i++) {
            templates.add(catalogued("filler_" + i, "APPROVED"));
        }
        templates.add(catalogued("order_update", "APPROVED", "customer_name", "order_number"));
        templates.add(catalogued("spring_sale", "PENDING", "name"));
        wati.answer(this::answer);
    }

    ObjectNode catalogued(String name, String status, String... parameters) {
        ObjectNode t = mapper.createObjectNode().put("id", name).put("elementName", name).put("category", "MARKETING").put("status", status);
        t.putObject("language").put("key", "English").put("value", "en").put("text", "English");
        ArrayNode custom = t.putArray("customParams");
        for (String p : parameters) {
            custom.addObject().put("paramName", p).put("paramValue", "");
        }
        return t;
    }

    /** /shop serves the catalogue in pages; the other accounts answer 500 to it; every send is accepted. */
    Answer answer(Recorded r) {
        if (r.rawPath().endsWith("/api/v1/getMessageTemplates")) {
            if (!r.rawPath().startsWith("/shop/")) {
                return Answer.json(500, "{\"message\":\"Internal error\"}");
            }
            Matcher m = PAGE.matcher(r.rawQuery());
            assertThat(m.matches()).isTrue();
            int size = Integer.parseInt(m.group(1));
            int page = Integer.parseInt(m.group(2));
            ObjectNode answer = mapper.createObjectNode().put("result", "success");
            ArrayNode list = answer.putArray("messageTemplates");
            templates.stream().skip((long) (page - 1) * size).limit(size).forEach(list::add);
            answer.putObject("link").put("pageNumber", page).put("pageSize", size).put("total", templates.size());
            return Answer.json(200, answer.toString());
        }
        return Answer.json(200, "{\"result\":true,\"validWhatsAppNumber\":true}");
    }

    Map<String, Object> send(String account, String name, String... parameters) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_template_message");
        task.put("account", account);
        task.put("whatsappNumber", "27821234567");
        task.put("template_name", name);
        for (int i = 0; i < parameters.length; i += 2) {
            task.put("parameter_name_" + (i / 2 + 1), parameters[i]);
            task.put("parameter_value_" + (i / 2 + 1), parameters[i + 1]);
        }
        return task;
    }

    List<Recorded> sends() {
        return wati.requests().stream().filter(r -> r.rawPath().endsWith("/sendTemplateMessage")).toList();
    }

    List<Recorded> catalogueLoads() {
        return wati.requests().stream().filter(r -> r.rawPath().endsWith("/getMessageTemplates")).toList();
    }

    RunningRuntime.Response call(String method, String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void theCatalogueIsLoadedFromEveryPageAndListed() throws Exception {
        RunningRuntime.Response refreshed = call("POST", "/api/v1/templates/refresh?account=shop");

        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(refreshed.json().get("count").asInt()).isEqualTo(232);
        List<Recorded> loads = catalogueLoads();
        assertThat(loads).extracting(Recorded::rawQuery).containsExactly("pageSize=100&pageNumber=1", "pageSize=100&pageNumber=2",
                "pageSize=100&pageNumber=3");
        assertThat(loads).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.rawPath()).isEqualTo("/shop/api/v1/getMessageTemplates");
            assertThat(r.header("Authorization")).isEqualTo("Bearer shop-token-123456");
        });

        wati.reset();
        wati.answer(this::answer);
        JsonNode listed = call("GET", "/api/v1/templates?account=shop").json();
        // fresh (15 min): listed from what was loaded, WATI not asked again
        assertThat(catalogueLoads()).isEmpty();
        assertThat(listed.get("account").asText()).isEqualTo("shop");
        assertThat(listed.get("count").asInt()).isEqualTo(232);
        JsonNode order = null;
        for (JsonNode t : listed.get("templates")) {
            if (t.get("name").asText().equals("order_update")) {
                order = t;
            }
        }
        assertThat(order).isNotNull();
        assertThat(order.get("status").asText()).isEqualTo("APPROVED");
        assertThat(order.get("language").asText()).isEqualTo("en");
        assertThat(order.get("category").asText()).isEqualTo("MARKETING");
        assertThat(order.get("parameters")).extracting(JsonNode::asText).containsExactly("customer_name", "order_number");

        assertThat(call("GET", "/api/v1/templates").status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/templates?account=nobody").status()).isEqualTo(404);
        RunningRuntime.Response down = call("POST", "/api/v1/templates/refresh?account=down");
        assertThat(down.status()).isEqualTo(502);
        assertThat(down.json().get("error").asText()).contains("could not be loaded").contains("Internal error").doesNotContain("down-token");
    }

    @Test
    void theTimerLoadsOnlyTheCataloguesOlderThanTheRefreshInterval() throws Exception {
        TemplateCatalogue catalogue = runtime.context().getRegistry().lookupByNameAndType("templates", TemplateCatalogue.class);
        assertThat(call("POST", "/api/v1/templates/refresh?account=shop").status()).isEqualTo(200);
        wati.reset();
        wati.answer(this::answer);

        clock.advance(Duration.ofMinutes(14));
        catalogue.refreshAll();
        assertThat(catalogueLoads()).extracting(Recorded::rawPath).noneMatch(path -> path.startsWith("/shop/"));

        // a second past the 15 minutes: the database keeps microseconds, and may round the load's time up
        clock.advance(Duration.ofSeconds(61));
        catalogue.refreshAll();
        assertThat(catalogueLoads()).extracting(Recorded::rawPath).filteredOn(path -> path.startsWith("/shop/")).hasSize(3);
    }

    @Test
    void aTemplateWithItsExactParametersIsSent() throws Exception {
        RunningRuntime.Response response = runtime.postAction(send("shop", "order_update", "order_number", "A-17", "customer_name", "Ann"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.run()).isTrue();
        assertThat(sends()).hasSize(1);
        assertThat(sends().get(0).bodyText()).isEqualTo("{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\","
                + "\"parameters\":[{\"name\":\"order_number\",\"value\":\"A-17\"},{\"name\":\"customer_name\",\"value\":\"Ann\"}]}");
    }

    @Test
    void whatWatiWouldRefuseIsRefusedBeforeItIsCalled() throws Exception {
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("unknown", refusal(send("shop", "order_updates", "customer_name", "Ann", "order_number", "A-17")));
        refusals.put("cased name", refusal(send("shop", "Order_Update", "customer_name", "Ann", "order_number", "A-17")));
        refusals.put("pending", refusal(send("shop", "spring_sale", "name", "Ann")));
        refusals.put("missing", refusal(send("shop", "order_update", "customer_name", "Ann")));
        refusals.put("extra", refusal(send("shop", "order_update", "customer_name", "Ann", "order_number", "A-17", "coupon", "X")));
        refusals.put("mis-cased", refusal(send("shop", "order_update", "Customer_Name", "Ann", "order_number", "A-17")));

        assertThat(refusals.get("unknown")).startsWith("Template 'order_updates' is not in the template catalogue of shop (232 templates");
        assertThat(refusals.get("cased name")).contains("names are case-sensitive, did you mean 'order_update'?");
        assertThat(refusals.get("pending")).isEqualTo("Template 'spring_sale' is not approved: its status is PENDING (en); "
                + "WATI sends only approved templates");
        assertThat(refusals.get("missing")).isEqualTo("Template 'order_update' expects the parameters [customer_name, order_number]: "
                + "missing 'order_number'");
        assertThat(refusals.get("extra")).isEqualTo("Template 'order_update' expects the parameters [customer_name, order_number]: "
                + "unexpected 'coupon'");
        assertThat(refusals.get("mis-cased")).isEqualTo("Template 'order_update' expects the parameters [customer_name, order_number]: "
                + "missing 'customer_name'; unexpected 'Customer_Name' (names are case-sensitive: 'Customer_Name' should be 'customer_name')");
        assertThat(sends()).isEmpty();
    }

    String refusal(Map<String, Object> task) throws Exception {
        RunningRuntime.Response response = runtime.postAction(task);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.run()).isFalse();
        return response.runText();
    }

    @Test
    void aTemplateApprovedAfterTheLoadIsAcceptedNotRefused() throws Exception {
        assertThat(runtime.postAction(send("shop", "order_update", "customer_name", "Ann", "order_number", "A-17")).status()).isEqualTo(200);
        templates.add(catalogued("black_friday", "APPROVED", "code"));
        wati.reset();
        wati.answer(this::answer);

        RunningRuntime.Response response = runtime.postAction(send("shop", "black_friday", "code", "BF26"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        // the name was not known: the catalogue was loaded again (all three pages) before the send
        assertThat(catalogueLoads()).hasSize(3);
        assertThat(sends()).hasSize(1);
    }

    @Test
    void aCatalogueThatCannotBeLoadedNeverBlocksASend() throws Exception {
        // the request's own credentials: a catalogue of its own (endpoint and token), loaded at its first send
        Map<String, Object> task = send("unused", "anything", "x", "1");
        task.remove("account");
        task.put("api_endpoint", wati.url() + "/offline");
        task.put("access_token", "offline-token-123456");
        try (CapturedLog log = new CapturedLog()) {
            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.run()).isTrue();
            assertThat(catalogueLoads()).extracting(Recorded::rawPath).containsOnly("/offline/api/v1/getMessageTemplates");
            assertThat(sends()).extracting(Recorded::rawPath).containsExactly("/offline/api/v1/sendTemplateMessage");
            assertThat(log.toString()).contains("Template catalogue of " + wati.url() + "/offline could not be loaded (WATI answered HTTP 500: "
                    + "Internal error): templates are sent unchecked").doesNotContain("offline-token");
        }
    }

    @Test
    void anAsyncTemplateIsCheckedBeforeThe202() throws Exception {
        Map<String, Object> task = send("shop", "spring_sale", "name", "Ann");
        task.put("async", true);

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).contains("is not approved");
        assertThat(sends()).isEmpty();
    }

    RunningRuntime.Response campaign(String contentType, String query, String body) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns" + query))).header("X-API-Key", RunningRuntime.API_KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aCampaignIsCheckedBeforeAnythingIsStored() throws Exception {
        String unknown = "{\"account\":\"shop\",\"template_name\":\"order_updates\",\"recipients\":[{\"whatsappNumber\":\"27820000001\","
                + "\"parameters\":{\"customer_name\":\"Ann\",\"order_number\":\"A-1\"}}]}";
        RunningRuntime.Response refused = campaign("application/json", "", unknown);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).startsWith("Template 'order_updates' is not in the template catalogue of shop");

        String secondMisnamed = "{\"account\":\"shop\",\"template_name\":\"order_update\",\"recipients\":["
                + "{\"whatsappNumber\":\"27820000001\",\"parameters\":{\"customer_name\":\"Ann\",\"order_number\":\"A-1\"}},"
                + "{\"whatsappNumber\":\"27820000002\",\"parameters\":{\"customer_name\":\"Bob\",\"order\":\"A-2\"}}]}";
        refused = campaign("application/json", "", secondMisnamed);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo("Recipient 2: Template 'order_update' expects the parameters "
                + "[customer_name, order_number]: missing 'order_number'; unexpected 'order'");

        refused = campaign("text/csv", "?account=shop&template_name=spring_sale", "whatsappNumber,name\n27820000001,Ann\n");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).startsWith("Template 'spring_sale' is not approved");

        refused = campaign("text/csv", "?account=shop&template_name=order_update", "whatsappNumber,Customer_Name,order_number\n27820000001,Ann,A-1\n");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).startsWith("Recipient 1: Template 'order_update' expects the parameters")
                .endsWith("(names are case-sensitive: 'Customer_Name' should be 'customer_name')");
        assertThat(call("GET", "/api/v1/campaigns").json().get("campaigns")).isEmpty();
        assertThat(wati.requests()).noneMatch(r -> r.rawPath().contains("sendTemplateMessage"));

        RunningRuntime.Response accepted = campaign("text/csv", "?account=shop&template_name=order_update",
                "whatsappNumber,customer_name,order_number\n27820000001,Ann,A-1\n");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "finished".equals(call("GET", "/api/v1/campaigns/" + id).json()
                .get("status").asText()));
        assertThat(wati.requests()).filteredOn(r -> r.rawPath().endsWith("/sendTemplateMessages")).hasSize(1);
    }
}
