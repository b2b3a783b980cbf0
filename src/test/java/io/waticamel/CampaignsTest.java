package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Template campaigns against the WATI double: bulk and single mode, skipped recipients, pause and resume, CSV, refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignsTest {

    static final String SECRET = "campaign-webhook-secret-0123";
    static final String OTHER_KEY = "other-caller-key-0123456789";
    final ObjectMapper mapper = new ObjectMapper();
    WatiDouble wati;
    WatiDouble forward;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        forward = new WatiDouble();
        runtime = new RunningRuntime(Map.ofEntries(Map.entry("wati.accounts.shop.endpoint", wati.url() + "/shop"),
                Map.entry("wati.accounts.shop.token", "shop-token-123456"), Map.entry("wati.accounts.shop.webhook-secret", SECRET),
                Map.entry("wati.accounts.slow.endpoint", wati.url() + "/slow"), Map.entry("wati.accounts.slow.token", "slow-token-123456"),
                Map.entry("wati.throttle.accounts.slow.per-second", "5"), Map.entry("wati.campaigns.poll-ms", "50"),
                Map.entry("wati.campaigns.max-recipients", "3000"), Map.entry("wati.events.poll-ms", "50"),
                Map.entry("wati.events.forward-url", forward.url() + "/events"), Map.entry("wati.api-keys.other", OTHER_KEY)));
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
        forward.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        forward.reset();
    }

    RunningRuntime.Response post(String path, String contentType, String body) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    RunningRuntime.Response get(String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY).GET().build());
    }

    String campaign(String account, String mode, List<String> numbers) throws Exception {
        ObjectNode body = mapper.createObjectNode().put("account", account).put("template_name", "spring_sale")
                .put("broadcast_name", "spring").put("mode", mode);
        ArrayNode recipients = body.putArray("recipients");
        for (int i = 0; i < numbers.size(); i++) {
            ObjectNode r = recipients.addObject().put("whatsappNumber", numbers.get(i));
            r.putObject("parameters").put("name", "Client " + i).put("code", "C-" + i);
        }
        return body.toString();
    }

    static List<String> numbers(int count, long first) {
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            numbers.add(Long.toString(first + i));
        }
        return numbers;
    }

    JsonNode awaitStatus(String id, String status, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(get("/api/v1/campaigns/" + id).json().get("status").asText()));
        try {
            return get("/api/v1/campaigns/" + id).json();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBulkCampaignSendsEveryRecipientOnceInCallsOfAtMostAThousand() throws Exception {
        List<String> numbers = new ArrayList<>(numbers(2500, 27820000000L));
        String refusedByWati = numbers.get(10);
        numbers.add("12ab");                 // invalid: skipped
        numbers.add(numbers.get(0));         // the same number twice: skipped
        assertThat(put("/api/v1/opt-outs/27820000005?account=shop").status()).isEqualTo(200);
        wati.answer(r -> r.rawPath().endsWith("/sendTemplateMessages") && r.bodyText().contains("\"" + refusedByWati + "\"")
                ? WatiDouble.Answer.json(200, "{\"result\":true,\"errors\":{\"error\":\"Some numbers are invalid\",\"invalidWhatsappNumbers\":[\""
                        + refusedByWati + "\"],\"invalidCustomParameters\":[]}}")
                : WatiDouble.Answer.json(200, "{\"result\":true,\"errors\":{\"error\":false,\"invalidWhatsappNumbers\":[],\"invalidCustomParameters\":[]}}"));

        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", campaign("shop", "bulk", numbers));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("total").asInt()).isEqualTo(2502);
        assertThat(accepted.json().get("skipped").asInt()).isEqualTo(3);
        String id = accepted.json().get("id").asText();
        JsonNode done = awaitStatus(id, "finished", Duration.ofSeconds(30));

        List<WatiDouble.Recorded> calls = wati.requests();
        assertThat(calls).allSatisfy(call -> {
            assertThat(call.rawPath()).isEqualTo("/shop/api/v1/sendTemplateMessages");
            assertThat(call.header("Authorization")).isEqualTo("Bearer shop-token-123456");
        });
        Map<String, Integer> timesSent = new HashMap<>();
        Map<String, String> localIds = new HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        for (WatiDouble.Recorded call : calls) {
            JsonNode body = mapper.readTree(call.body());
            assertThat(body.get("template_name").asText()).isEqualTo("spring_sale");
            assertThat(body.get("broadcast_name").asText()).isEqualTo("spring");
            sizes.add(body.get("receivers").size());
            for (JsonNode receiver : body.get("receivers")) {
                String number = receiver.get("whatsappNumber").asText();
                timesSent.merge(number, 1, Integer::sum);
                int i = numbers.indexOf(number);
                assertThat(receiver.get("customParams").toString())
                        .isEqualTo("[{\"name\":\"name\",\"value\":\"Client " + i + "\"},{\"name\":\"code\",\"value\":\"C-" + i + "\"}]");
                localIds.put(number, receiver.get("localMessageId").asText());
            }
        }
        assertThat(sizes).allMatch(size -> size <= 1000).hasSize(3);
        assertThat(timesSent).hasSize(2499).allSatisfy((number, times) -> assertThat(times).isOne());
        assertThat(timesSent).doesNotContainKey("27820000005");
        assertThat(new java.util.HashSet<>(localIds.values())).hasSize(2499);

        assertThat(done.get("total").asInt()).isEqualTo(2502);
        assertThat(done.get("sent").asInt()).isEqualTo(2498);
        assertThat(done.get("failed").asInt()).isEqualTo(1);
        assertThat(done.get("skipped").asInt()).isEqualTo(3);
        assertThat(done.get("pending").asInt()).isZero();
        assertThat(done.get("unknown").asInt()).isZero();
        assertThat(done.get("started_at").asText()).isNotEmpty();
        assertThat(done.get("finished_at").asText()).isNotEmpty();

        JsonNode skipped = get("/api/v1/campaigns/" + id + "/recipients?status=skipped").json().get("recipients");
        assertThat(skipped).extracting(r -> r.get("reason").asText()).anyMatch(r -> r.contains("opted out") || r.contains("Opted out"))
                .anyMatch(r -> r.contains("Same number as recipient 1")).anyMatch(r -> r.contains("Invalid"));
        JsonNode failed = get("/api/v1/campaigns/" + id + "/recipients?status=failed").json().get("recipients");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("whatsappNumber").asText()).isEqualTo(refusedByWati);
        assertThat(failed.get(0).get("reason").asText()).contains("invalid WhatsApp number");

        // the message log has every receiver; a status event finds its recipient by the localMessageId
        String number = numbers.get(42);
        JsonNode logged = get("/api/v1/messages?number=" + number).json().get("messages");
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).get("local_message_id").asText()).isEqualTo(localIds.get(number));
        String event = "{\"eventType\":\"templateMessageFailed\",\"id\":\"ev-42\",\"localMessageId\":\"" + localIds.get(number)
                + "\",\"waId\":\"" + number + "\",\"statusString\":\"Failed\",\"failedCode\":\"131026\",\"failedDetail\":\"Message undeliverable\"}";
        assertThat(post("/webhooks/wati/shop/" + SECRET, "application/json", event).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/v1/campaigns/" + id).json().get("failed").asInt() == 2);
        JsonNode nowFailed = get("/api/v1/campaigns/" + id + "/recipients?status=failed").json().get("recipients");
        assertThat(nowFailed).extracting(r -> r.get("reason").asText()).contains("WATI: Message undeliverable");

        // the summary goes to subscribers and the forward URL
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> forward.requests().stream()
                .anyMatch(r -> r.bodyText().contains("campaignFinished") && r.bodyText().contains(id)));
        JsonNode finished = forward.requests().stream().map(r -> readTree(r.body())).filter(e -> "campaignFinished".equals(e.path("eventType").asText()))
                .filter(e -> id.equals(e.path("id").asText())).findFirst().orElseThrow();
        assertThat(finished.get("campaign").get("sent").asInt()).isEqualTo(2498);
        assertThat(finished.get("campaign").get("status").asText()).isEqualTo("finished");
    }

    JsonNode readTree(byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    RunningRuntime.Response put(String path) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", RunningRuntime.API_KEY)
                .PUT(HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void aSingleModeCampaignGivesEveryRecipientExactlyOneOutcomeThroughRetries() throws Exception {
        List<String> numbers = numbers(1000, 27830000000L);
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        // first attempt of every 5th number 429, of every 7th 503; every 13th 429 then 503, then accepted
        wati.answer(r -> {
            String number = r.rawQuery().replace("whatsappNumber=", "");
            int n = Integer.parseInt(number.substring(number.length() - 4));
            int attempt = attempts.computeIfAbsent(number, k -> new AtomicInteger()).incrementAndGet();
            if (n % 13 == 0 && attempt <= 2) {
                return attempt == 1 ? new WatiDouble.Answer(429, Map.of(), new byte[0]) : WatiDouble.Answer.json(503, "{}");
            }
            if (attempt == 1 && n % 5 == 0) {
                return new WatiDouble.Answer(429, Map.of("Retry-After", "0"), new byte[0]);
            }
            if (attempt == 1 && n % 7 == 0) {
                return WatiDouble.Answer.json(503, "{\"message\":\"busy\"}");
            }
            return WatiDouble.Answer.json(200, "{\"result\":true,\"validWhatsAppNumber\":true}");
        });

        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", campaign("shop", "single", numbers));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        JsonNode done = awaitStatus(id, "finished", Duration.ofSeconds(90));

        Map<String, Long> accepts = wati.requests().stream().filter(r -> r.rawPath().endsWith("/sendTemplateMessage"))
                .collect(Collectors.groupingBy(r -> r.rawQuery(), Collectors.counting()));
        assertThat(accepts).hasSize(1000);
        long retried = attempts.values().stream().filter(a -> a.get() > 1).count();
        assertThat(retried).isGreaterThan(300);
        assertThat(attempts.values()).allMatch(a -> a.get() <= 3);
        for (String number : numbers) {
            int n = Integer.parseInt(number.substring(number.length() - 4));
            int expected = n % 13 == 0 ? 3 : n % 5 == 0 || n % 7 == 0 ? 2 : 1;
            assertThat(attempts.get(number).get()).as(number).isEqualTo(expected);
        }
        WatiDouble.Recorded one = wati.requests().stream().filter(r -> r.rawQuery().equals("whatsappNumber=27830000001")).findFirst().orElseThrow();
        assertThat(one.bodyText()).isEqualTo("{\"template_name\":\"spring_sale\",\"broadcast_name\":\"spring\",\"parameters\":"
                + "[{\"name\":\"name\",\"value\":\"Client 1\"},{\"name\":\"code\",\"value\":\"C-1\"}]}");
        assertThat(done.get("sent").asInt()).isEqualTo(1000);
        assertThat(done.get("failed").asInt() + done.get("unknown").asInt() + done.get("pending").asInt()).isZero();
    }

    @Test
    void aPauseStopsCallsWithinASecondAndResumeFinishes() throws Exception {
        List<String> numbers = numbers(60, 27840000000L);
        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", campaign("slow", "single", numbers));
        String id = accepted.json().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> wati.requests().size() >= 10);

        assertThat(post("/api/v1/campaigns/" + id + "/pause", "application/json", "").json().get("status").asText()).isEqualTo("paused");
        long pausedAt = System.nanoTime();
        // for 2.5 s no call arrives later than a second after the pause (a send already past its check may finish)
        Awaitility.await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> wati.requests().stream().allMatch(r -> r.receivedNanos() < pausedAt + 1_000_000_000L));
        List<WatiDouble.Recorded> calls = wati.requests();
        assertThat(calls).allMatch(r -> r.receivedNanos() < pausedAt + 1_000_000_000L);
        JsonNode paused = get("/api/v1/campaigns/" + id).json();
        assertThat(paused.get("status").asText()).isEqualTo("paused");
        assertThat(paused.get("sent").asInt()).isEqualTo(calls.size()).isLessThan(60);
        assertThat(post("/api/v1/campaigns/" + id + "/resume", "application/json", "").status()).isEqualTo(200);
        assertThat(post("/api/v1/campaigns/" + id + "/resume", "application/json", "").status()).isEqualTo(409);

        JsonNode done = awaitStatus(id, "finished", Duration.ofSeconds(30));
        assertThat(done.get("sent").asInt()).isEqualTo(60);
        assertThat(wati.requests().stream().map(WatiDouble.Recorded::rawQuery).distinct().count()).isEqualTo(60);
        assertThat(wati.requests()).hasSize(60);
    }

    @Test
    void cancelSkipsWhatIsPendingAndSaysSoToSubscribers() throws Exception {
        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", campaign("slow", "single", numbers(40, 27880000000L)));
        String id = accepted.json().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> wati.requests().size() >= 3);

        JsonNode cancelled = post("/api/v1/campaigns/" + id + "/cancel", "application/json", "").json();
        long cancelledAt = System.nanoTime();
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> get("/api/v1/campaigns/" + id).json().get("pending").asInt() == 0);
        JsonNode after = get("/api/v1/campaigns/" + id).json();
        assertThat(after.get("sent").asInt() + after.get("skipped").asInt()).isEqualTo(40);
        assertThat(wati.requests()).hasSize(after.get("sent").asInt()).allMatch(r -> r.receivedNanos() < cancelledAt + 1_000_000_000L);
        assertThat(post("/api/v1/campaigns/" + id + "/resume", "application/json", "").status()).isEqualTo(409);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> forward.requests().stream()
                .anyMatch(r -> r.bodyText().contains("campaignFinished") && r.bodyText().contains(id) && r.bodyText().contains("\"cancelled\"")));
    }

    @Test
    void aCsvUploadTakesTheHeaderAsParameterNames() throws Exception {
        String csv = "whatsappNumber,name,order\r\n+27 85 000 0001,\"Smith, Ann\",A-1\r\n27850000002,Bob,\"B \"\"2\"\"\"\r\n27850000003,,C-3\r\n";
        RunningRuntime.Response accepted = post("/api/v1/campaigns?account=shop&template_name=order_update&mode=single", "text/csv", csv);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        JsonNode done = awaitStatus(id, "finished", Duration.ofSeconds(20));
        assertThat(done.get("sent").asInt()).isEqualTo(2);
        assertThat(done.get("skipped").asInt()).isEqualTo(1);
        assertThat(wati.requests()).extracting(WatiDouble.Recorded::bodyText).containsExactlyInAnyOrder(
                "{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\",\"parameters\":[{\"name\":\"name\",\"value\":\"Smith, Ann\"},{\"name\":\"order\",\"value\":\"A-1\"}]}",
                "{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\",\"parameters\":[{\"name\":\"name\",\"value\":\"Bob\"},{\"name\":\"order\",\"value\":\"B \\\"2\\\"\"}]}");
        JsonNode skipped = get("/api/v1/campaigns/" + id + "/recipients?status=skipped").json().get("recipients");
        assertThat(skipped.get(0).get("reason").asText()).isEqualTo("Parameter 'name' has no value");
    }

    @Test
    void aCampaignBodyMayBeLargerThanAnActionBody() throws Exception {
        wati.answer(WatiDouble.Answer.json(200, "{\"result\":true}"));
        ObjectNode body = mapper.createObjectNode().put("account", "shop").put("template_name", "long_text");
        ArrayNode recipients = body.putArray("recipients");
        String text = "x".repeat(1200);
        for (String number : numbers(1500, 27870000000L)) {
            recipients.addObject().put("whatsappNumber", number).putObject("parameters").put("text", text);
        }
        assertThat(body.toString().length()).isGreaterThan(1_800_000);
        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", body.toString());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        awaitStatus(accepted.json().get("id").asText(), "finished", Duration.ofSeconds(30));
        // every other path keeps the API's limit (1 MiB)
        assertThat(post("/api/v1/actions", "application/json", body.toString()).status()).isEqualTo(413);
    }

    @Test
    void aRepeatWithTheSameIdempotencyKeyGetsTheFirstAnswerNotASecondCampaign() throws Exception {
        String body = campaign("shop", "bulk", numbers(5, 27891000000L));
        int before = get("/api/v1/campaigns?size=1000").json().get("campaigns").size();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns"))).header("X-API-Key", RunningRuntime.API_KEY)
                .header("Content-Type", "application/json").header("Idempotency-Key", "spring-sale-2026");
        RunningRuntime.Response first = runtime.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
        RunningRuntime.Response again = runtime.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).contains("true");
        RunningRuntime.Response other = runtime.send(request.POST(HttpRequest.BodyPublishers.ofString(campaign("shop", "bulk",
                numbers(6, 27891000000L)))).build());
        assertThat(other.status()).isEqualTo(422);
        awaitStatus(first.json().get("id").asText(), "finished", Duration.ofSeconds(20));
        assertThat(wati.requests()).hasSize(1);
        assertThat(get("/api/v1/campaigns?size=1000").json().get("campaigns")).hasSize(before + 1);
    }

    @Test
    void aCampaignIsItsCallersOnly() throws Exception {
        RunningRuntime.Response accepted = post("/api/v1/campaigns", "application/json", campaign("shop", "bulk", numbers(3, 27890000000L)));
        String id = accepted.json().get("id").asText();
        awaitStatus(id, "finished", Duration.ofSeconds(20));
        for (String path : List.of("/api/v1/campaigns/" + id, "/api/v1/campaigns/" + id + "/recipients")) {
            RunningRuntime.Response other = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url(path))).header("X-API-Key", OTHER_KEY).GET().build());
            assertThat(other.status()).isEqualTo(404);
            assertThat(other.body()).doesNotContain("2789000000");
        }
        RunningRuntime.Response cancel = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns/" + id + "/cancel")))
                .header("X-API-Key", OTHER_KEY).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(cancel.status()).isEqualTo(404);
        RunningRuntime.Response list = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns"))).header("X-API-Key", OTHER_KEY)
                .GET().build());
        assertThat(list.json().get("campaigns")).isEmpty();
        assertThat(get("/api/v1/campaigns").json().get("campaigns").toString()).contains(id);
    }

    @Test
    void badRequestsAreRefusedWithAReasonAndNothingIsStored() throws Exception {
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":\"shop\",\"recipients\":[{\"whatsappNumber\":\"27820000001\"}]}")
                .json().get("error").asText()).isEqualTo("No template_name provided");
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":\"shop\",\"template_name\":\"t\",\"mode\":\"fast\",\"recipients\":[]}")
                .status()).isEqualTo(400);
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":\"shop\",\"template_name\":\"t\",\"recipients\":[]}")
                .json().get("error").asText()).contains("empty");
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":\"shop\",\"template_name\":\"t\",\"colour\":1,\"recipients\":[]}")
                .json().get("error").asText()).contains("Unknown field 'colour'");
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":\"nobody\",\"template_name\":\"t\",\"recipients\":[{\"whatsappNumber\":\"27820000001\"}]}")
                .status()).isEqualTo(400);
        assertThat(post("/api/v1/campaigns", "application/json", "{\"account\":").status()).isEqualTo(400);
        assertThat(post("/api/v1/campaigns", "application/xml", "<a/>").status()).isEqualTo(415);
        assertThat(post("/api/v1/campaigns", "application/x-www-form-urlencoded", "{\"account\":\"shop\"}").json().get("error").asText())
                .contains("Content-Type: application/json");
        assertThat(post("/api/v1/campaigns?account=shop&template_name=t&access_token=abc", "text/csv", "whatsappNumber\n27820000001\n")
                .status()).isEqualTo(400);
        assertThat(post("/api/v1/campaigns?account=shop&template_name=t", "text/csv", "phone\n27820000001\n").json().get("error").asText())
                .contains("no whatsappNumber column");
        assertThat(post("/api/v1/campaigns", "application/json", campaign("shop", "bulk", numbers(3001, 27860000000L))).status())
                .isEqualTo(413);
        assertThat(get("/api/v1/campaigns/no-such-id").status()).isEqualTo(404);
        assertThat(get("/api/v1/campaigns/no-such-id/recipients").status()).isEqualTo(404);
        assertThat(post("/api/v1/campaigns/no-such-id/pause", "application/json", "").status()).isEqualTo(404);
        assertThat(get("/api/v1/campaigns").json().get("campaigns").toString()).doesNotContain("\"total\":3001");
        assertThat(wati.requests()).isEmpty();
    }
}
