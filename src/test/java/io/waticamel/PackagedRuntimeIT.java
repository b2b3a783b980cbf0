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
import io.waticamel.testing.PackagedJar;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user runs it: {@code java -jar} in an empty folder, actions over HTTP, the
 * user's route files added to a folder of their own without rebuilding, media streamed in a small
 * heap, and async actions across a killed runtime.
 */
class PackagedRuntimeIT {

    /** The JDK running the tests runs the jar too (Java 25 in CI, not whatever java is on the PATH). */
    static final String JAVA = PackagedJar.JAVA;

    final HttpClient client = HttpClient.newHttpClient();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path workDir;

    @AfterEach
    void stopAll() throws Exception {
        PackagedJar.stopAll(processes);
    }

    Process startJar(int port, String... jvmOptions) throws IOException, InterruptedException {
        return startJar(port, Map.of(), jvmOptions);
    }

    Process startJar(int port, Map<String, String> env, String... jvmOptions) throws IOException, InterruptedException {
        return PackagedJar.start(processes, workDir, port, env, jvmOptions);
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
     * once or as a dead letter, none is lost. Once with the packaged database URL, once with an H2
     * URL as a user writes it (no flags): durability must not depend on the URL. Figures printed and
     * written to target/crash-figures.txt (packaged URL) and target/crash-figures-user-url.txt.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "wati.db.url {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"packaged", "jdbc:h2:file:<dir>/db"})
    void asyncActionsSurviveAKilledRuntime(String dbUrl) throws Exception {
        int total = 200;
        Map<String, String> env = new java.util.HashMap<>(Map.of("WATI_INSTANCE_ID", "crash-test", "WATI_THROTTLE_PER_SECOND", "20",
                "WATI_OUTBOX_POLL_MS", "100", "WATI_RETRY_INITIAL_DELAY_MS", "100"));
        boolean userUrl = !dbUrl.equals("packaged");
        if (userUrl) {
            env.put("WATI_DB_URL", dbUrl.replace("<dir>", workDir.resolve("user-db").toString()));
        }
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
            // an accepted action the restarted runtime does not know (404) was lost: final too, and counted
            java.util.Set<String> finalStates = java.util.Set.of("done", "dead", "HTTP 404");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> {
                        for (String id : accepted) {
                            if (!finalStates.contains(states.getOrDefault(id, "unknown"))) {
                                HttpResponse<String> s = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                        + "/api/v1/actions/" + id)).header("X-API-Key", "it-key-123456").build(),
                                        HttpResponse.BodyHandlers.ofString());
                                JsonNode answer = new ObjectMapper().readTree(s.body());
                                states.put(id, answer.has("state") ? answer.get("state").asText() : "HTTP " + s.statusCode());
                            }
                        }
                        return states.values().stream().allMatch(finalStates::contains);
                    });

            Map<String, Long> received = wati.requests().stream().collect(java.util.stream.Collectors.groupingBy(
                    r -> r.rawQuery(), java.util.stream.Collectors.counting()));
            long duplicated = received.values().stream().filter(n -> n > 1).count();
            long done = states.values().stream().filter("done"::equals).count();
            long dead = states.values().stream().filter("dead"::equals).count();
            long lost = states.values().stream().filter("HTTP 404"::equals).count();
            String figures = String.format(java.util.Locale.ROOT,
                    "outbox crash test (wati.db.url %s): accepted %d, WATI had received %d at SIGKILL, delivered %d (distinct), "
                            + "duplicated %d, done %d, dead-lettered %d, lost %d%n",
                    dbUrl, accepted.size(), receivedAtKill, received.size(), duplicated, done, dead, lost);
            System.out.print(figures);
            Files.writeString(Path.of(userUrl ? "target/crash-figures-user-url.txt" : "target/crash-figures.txt"), figures);
            assertThat(lost).isZero();
            assertThat(duplicated).isZero();
            assertThat(done + dead).isEqualTo(total);
            assertThat(received.size()).isGreaterThanOrEqualTo((int) done);
            assertThat(received.size()).isLessThanOrEqualTo(total);
        }
    }

    /**
     * The jar in an empty folder runs its own routes (nothing is copied out of it); a routes folder
     * holding only the user's files then adds two actions written in YAML alone (WATI operations the
     * runtime does not wrap, through the generic call), the two-step example workflow and a route of
     * the user's under /api, all over HTTP, without rebuilding.
     */
    @Test
    void jarRunsItsOwnRoutesAndTheUsersRouteFiles() throws Exception {
        try (WatiDouble wati = new WatiDouble(); WatiDouble files = new WatiDouble()) {
            int port = RunningRuntime.freePort();
            Process first = startJar(port);
            assertThat(workDir.resolve("routes")).isEmptyDirectory();

            HttpResponse<String> response = post(port, "/api/v1/actions", "{\"wati_action\":\"send_session_message\","
                    + "\"api_endpoint\":\"" + wati.url() + "/42\",\"access_token\":\"Bearer jar-token\","
                    + "\"whatsappNumber\":\"+27 82 123 4567\",\"messageText\":\"from the jar\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"task_23001_run\":true,\"task_23001_run_text\":\"Successfully sent message.\","
                    + "\"task_23001_response\":{\"result\":true}}");
            assertThat(wati.onlyRequest().rawPath()).isEqualTo("/42/api/v1/sendSessionMessage/27821234567");
            first.destroy();
            first.waitFor();

            Path routes = workDir.resolve("routes");
            for (Path example : List.of(Path.of("examples/routes/add-contact.camel.yaml"),
                    Path.of("examples/routes/get-message-templates.camel.yaml"), Path.of("routes/invoice-then-message.camel.yaml"))) {
                Files.copy(example, routes.resolve(example.getFileName()));
            }
            Files.writeString(routes.resolve("my-api.camel.yaml"), """
                    - route:
                        id: my-hello
                        from:
                          uri: platform-http:/api/v1/my/hello
                          steps:
                            - setBody:
                                constant: hello from my route
                    """);
            startJar(port, "-Dwati.examples.follow-up-delay-ms=50");
            String credentials = "\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"t-1\"";

            // a YAML-only action with a JSON body: the value is escaped, the request exact
            wati.reset();
            HttpResponse<String> added = post(port, "/api/v1/actions", "{\"wati_action\":\"add_contact\"," + credentials
                    + ",\"whatsappNumber\":\"27821234567\",\"name\":\"Jo \\\"JJ\\\" Smith\",\"task_id\":\"7\"}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
            assertThat(added.body()).contains("\"task_7_run\":true", "\"task_7_run_text\":\"Contact added.\"");
            WatiDouble.Recorded addContact = wati.onlyRequest();
            assertThat(addContact.method()).isEqualTo("POST");
            assertThat(addContact.rawPath()).isEqualTo("/api/v1/addContact/27821234567");
            assertThat(addContact.bodyText()).isEqualTo("{\"name\": \"Jo \\\"JJ\\\" Smith\", \"customParams\": []}");
            assertThat(addContact.header("Authorization")).isEqualTo("Bearer t-1");
            assertThat(addContact.header("Content-Type")).startsWith("application/json");

            // a YAML-only GET with a query; WATI's answer is the task response
            wati.reset();
            wati.answer(WatiDouble.Answer.json(200, "{\"result\":\"success\",\"messageTemplates\":[{\"elementName\":\"invoice\"}]}"));
            HttpResponse<String> templates = post(port, "/api/v1/actions", "{\"wati_action\":\"get_message_templates\"," + credentials
                    + ",\"pageSize\":\"10 & more\",\"pageNumber\":1}");
            assertThat(templates.statusCode()).as(templates.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(templates.body()).at("/task_23001_response/messageTemplates/0/elementName").asText())
                    .isEqualTo("invoice");
            assertThat(wati.onlyRequest().method()).isEqualTo("GET");
            assertThat(wati.onlyRequest().rawPath()).isEqualTo("/api/v1/getMessageTemplates");
            assertThat(wati.onlyRequest().rawQuery()).isEqualTo("pageSize=10%20%26%20more&pageNumber=1");

            // the unknown-action answer lists the user's actions after the runtime's
            HttpResponse<String> unknown = post(port, "/api/v1/actions", "{\"wati_action\":\"send_fax\"," + credentials + "}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("Valid actions: send_session_message, send_template_message, send_session_file, "
                    + "update_contact, get_media, add_contact, get_message_templates");

            // the two-step example workflow
            wati.reset();
            wati.answer(WatiDouble.Answer.json(200, "{\"result\":true}"));
            files.answer(WatiDouble.Answer.bytes(200, "application/pdf", "%PDF-1.4 invoice".getBytes()));
            HttpResponse<String> workflow = post(port, "/api/v1/workflows/invoice-then-message", "{" + credentials
                    + ",\"whatsappNumber\":\"27821234567\",\"file_url\":\"" + files.url() + "/INV-9.pdf\",\"caption\":\"INV-9\","
                    + "\"messageText\":\"Your invoice\"}");
            assertThat(workflow.statusCode()).as(workflow.body()).isEqualTo(200);
            assertThat(workflow.body()).contains("\"task_23001_run_text\":\"Successfully sent message.\"");
            assertThat(wati.requests()).extracting(WatiDouble.Recorded::rawPath)
                    .containsExactly("/api/v1/sendSessionFile/27821234567", "/api/v1/sendSessionMessage/27821234567");

            // the user's own route under /api needs the key like every other
            HttpResponse<String> noKey = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/my/hello"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noKey.statusCode()).isEqualTo(401);
            HttpResponse<String> withKey = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/my/hello"))
                    .header("X-API-Key", "it-key-123456").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withKey.statusCode()).isEqualTo(200);
            assertThat(withKey.body()).isEqualTo("hello from my route");

            // a caller's HTTP headers never become task fields
            wati.reset();
            HttpResponse<String> headerFields = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                    .header("X-API-Key", "it-key-123456").header("Content-Type", "application/json").header("messageText", "from a header")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\"," + credentials
                            + ",\"whatsappNumber\":\"27821234567\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(headerFields.statusCode()).isEqualTo(400);
            assertThat(headerFields.body()).contains("No messageText provided");
            assertThat(wati.requests()).isEmpty();

            String log = Files.readString(workDir.resolve("runtime-1.log"));
            assertThat(log).contains("Your routes: 4 file(s)").doesNotContain("it-key-123456").doesNotContain("jar-token");
        }
    }

    /**
     * The routes folder an earlier release copied out of its jar (here: the routes of commit
     * ea4e42c, whose send_session_message went to WATI as a GET with today's Java) is refused at
     * start with the files named; nothing is served, so nothing is sent.
     */
    @Test
    void anEarlierReleasesRoutesFolderIsRefusedNamingTheFiles() throws Exception {
        Path old = Files.createDirectories(workDir.resolve("old-routes"));
        try (var listing = Files.list(Path.of("src/test/resources/earlier-release-routes"))) {
            for (Path file : listing.toList()) {
                Files.copy(file, old.resolve(file.getFileName()));
            }
        }
        int port = RunningRuntime.freePort();
        Path jar = Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
        Process process = new ProcessBuilder(JAVA, "-Dwati.routes.dir=" + old, "-Dcamel.server.port=" + port, "-jar", jar.toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(workDir.resolve("refused.log").toFile()).start();
        processes.add(process);
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the runtime exits").isTrue();
        assertThat(process.exitValue()).isNotZero();
        String log = Files.readString(workDir.resolve("refused.log"));
        assertThat(log).contains("redefine what the runtime owns")
                .contains(old.resolve("wati-action.camel.yaml") + ": route id 'wati-action', endpoint direct:wati-action")
                .contains(old.resolve("send-session-message.camel.yaml").toString())
                .contains(old.resolve("actions-api.camel.yaml").toString());
    }

    /** Named API keys given on the command line (-D before -jar) and in the environment both open the API; neither is logged. */
    @Test
    void namedApiKeysWorkFromTheCommandLineAndTheEnvironment() throws Exception {
        int port = RunningRuntime.freePort();
        startJar(port, Map.of("WATI_API_KEYS_ERP", "erp-key-from-the-environment"), "-Dwati.api-keys.crm=crm-key-from-the-command-line");

        for (String key : List.of("crm-key-from-the-command-line", "erp-key-from-the-environment", "it-key-123456", "wrong-key")) {
            HttpResponse<String> letters = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/dead-letters"))
                    .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(letters.statusCode()).as("X-API-Key %s: %s", key, letters.body()).isEqualTo(key.equals("wrong-key") ? 401 : 200);
        }
        assertThat(Files.readString(workDir.resolve("runtime-0.log"))).doesNotContain("crm-key-from-the-command-line")
                .doesNotContain("erp-key-from-the-environment");
    }

    /** A first start in an empty folder, as packaged (./data, H2 in it, a generated API key): nothing on disk is open to others. */
    @Test
    void aFirstStartLeavesNothingOnDiskOpenToOthers() throws Exception {
        int port = RunningRuntime.freePort();
        startJar(port, Map.of("WATI_API_KEY", ""));

        Path data = workDir.resolve("data");
        assertThat(permissions(data)).isEqualTo("rwx------");
        for (String file : List.of("api-key", "secret-key", "wati-camel.mv.db")) {
            assertThat(permissions(data.resolve(file))).as(file).isEqualTo("rw-------");
        }
    }

    static String permissions(Path path) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /**
     * WATI_LOG_FORMAT=json: every line the packaged runtime writes through its logs is one JSON object
     * (the JSON layout's plugins survive the shaded jar), a request's lines carry its id, and the
     * last start-up line is there too. A value other than text or json stops the start.
     */
    @Test
    void jsonLogLinesCarryTheRequestId() throws Exception {
        int port = RunningRuntime.freePort();
        startJar(port, Map.of("WATI_LOG_FORMAT", "json"));
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                .header("X-API-Key", "it-key-123456").header("X-Request-Id", "json-log-check-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\": \"send_session_message\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("X-Request-Id")).hasValue("json-log-check-1");

        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            lines.clear();
            // the JVM's own warnings (Netty's use of sun.misc.Unsafe) are not log lines
            for (String line : Files.readAllLines(workDir.resolve("runtime-0.log"))) {
                if (!line.startsWith("WARNING: ")) {
                    lines.add(mapper.readTree(line));
                }
            }
            assertThat(lines).anySatisfy(line -> assertThat(line.path("request_id").asText()).isEqualTo("json-log-check-1"));
        });
        assertThat(lines).allSatisfy(line -> assertThat(line.fieldNames()).toIterable().contains("time", "level", "logger", "message"));
        assertThat(lines).anySatisfy(line -> assertThat(line.get("message").asText()).contains(" ready on http://localhost:" + port));

        Process wrong = new ProcessBuilder(JAVA, "-Dwati.log.format=jsno", "-jar",
                Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath().toString()).directory(workDir.toFile())
                .redirectErrorStream(true).start();
        String said = new String(wrong.getInputStream().readAllBytes());
        assertThat(wrong.waitFor()).isEqualTo(2);
        assertThat(said).contains("wati.log.format (WATI_LOG_FORMAT) is text or json, not 'jsno'");
    }

    /** However the port is set (-D here, with HTTP_PORT naming another), the API and health move together. */
    @Test
    void healthMovesWithTheApiPort() throws Exception {
        int port = RunningRuntime.freePort();
        startJar(port, Map.of("HTTP_PORT", String.valueOf(RunningRuntime.freePort())), "-Dcamel.server.port=" + port);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(post(port, "/api/v1/actions", "{}").statusCode()).isEqualTo(400);
    }
}
