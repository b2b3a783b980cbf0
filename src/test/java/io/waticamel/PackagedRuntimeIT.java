package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.GeneratedBytes;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user runs it: {@code java -jar} in an empty folder (the routes folder is
 * created from the jar), an action over HTTP, then a route file dropped into that folder runs
 * after a restart, without rebuilding anything.
 */
class PackagedRuntimeIT {

    final HttpClient client = HttpClient.newHttpClient();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path workDir;

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    Process startJar(int port, String... jvmOptions) throws IOException, InterruptedException {
        return startJar(port, Map.of(), jvmOptions);
    }

    Process startJar(int port, Map<String, String> env, String... jvmOptions) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("java", "-Dwati.files.allow-private-hosts=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("runtime-" + processes.size() + ".log").toFile());
        builder.environment().put("HTTP_PORT", String.valueOf(port));
        builder.environment().put("WATI_API_KEY", "it-key-123456");
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("runtime exited: " + Files.readString(workDir.resolve("runtime-" + (processes.size() - 1) + ".log")));
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("runtime not healthy within 60 s");
    }

    HttpResponse<String> post(int port, String path, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", "it-key-123456").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Media is streamed, never held in memory: 100 MB through get_media (WATI double to Azurite) and
     * 95 MB through send_session_file (file host to the WATI double), with the runtime at -Xmx128m.
     * The throughput is printed and written to target/streaming-figures.txt (no timing assertion).
     */
    @Test
    void streamsAHundredMegabytesInASmallHeap() throws Exception {
        long mediaSize = 100L * 1024 * 1024;
        long documentSize = 95L * 1024 * 1024;
        String connectionString = TestAzurite.connectionString();
        try (WatiDouble wati = new WatiDouble(); WatiDouble files = new WatiDouble()) {
            wati.answer(r -> r.method().equals("GET")
                    ? WatiDouble.Answer.streamed("image/jpeg", mediaSize, () -> new GeneratedBytes(42, mediaSize))
                    : WatiDouble.Answer.json(200, "{\"result\":true}"));
            files.answer(WatiDouble.Answer.streamed("application/pdf", documentSize, () -> new GeneratedBytes(43, documentSize)));
            int port = RunningRuntime.freePort();
            startJar(port, "-Xmx128m", "-Dwati.azure.connection-string=" + connectionString);

            long start = System.nanoTime();
            HttpResponse<String> media = post(port, "/api/v1/actions", "{\"wati_action\":\"get_media\",\"api_endpoint\":\""
                    + wati.url() + "\",\"access_token\":\"t-123\",\"owner_id\":\"big\",\"file_url\":\"" + wati.url()
                    + "/api/file/showFile?fileName=data/images/big.jpg\"}");
            double mediaSeconds = (System.nanoTime() - start) / 1e9;
            assertThat(media.statusCode()).as(media.body()).isEqualTo(200);
            JsonNode stored = new ObjectMapper().readTree(media.body()).get("task_23001_response");
            assertThat(stored.get("size").asLong()).isEqualTo(mediaSize);
            var blob = new BlobServiceClientBuilder().connectionString(connectionString).buildClient()
                    .getBlobContainerClient("wati-media-big").getBlobClient(stored.get("id").asText() + "-basecloud_wa_big.jpg");
            assertThat(GeneratedBytes.sha256(blob.openInputStream())).isEqualTo(GeneratedBytes.sha256(new GeneratedBytes(42, mediaSize)));

            start = System.nanoTime();
            HttpResponse<String> sent = post(port, "/api/v1/actions", "{\"wati_action\":\"send_session_file\",\"api_endpoint\":\""
                    + wati.url() + "\",\"access_token\":\"t-123\",\"whatsappNumber\":\"27821234567\",\"file_url\":\""
                    + files.url() + "/big.pdf\"}");
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
            WatiDouble.Recorded upload = wati.requests().get(1);
            assertThat(upload.rawPath()).isEqualTo("/api/v1/sendSessionFile/27821234567");
            assertThat(upload.bodyLength()).isGreaterThan(documentSize);

            String figures = String.format(java.util.Locale.ROOT,
                    "get_media 100 MiB at -Xmx128m: %.2f s, %.1f MB/s%nsend_session_file 95 MiB at -Xmx128m: %.2f s, %.1f MB/s%n",
                    mediaSeconds, mediaSize / 1e6 / mediaSeconds, sendSeconds, documentSize / 1e6 / sendSeconds);
            System.out.print(figures);
            Files.writeString(Path.of("target/streaming-figures.txt"), figures);
        }
    }

    /**
     * The outbox survives kill -9: async actions are accepted, the runtime is killed with SIGKILL
     * mid-batch and restarted on the same data folder; every accepted action ends delivered exactly
     * once or as a dead letter. Figures printed and written to target/crash-figures.txt.
     */
    @Test
    void asyncActionsSurviveAKilledRuntime() throws Exception {
        int total = 200;
        Map<String, String> env = Map.of("WATI_INSTANCE_ID", "crash-test", "WATI_THROTTLE_PER_SECOND", "20",
                "WATI_OUTBOX_POLL_MS", "100", "WATI_RETRY_INITIAL_DELAY_MS", "100");
        try (WatiDouble wati = new WatiDouble()) {
            // WATI takes 50 ms per call, so a kill is likely to land while a call is in flight
            wati.answer(r -> {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                return WatiDouble.Answer.json(200, "{\"result\":true}");
            });
            int port = RunningRuntime.freePort();
            Process first = startJar(port, env);
            List<String> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.ExecutorService posters = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<?>> posts = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int n = i;
                posts.add(posters.submit(() -> {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                            .header("X-API-Key", "it-key-123456").header("Prefer", "respond-async").header("Idempotency-Key", "crash-" + n)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\",\"api_endpoint\":\""
                                    + wati.url() + "\",\"access_token\":\"crash-token\",\"whatsappNumber\":\"27821234567\","
                                    + "\"messageText\":\"m-" + n + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    accepted.add(new ObjectMapper().readTree(r.body()).get("action_id").asText());
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> post : posts) {
                post.get();
            }
            posters.shutdown();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> wati.requests().size() >= 80);
            first.destroyForcibly().waitFor();
            int receivedAtKill = wati.requests().size();

            startJar(port, env);
            Map<String, String> states = new java.util.HashMap<>();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> {
                        for (String id : accepted) {
                            if (!"done".equals(states.get(id)) && !"dead".equals(states.get(id))) {
                                HttpResponse<String> s = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                        + "/api/v1/actions/" + id)).header("X-API-Key", "it-key-123456").build(),
                                        HttpResponse.BodyHandlers.ofString());
                                JsonNode answer = new ObjectMapper().readTree(s.body());
                                states.put(id, answer.has("state") ? answer.get("state").asText() : "HTTP " + s.statusCode());
                            }
                        }
                        return states.values().stream().allMatch(s -> s.equals("done") || s.equals("dead"));
                    });

            Map<String, Long> received = wati.requests().stream().collect(java.util.stream.Collectors.groupingBy(
                    r -> r.rawQuery(), java.util.stream.Collectors.counting()));
            long duplicated = received.values().stream().filter(n -> n > 1).count();
            long done = states.values().stream().filter("done"::equals).count();
            long dead = states.values().stream().filter("dead"::equals).count();
            String figures = String.format(java.util.Locale.ROOT,
                    "outbox crash test: accepted %d, WATI had received %d at SIGKILL, delivered %d (distinct), duplicated %d, done %d, dead-lettered %d%n",
                    accepted.size(), receivedAtKill, received.size(), duplicated, done, dead);
            System.out.print(figures);
            Files.writeString(Path.of("target/crash-figures.txt"), figures);
            assertThat(duplicated).isZero();
            assertThat(done + dead).isEqualTo(total);
            assertThat(received.size()).isGreaterThanOrEqualTo((int) done);
            assertThat(received.size()).isLessThanOrEqualTo(total);
        }
    }

    @Test
    void jarRunsActionsAndLoadsADroppedInRoute() throws Exception {
        try (WatiDouble wati = new WatiDouble()) {
            int port = RunningRuntime.freePort();
            Process first = startJar(port);
            assertThat(workDir.resolve("routes/wati-action.camel.yaml")).exists();

            HttpResponse<String> response = post(port, "/api/v1/actions", "{\"wati_action\":\"send_session_message\","
                    + "\"api_endpoint\":\"" + wati.url() + "/42\",\"access_token\":\"Bearer jar-token\","
                    + "\"whatsappNumber\":\"+27 82 123 4567\",\"messageText\":\"from the jar\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"task_23001_run\":true,\"task_23001_run_text\":\"Successfully sent message.\","
                    + "\"task_23001_response\":{\"result\":true}}");
            assertThat(wati.onlyRequest().rawPath()).isEqualTo("/42/api/v1/sendSessionMessage/27821234567");

            first.destroy();
            first.waitFor();
            Files.writeString(workDir.resolve("routes/greet-customer.camel.yaml"), """
                    - route:
                        id: greet-customer
                        from:
                          uri: platform-http:/custom/greet
                          steps:
                            - setBody:
                                constant: ""
                            - setHeader:
                                name: wati_action
                                constant: send_session_message
                            - setHeader:
                                name: api_endpoint
                                constant: "%s"
                            - setHeader:
                                name: access_token
                                constant: dropped-route-token
                            - setHeader:
                                name: messageText
                                constant: Hello from a dropped-in route
                            - to: direct:wati-action
                            - setBody:
                                simple: "${body[task_23001_run_text]}"
                    """.formatted(wati.url()));
            startJar(port);

            HttpResponse<String> greeted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/custom/greet")).header("whatsappNumber", "27821112222").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(greeted.statusCode()).isEqualTo(200);
            assertThat(greeted.body()).isEqualTo("Successfully sent message.");
            WatiDouble.Recorded sent = wati.requests().get(1);
            assertThat(sent.rawPath()).isEqualTo("/api/v1/sendSessionMessage/27821112222");
            assertThat(sent.rawQuery()).isEqualTo("messageText=Hello%20from%20a%20dropped-in%20route");
            assertThat(sent.header("Authorization")).isEqualTo("Bearer dropped-route-token");
            String log = Files.readString(workDir.resolve("runtime-1.log"));
            assertThat(log).contains("greet-customer").doesNotContain("it-key-123456").doesNotContain("jar-token");
        }
    }
}
