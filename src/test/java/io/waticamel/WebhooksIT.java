package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.PackagedJar;
import io.waticamel.testing.PostgresServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WATI events in, over HTTP against the packaged runtime: the webhook's answers, one event stored
 * and passed on once however often and however concurrently WATI delivers it (also to two
 * instances sharing one PostgreSQL), media archived with the account's token, delivery status,
 * opt-out, and events stored while the runtime is killed mid-processing processed after restart.
 * A user route file consumes the Kamelet wati-event-source and POSTs what it gets to a double.
 */
class WebhooksIT {

    static final String SECRET = "webhook-secret-0123456789abcdef";
    static final String TOKEN = "account-token-abc123";
    static final String NUMBER = "27821234567";
    /** When the customer's messages were written: within the last 24 hours, so session replies to them may go out. */
    static final long CUSTOMER_WROTE = java.time.Instant.now().getEpochSecond() - 3600;

    final HttpClient client = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path workDir;

    @AfterEach
    void stopAll() throws Exception {
        PackagedJar.stopAll(processes);
    }

    /** WATI: session sends answer with ids, templates without (as V1 does), showFile answers a JPEG. */
    static WatiDouble wati() throws Exception {
        WatiDouble wati = new WatiDouble();
        wati.answer(r -> {
            if (r.rawPath().contains("/api/file/showFile")) {
                return WatiDouble.Answer.bytes(200, "image/jpeg", jpeg());
            }
            if (r.rawPath().contains("sendSessionMessage")) {
                return WatiDouble.Answer.json(200, "{\"ok\":true,\"result\":\"success\",\"message\":{\"id\":\"wati-" + r.rawQuery().hashCode()
                        + "\",\"whatsappMessageId\":\"wamid." + r.rawQuery().hashCode() + "\",\"localMessageId\":\"local-1\"}}");
            }
            return WatiDouble.Answer.json(200, "{\"result\":true,\"validWhatsAppNumber\":true}");
        });
        return wati;
    }

    static byte[] jpeg() {
        byte[] bytes = new byte[20_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        return bytes;
    }

    /** The user's route file: every event of the given types POSTed to {@code subscriber} with its id. */
    Path routesFolder(WatiDouble subscriber, String types, int delayMs) throws Exception {
        Path routes = Files.createDirectories(workDir.resolve("my-routes"));
        Files.writeString(routes.resolve("crm-trigger.camel.yaml"), """
                - route:
                    id: crm-trigger
                    from:
                      uri: kamelet:wati-event-source
                      parameters:
                        types: "%s"
                        account: main
                      steps:
                        - delay:
                            constant: %d
                        - setHeader:
                            name: CamelHttpMethod
                            constant: POST
                        - to: "%s/crm?throwExceptionOnFailure=true"
                """.formatted(types, delayMs, subscriber.url()));
        return routes;
    }

    Map<String, String> env(WatiDouble wati, Path routes) {
        Map<String, String> env = new HashMap<>();
        env.put("WATI_ACCOUNTS_MAIN_ENDPOINT", wati.url() + "/123456");
        env.put("WATI_ACCOUNTS_MAIN_TOKEN", TOKEN);
        env.put("WATI_ACCOUNTS_MAIN_WEBHOOK_SECRET", SECRET);
        env.put("WATI_ACCOUNTS_MAIN_OWNER_ID", "main-media");
        env.put("WATI_ROUTES_DIR", routes.toString());
        env.put("WATI_THROTTLE_PER_SECOND", "0");
        env.put("WATI_EVENTS_RETRY_INITIAL_DELAY", "1s");
        return env;
    }

    HttpResponse<String> webhook(int port, String account, String secret, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/wati/" + account + "/" + secret))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> event(int port, String json) throws Exception {
        HttpResponse<String> answer = webhook(port, "main", SECRET, "application/json", json);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    HttpResponse<String> api(int port, String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-API-Key", PackagedJar.API_KEY);
        request = json == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long received(WatiDouble double_, String marker) {
        return double_.requests().stream().filter(r -> r.bodyText().contains(marker)).count();
    }

    static String customerMessage(String id, String text, long epochSeconds) {
        return "{\"eventType\":\"message\",\"id\":\"" + id + "\",\"waId\":\"" + NUMBER + "\",\"type\":\"text\",\"text\":\"" + text
                + "\",\"owner\":false,\"timestamp\":\"" + epochSeconds + "\"}";
    }

    @Test
    void eventsAreAuthenticatedStoredOncePassedOnArchivedAndActedOn() throws Exception {
        try (WatiDouble wati = wati(); WatiDouble forward = new WatiDouble(); WatiDouble crm = new WatiDouble();
                WatiDouble tickets = new WatiDouble()) {
            Path routes = routesFolder(crm, "message,brandNewThing", 0);
            // the example a user copies: customers' messages to a CRM
            Files.copy(Path.of("examples/routes/wati-events-to-crm.camel.yaml"), routes.resolve("wati-events-to-crm.camel.yaml"));
            Map<String, String> env = env(wati, routes);
            env.put("CRM_TICKETS_URL", tickets.url() + "/hooks/whatsapp");
            env.put("WATI_EVENTS_FORWARD_URL", forward.url() + "/crm-webhook?key=forward-secret");
            env.put("WATI_AZURE_CONNECTION_STRING", TestAzurite.connectionString());
            int port = RunningRuntime.freePort();
            PackagedJar.start(processes, workDir, port, env);
            String event = customerMessage("msg-dedup-1", "hello there", CUSTOMER_WROTE);

            // wrong secret, unknown account: the same 404, nothing stored
            assertThat(webhook(port, "main", "wrong-secret-0123456789abcdef", "application/json", event).statusCode()).isEqualTo(404);
            assertThat(webhook(port, "other", SECRET, "application/json", event).statusCode()).isEqualTo(404);
            assertThat(webhook(port, "main", SECRET.substring(1), "application/json", event).statusCode()).isEqualTo(404);
            // not a JSON object: 400; larger than the API's body limit: 413
            assertThat(webhook(port, "main", SECRET, "application/json", "not json").statusCode()).isEqualTo(400);
            assertThat(webhook(port, "main", SECRET, "application/json", "{\"text\":\"" + "x".repeat(1_100_000) + "\"}").statusCode())
                    .isEqualTo(413);
            assertThat(webhook(port, "main", SECRET, "application/json", "[{\"eventType\":\"message\"}]").statusCode()).isEqualTo(400);
            assertThat(webhook(port, "main", SECRET, "application/json", "").statusCode()).isEqualTo(400);

            // delivered four times at once, then once more later: stored once, passed on once to each subscriber
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit((Callable<HttpResponse<String>>) () -> event(port, event)));
            }
            List<String> bodies = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                bodies.add(answer.get().body());
            }
            pool.shutdown();
            await().atMost(Duration.ofSeconds(20)).until(() -> received(crm, "msg-dedup-1") >= 1 && received(forward, "msg-dedup-1") >= 1);
            bodies.add(event(port, event).body());
            assertThat(bodies.stream().filter(b -> b.contains("\"duplicate\":false")).count()).as(bodies.toString()).isEqualTo(1);
            assertThat(bodies.stream().filter(b -> b.contains("\"duplicate\":true")).count()).isEqualTo(4);

            // an unknown type, sent as text/plain (and one as a form, as curl sends by default): stored, passed on
            event(port, "{\"eventType\":\"brandNewThing\",\"id\":\"new-1\",\"detail\":{\"x\":1}}");
            assertThat(webhook(port, "main", SECRET, "text/plain", "{\"eventType\":\"brandNewThing\",\"id\":\"new-2\"}").statusCode())
                    .isEqualTo(200);
            assertThat(webhook(port, "main", SECRET, "application/x-www-form-urlencoded", "{\"eventType\":\"brandNewThing\",\"id\":\"new-3\"}")
                    .statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> received(forward, "new-3") == 1 && received(crm, "new-3") == 1
                    && received(forward, "new-2") == 1 && received(crm, "new-1") == 1);
            WatiDouble.Recorded forwarded = forward.requests().stream().filter(r -> r.bodyText().contains("new-2")).findFirst().orElseThrow();
            assertThat(forwarded.rawQuery()).isEqualTo("key=forward-secret");
            assertThat(forwarded.header("X-Wati-Event-Type")).isEqualTo("brandNewThing");
            assertThat(forwarded.header("X-Wati-Account")).isEqualTo("main");
            assertThat(mapper.readTree(forwarded.bodyText())).isEqualTo(mapper.readTree("{\"eventType\":\"brandNewThing\",\"id\":\"new-2\"}"));

            // a customer's image: fetched with the account's token, stored in Azurite, a files row, the id passed on
            event(port, "{\"eventType\":\"message\",\"id\":\"img-1\",\"waId\":\"" + NUMBER + "\",\"type\":\"image\","
                    + "\"data\":{\"fileName\":\"data/images/0b7c-photo.jpg\"},\"owner\":false}");
            await().atMost(Duration.ofSeconds(60)).until(() -> received(crm, "img-1") == 1);
            WatiDouble.Recorded delivered = crm.requests().stream().filter(r -> r.bodyText().contains("img-1")).findFirst().orElseThrow();
            String fileId = delivered.header("WatiFileId");
            assertThat(fileId).isNotBlank();
            WatiDouble.Recorded download = wati.requests().stream().filter(r -> r.rawPath().endsWith("/showFile")).findFirst().orElseThrow();
            assertThat(download.rawPath()).isEqualTo("/123456/api/file/showFile");
            assertThat(download.rawQuery()).isEqualTo("fileName=data/images/0b7c-photo.jpg");
            assertThat(download.header("Authorization")).isEqualTo("Bearer " + TOKEN);
            JsonNode file = mapper.readTree(api(port, "GET", "/api/v1/files/" + fileId, null).body());
            assertThat(file.get("owner_id").asText()).isEqualTo("main-media");
            assertThat(file.get("size").asLong()).isEqualTo(jpeg().length);
            assertThat(file.get("file_name").asText()).isEqualTo("basecloud_wa_0b7c-photo.jpg");
            byte[] blob = new BlobServiceClientBuilder().connectionString(TestAzurite.connectionString()).buildClient()
                    .getBlobContainerClient("wati-media-main-media").getBlobClient(file.get("file_url").asText()
                            .substring(file.get("file_url").asText().lastIndexOf('/') + 1)).downloadContent().toBytes();
            assertThat(blob).isEqualTo(jpeg());

            // delivery status: Read arrives before Delivered, the log shows Read
            JsonNode sent = mapper.readTree(api(port, "POST", "/api/v1/actions",
                    "{\"wati_action\":\"send_session_message\",\"account\":\"main\",\"whatsappNumber\":\"" + NUMBER + "\",\"messageText\":\"status\"}")
                    .body());
            String wamid = sent.get("task_23001_response").get("message").get("whatsappMessageId").asText();
            String watiId = sent.get("task_23001_response").get("message").get("id").asText();
            event(port, "{\"eventType\":\"sentMessageREAD_v2\",\"id\":\"" + watiId + "\",\"whatsappMessageId\":\"" + wamid
                    + "\",\"statusString\":\"Read\",\"waId\":\"" + NUMBER + "\",\"timestamp\":\"1764400200\"}");
            event(port, "{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"" + watiId + "\",\"whatsappMessageId\":\"" + wamid
                    + "\",\"statusString\":\"Delivered\",\"waId\":\"" + NUMBER + "\",\"timestamp\":\"1764400100\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode message = lastMessage(port, "send_session_message");
                return message != null && !message.get("delivered_at").isNull() && !message.get("read_at").isNull();
            });
            JsonNode logged = lastMessage(port, "send_session_message");
            assertThat(logged.get("status").asText()).isEqualTo("READ");
            assertThat(logged.get("read_at").asText()).isEqualTo("2025-11-29T07:10:00Z");
            assertThat(logged.get("delivered_at").asText()).isEqualTo("2025-11-29T07:08:20Z");

            // STOP: templates refused without a WATI call, session replies allowed; START: templates again
            event(port, customerMessage("stop-1", " Stop ", CUSTOMER_WROTE + 300));
            await().atMost(Duration.ofSeconds(20)).until(() -> mapper.readTree(api(port, "GET", "/api/v1/opt-outs/" + NUMBER + "?account=main",
                    null).body()).get("opted_out").asBoolean());
            int before = wati.requests().size();
            String template = "{\"wati_action\":\"send_template_message\",\"account\":\"main\",\"whatsappNumber\":\"+" + NUMBER
                    + "\",\"template_name\":\"order_update\"}";
            HttpResponse<String> refused = api(port, "POST", "/api/v1/actions", template);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(mapper.readTree(refused.body()).get("task_23001_run_text").asText()).contains("opted out");
            HttpResponse<String> refusedAsync = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                    .header("X-API-Key", PackagedJar.API_KEY).header("Prefer", "respond-async")
                    .POST(HttpRequest.BodyPublishers.ofString(template)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refusedAsync.statusCode()).isEqualTo(403);
            assertThat(wati.requests()).hasSize(before);
            assertThat(api(port, "POST", "/api/v1/actions", "{\"wati_action\":\"send_session_message\",\"account\":\"main\","
                    + "\"whatsappNumber\":\"" + NUMBER + "\",\"messageText\":\"We have stopped your messages.\"}").statusCode()).isEqualTo(200);
            event(port, customerMessage("start-1", "START", CUSTOMER_WROTE + 400));
            await().atMost(Duration.ofSeconds(20)).until(() -> !mapper.readTree(api(port, "GET", "/api/v1/opt-outs/" + NUMBER
                    + "?account=main", null).body()).get("opted_out").asBoolean());
            assertThat(api(port, "POST", "/api/v1/actions", template).statusCode()).isEqualTo(200);
            assertThat(wati.requests().stream().filter(r -> r.rawPath().endsWith("sendTemplateMessage")).count()).isEqualTo(1);

            // a template (V1 answers without ids): its Delivered comes before the templateMessageSent that gives it the ids
            event(port, "{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"tpl-1\",\"whatsappMessageId\":\"wamid.TPL1\","
                    + "\"statusString\":\"Delivered\",\"waId\":\"" + NUMBER + "\",\"timestamp\":\"1764400600\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> received(forward, "sentMessageDELIVERED_v2\",\"id\":\"tpl-1") == 1);
            event(port, "{\"eventType\":\"templateMessageSent_v2\",\"id\":\"tpl-1\",\"whatsappMessageId\":\"wamid.TPL1\","
                    + "\"statusString\":\"SENT\",\"waId\":\"" + NUMBER + "\",\"timestamp\":\"1764400500\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode message = lastMessage(port, "send_template_message");
                return message != null && "DELIVERED".equals(message.get("status").asText());
            });
            JsonNode templateLogged = lastMessage(port, "send_template_message");
            assertThat(templateLogged.get("whatsapp_message_id").asText()).isEqualTo("wamid.TPL1");
            assertThat(templateLogged.get("delivered_at").asText()).isEqualTo("2025-11-29T07:16:40Z");
            assertThat(templateLogged.get("template_name").asText()).isEqualTo("order_update");

            // STOP and START are customer messages like the others: each reached every subscriber once
            await().atMost(Duration.ofSeconds(20)).until(() -> received(crm, "start-1") == 1 && received(tickets, "start-1") == 1
                    && received(forward, "start-1") == 1);
            assertThat(received(crm, "msg-dedup-1")).isEqualTo(1);
            assertThat(received(forward, "msg-dedup-1")).isEqualTo(1);
            assertThat(received(crm, "stop-1")).isEqualTo(1);
            // the example route: each customer message once, the image with its archived file, no status events
            assertThat(received(tickets, "msg-dedup-1")).isEqualTo(1);
            assertThat(received(tickets, "stop-1")).isEqualTo(1);
            assertThat(received(tickets, "wati-")).isZero();
            WatiDouble.Recorded ticket = tickets.requests().stream().filter(r -> r.bodyText().contains("img-1")).findFirst().orElseThrow();
            assertThat(ticket.rawPath()).isEqualTo("/hooks/whatsapp");
            assertThat(ticket.header("WatiFileId")).isEqualTo(fileId);
            assertThat(ticket.header("WatiFileUrl")).isEqualTo(file.get("file_url").asText());
            assertThat(mapper.readTree(ticket.bodyText()).get("data").get("fileName").asText()).isEqualTo("data/images/0b7c-photo.jpg");
            Files.writeString(Path.of("target/webhook-dedup-figures.txt"), String.format(Locale.ROOT,
                    "webhook dedup: 5 deliveries (4 at once, 1 later) -> stored 1 (%d answered duplicate), user route got %d, forward got %d%n",
                    bodies.stream().filter(b -> b.contains("\"duplicate\":true")).count(), received(crm, "msg-dedup-1"),
                    received(forward, "msg-dedup-1")));
        }
    }

    JsonNode lastMessage(int port, String action) throws Exception {
        JsonNode list = mapper.readTree(api(port, "GET", "/api/v1/messages?number=%2B" + NUMBER + "&account=main", null).body());
        for (JsonNode message : list.get("messages")) {
            if (message.get("wati_action").asText().equals(action)) {
                return message;
            }
        }
        return null;
    }

    /**
     * Events stored while the runtime processes them slowly survive a kill -9: after the restart every
     * one reaches the user's route (an event being passed on at the kill may reach it again: counted).
     */
    @Test
    void eventsStoredBeforeAKillAreProcessedAfterTheRestart() throws Exception {
        int total = 40;
        try (WatiDouble wati = wati(); WatiDouble crm = new WatiDouble()) {
            Map<String, String> env = env(wati, routesFolder(crm, "message", 150));
            env.put("WATI_INSTANCE_ID", "events-crash-test");
            env.put("WATI_EVENTS_WORKERS", "2");
            int port = RunningRuntime.freePort();
            Process first = PackagedJar.start(processes, workDir, port, env);
            for (int i = 0; i < total; i++) {
                event(port, customerMessage("crash-" + i + "-x", "order " + i, CUSTOMER_WROTE + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> crm.requests().size() >= 5);
            first.destroyForcibly().waitFor();
            int atKill = crm.requests().size();
            PackagedJar.start(processes, workDir, port, env);
            await().atMost(Duration.ofSeconds(60)).until(() -> distinct(crm).size() == total);
            Map<String, Long> counts = distinct(crm);
            long again = counts.values().stream().filter(n -> n > 1).count();
            String figures = String.format(Locale.ROOT, "webhook crash test: %d events stored, %d passed on at kill -9, all %d passed on after "
                    + "the restart, %d passed on twice (in flight at the kill)%n", total, atKill, counts.size(), again);
            System.out.print(figures);
            Files.writeString(Path.of("target/webhook-crash-figures.txt"), figures);
            assertThat(counts).hasSize(total);
            // at most the events in flight at the kill (two workers) are passed on again
            assertThat(again).isLessThanOrEqualTo(2);
        }
    }

    static Map<String, Long> distinct(WatiDouble crm) {
        return crm.requests().stream().map(r -> r.bodyText().replaceAll("(?s).*\"id\":\"(crash-[0-9]+-x)\".*", "$1"))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    /**
     * Two instances on one PostgreSQL: the same event delivered to both at once is stored and passed on
     * once; 200 different events spread over both are each passed on exactly once.
     */
    @Test
    void twoInstancesOnOnePostgresPassEachEventOnOnce() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); WatiDouble wati = wati(); WatiDouble forward = new WatiDouble();
                WatiDouble crm = new WatiDouble()) {
            Map<String, String> env = env(wati, routesFolder(crm, "*", 0));
            env.put("WATI_EVENTS_FORWARD_URL", forward.url() + "/hook");
            env.put("WATI_DB_URL", postgres.jdbcUrl());
            env.put("WATI_DB_USER", postgres.user());
            env.put("WATI_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
            int[] ports = {RunningRuntime.freePort(), RunningRuntime.freePort()};
            for (int i = 0; i < 2; i++) {
                Map<String, String> own = new HashMap<>(env);
                own.put("WATI_INSTANCE_ID", "instance-" + i);
                own.put("WATI_DATA_DIR", workDir.resolve("data-" + i).toString());
                PackagedJar.start(processes, workDir, ports[i], own);
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            String same = customerMessage("shared-1", "to both", CUSTOMER_WROTE);
            for (int i = 0; i < 8; i++) {
                int port = ports[i % 2];
                answers.add(pool.submit(() -> event(port, same)));
            }
            for (int i = 0; i < 200; i++) {
                int port = ports[i % 2];
                String event = "{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"spread-" + i + "-x\",\"statusString\":\"Delivered\"}";
                answers.add(pool.submit(() -> event(port, event)));
            }
            long fresh = 0;
            for (Future<HttpResponse<String>> answer : answers) {
                fresh += answer.get().body().contains("\"duplicate\":false") ? 1 : 0;
            }
            pool.shutdown();
            assertThat(fresh).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> forward.requests().size() >= 201 && crm.requests().size() >= 201);
            // a second delivery would come soon after the first: the counts hold still for a second
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> forward.requests().size() == 201 && crm.requests().size() == 201);
            assertThat(forward.requests()).hasSize(201);
            assertThat(crm.requests()).hasSize(201);
            assertThat(forward.requests().stream().map(r -> r.bodyText()).distinct().count()).isEqualTo(201);
            assertThat(received(forward, "shared-1")).isEqualTo(1);
        }
    }
}
