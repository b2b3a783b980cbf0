package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.ScriptedNames;
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
 * Everything the runtime sends out goes through one client and the same rules: get_media is a WATI
 * call like the others (throttle, retries, Retry-After), a file_url that cannot be fetched is the
 * caller's 400 (WATI never called, no dead letter), and callbacks and alerts are retried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundCallsTest {

    static final String TOKEN = "outbound-token-5c1e";
    static final long RETRY_DELAY_MS = 1500;
    static final int TRANSFER_TIMEOUT_S = 4;
    WatiDouble wati;
    WatiDouble receiver;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        receiver = new WatiDouble();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.azure.connection-string", TestAzurite.connectionString());
        // a backoff (1.5 s) that a Retry-After of 1 s is told apart from
        properties.put("wati.retry.max-attempts", "2");
        properties.put("wati.retry.initial-delay-ms", String.valueOf(RETRY_DELAY_MS));
        properties.put("wati.retry.max-delay-ms", "3000");
        properties.put("wati.accounts.paced.endpoint", wati.url() + "/paced");
        properties.put("wati.accounts.paced.token", TOKEN);
        properties.put("wati.throttle.accounts.paced.per-second", "2");
        properties.put("wati.http.transfer-timeout", TRANSFER_TIMEOUT_S + "s");
        properties.put("wati.notifications.initial-delay-ms", "100");
        properties.put("wati.notifications.max-delay-ms", "300");
        properties.put("wati.alerts.after-failures", "2");
        properties.put("wati.alerts.webhook-url", receiver.url() + "/alerts");
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        receiver.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        receiver.reset();
    }

    Map<String, Object> getMedia(String endpoint, String fileName) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "get_media");
        task.put("api_endpoint", endpoint + "/123456");
        task.put("access_token", TOKEN);
        task.put("file_url", endpoint + "/api/file/showFile?fileName=" + fileName);
        task.put("owner_id", "outbound");
        return task;
    }

    Map<String, Object> sendFile(String fileUrl) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_file");
        task.put("api_endpoint", wati.url());
        task.put("access_token", TOKEN);
        task.put("whatsappNumber", "27821234567");
        task.put("file_url", fileUrl);
        return task;
    }

    JsonNode deadLetters() throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/dead-letters?size=100")))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json().get("dead_letters");
    }

    static long gapMs(WatiDouble.Recorded a, WatiDouble.Recorded b) {
        return (b.receivedNanos() - a.receivedNanos()) / 1_000_000;
    }

    @Test
    void getMediaAfterOne503SucceedsOnTheSecondAttempt() throws Exception {
        wati.next(Answer.json(503, "{\"message\":\"busy\"}"));
        wati.answer(Answer.bytes(200, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}));

        RunningRuntime.Response response = runtime.postAction(getMedia(wati.url(), "data/images/after-503.png"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.response().get("size").asLong()).isEqualTo(4);
        assertThat(wati.requests()).hasSize(2);
        assertThat(wati.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN));
    }

    @Test
    void getMediaHonoursRetryAfterFromShowFile() throws Exception {
        wati.next(new Answer(429, Map.of("Retry-After", "1"), new byte[0]));
        wati.answer(Answer.bytes(200, "audio/ogg", "OggS".getBytes()));

        RunningRuntime.Response response = runtime.postAction(getMedia(wati.url(), "data/audios/after-429.ogg"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(wati.requests()).hasSize(2);
        // Retry-After: 1 (not the 1.5 s backoff)
        assertThat(gapMs(wati.requests().get(0), wati.requests().get(1))).isBetween(950L, 1450L);
    }

    @Test
    void getMediaAfterOneRefusedConnectionSucceedsOnTheSecondAttempt() throws Exception {
        wati.answer(Answer.bytes(200, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1}));
        int port = java.net.URI.create(wati.url()).getPort();
        // the first connection goes where nothing listens (refused at once), the retry's to the double
        ScriptedNames.script("media.rebind.test", "127.0.0.2", "127.0.0.1");

        RunningRuntime.Response answer = runtime.postAction(getMedia("http://media.rebind.test:" + port, "data/images/late.png"));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.response().get("size").asLong()).isEqualTo(5);
        assertThat(wati.onlyRequest().rawPath() + "?" + wati.onlyRequest().rawQuery())
                .isEqualTo("/api/file/showFile?fileName=data/images/late.png");
    }

    @Test
    void mediaCallsCountAgainstTheAccountsRate() throws Exception {
        wati.answer(r -> r.method().equals("GET") ? Answer.bytes(200, "image/jpeg", new byte[] {1, 2, 3})
                : Answer.json(200, "{\"result\":true}"));
        List<CompletableFuture<RunningRuntime.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Map<String, Object> task;
            if (i % 2 == 0) {
                task = getMedia(wati.url(), "data/images/paced-" + i + ".jpg");
                task.remove("api_endpoint");
                task.remove("access_token");
            } else {
                task = new LinkedHashMap<>(Map.of("wati_action", "send_session_message", "whatsappNumber", "27821234567",
                        "messageText", "paced " + i));
            }
            task.put("account", "paced");
            Map<String, Object> fields = task;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.postAction(fields);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<RunningRuntime.Response> call : calls) {
            assertThat(call.get().status()).as(call.get().body()).isEqualTo(200);
        }

        List<WatiDouble.Recorded> requests = wati.requests();
        assertThat(requests).hasSize(4);
        assertThat(requests.stream().filter(r -> r.method().equals("GET")).count()).isEqualTo(2);
        // 2 per second for the account, media and messages alike: every call leaves at least ~0.5 s after the one before
        for (int i = 1; i < requests.size(); i++) {
            assertThat(gapMs(requests.get(i - 1), requests.get(i))).isGreaterThanOrEqualTo(450L);
        }
    }

    @Test
    void aMalformedRedirectIsTheCallers400WithoutRetryOrDeadLetter() throws Exception {
        wati.answer(new Answer(302, Map.of("Location", "http://[not a host/x.jpg"), new byte[0]));
        int lettersBefore = deadLetters().size();

        RunningRuntime.Response response = runtime.postAction(getMedia(wati.url(), "data/images/moved.jpg"));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.runText()).startsWith("The redirect could not be followed: Invalid redirect URI: http://[not a host/x.jpg");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(wati.requests()).hasSize(1);
        assertThat(deadLetters().size()).isEqualTo(lettersBefore);
    }

    @Test
    void aFileUrlThatCannotBeFetchedIsTheCallersProblem() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            files.answer(new Answer(404, Map.of(), new byte[0]));
            int lettersBefore = deadLetters().size();

            RunningRuntime.Response unresolvable = runtime.postAction(sendFile("http://no-such-host.invalid/invoice.pdf"));
            RunningRuntime.Response notFound = runtime.postAction(sendFile(files.url() + "/missing.pdf"));
            files.answer(new Answer(503, Map.of(), new byte[0]));
            RunningRuntime.Response broken = runtime.postAction(sendFile(files.url() + "/broken.pdf"));
            RunningRuntime.Response refused = runtime.postAction(sendFile("http://127.0.0.1:" + RunningRuntime.freePort() + "/x.pdf"));

            assertThat(unresolvable.status()).isEqualTo(400);
            assertThat(unresolvable.runText()).isEqualTo("file_url host cannot be resolved: no-such-host.invalid");
            assertThat(notFound.status()).isEqualTo(400);
            assertThat(notFound.runText()).isEqualTo("file_url could not be downloaded: HTTP 404");
            assertThat(broken.status()).isEqualTo(400);
            assertThat(broken.runText()).isEqualTo("file_url could not be downloaded: HTTP 503");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.runText()).startsWith("file_url could not be downloaded: HttpHostConnectException");
            assertThat(files.requests()).hasSize(2);
            assertThat(wati.requests()).isEmpty();
            assertThat(deadLetters().size()).isEqualTo(lettersBefore);
        }
    }

    @Test
    void aDownloadDrippingAByteEveryTwoSecondsIsCutAtTheTransferDeadline() throws Exception {
        HttpServer drip = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        drip.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/pdf");
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                // one byte every 2 s: each read returns well inside the 60 s read timeout
                for (int i = 0; i < 60; i++) {
                    out.write('%');
                    out.flush();
                    Thread.sleep(2000);
                }
            } catch (IOException | InterruptedException cut) {
                // the runtime closed the connection
            }
        });
        drip.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        drip.start();
        try {
            long start = System.nanoTime();
            RunningRuntime.Response response = runtime.postAction(sendFile("http://127.0.0.1:" + drip.getAddress().getPort()
                    + "/slow.pdf"));
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.runText()).isEqualTo("file_url could not be downloaded: TransferTimeoutException: the transfer took "
                    + "longer than wati.http.transfer-timeout (" + TRANSFER_TIMEOUT_S + "s)");
            assertThat(tookMs).as("cut at the deadline, not after the 60 bytes (120 s)").isLessThan(60_000);
            assertThat(wati.requests()).isEmpty();
        } finally {
            drip.stop(0);
        }
    }

    @Test
    void aCallbackThatFailsIsRetried() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true}"));
        receiver.next(Answer.json(503, "{}"));
        receiver.answer(Answer.json(200, "{}"));
        Map<String, Object> task = new LinkedHashMap<>(Map.of("wati_action", "send_session_message", "api_endpoint", wati.url(),
                "access_token", TOKEN, "whatsappNumber", "27821234567", "messageText", "call me back", "async", true,
                "callback_url", receiver.url() + "/callback"));

        RunningRuntime.Response accepted = runtime.postAction(task);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 2);
        assertThat(receiver.requests()).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.rawPath()).isEqualTo("/callback");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("\"action_id\":\"" + accepted.json().get("action_id").asText() + "\"");
        });
    }

    @Test
    void anAlertThatFailsIsRetried() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":false,\"message\":\"Ticket has been expired.\"}"));
        receiver.next(new Answer(500, Map.of(), new byte[0]));
        receiver.answer(Answer.json(200, "{}"));
        Map<String, Object> task = new LinkedHashMap<>(Map.of("wati_action", "send_session_message",
                "api_endpoint", wati.url() + "/alerting", "access_token", TOKEN, "whatsappNumber", "27821234567", "messageText", "x"));

        runtime.postAction(task);
        runtime.postAction(task);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 2);
        assertThat(receiver.requests().get(1).bodyText()).contains("\"consecutive_failures\":2").doesNotContain(TOKEN);
    }
}
