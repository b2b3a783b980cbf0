package io.waticamel.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.WatiCamelApplication;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The real runtime (Camel Main, the project's routes/ folder, application.properties) started
 * in-process on a free port, with a throwaway data folder, for tests over real HTTP.
 */
public final class RunningRuntime implements AutoCloseable {

    public static final String API_KEY = "test-api-key-0123456789";

    private final Main main;
    private final int port;
    private final Path dataDir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    public RunningRuntime(Map<String, String> properties) throws Exception {
        this(properties, java.time.Clock.systemUTC());
    }

    /** With the clock the runtime judges scheduled sends, quiet hours and 24-hour windows by (a {@link MutableClock}). */
    public RunningRuntime(Map<String, String> properties, java.time.Clock clock) throws Exception {
        this.port = freePort();
        this.dataDir = Files.createTempDirectory("wati-camel-test");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("camel.server.port", String.valueOf(port));
        all.put("camel.management.port", String.valueOf(port));
        all.put("wati.api-key", API_KEY);
        all.put("wati.data.dir", dataDir.toString());
        all.put("wati.db.url", "jdbc:h2:file:" + dataDir.resolve("wati-camel") + ";WRITE_DELAY=0");
        all.put("wati.request-urls.allow-private-hosts", "true");
        all.put("camel.main.startup-summary-level", "off");
        // short retries and no throttle unless a test says otherwise
        all.put("wati.retry.max-attempts", "3");
        all.put("wati.retry.initial-delay-ms", "20");
        all.put("wati.retry.max-delay-ms", "200");
        all.put("wati.throttle.per-second", "0");
        // most tests' WATI double serves no template catalogue: the catalogue's own tests turn the checks on
        all.put("wati.templates.validate", "false");
        all.put("wati.templates.refresh-interval", "0");
        all.putAll(properties);
        main = WatiCamelApplication.newMain(clock);
        all.forEach(main::addOverrideProperty);
        main.start();
    }

    public static RunningRuntime start() throws Exception {
        return new RunningRuntime(Map.of());
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** POST /api/v1/actions with the test API key. */
    public Response postAction(String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url("/api/v1/actions")))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response postAction(Map<String, ?> fields) throws IOException, InterruptedException {
        return postAction(mapper.writeValueAsString(fields));
    }

    public Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = mapper.readTree(response.body());
        } catch (IOException e) {
            // not JSON: the test will say so
        }
        return new Response(response.statusCode(), response.body(), json, response);
    }

    public record Response(int status, String body, JsonNode json, HttpResponse<String> raw) {
        public boolean run() {
            return json.get("task_23001_run").booleanValue();
        }

        public String runText() {
            return json.get("task_23001_run_text").textValue();
        }

        public JsonNode response() {
            return json.get("task_23001_response");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
