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

import io.waticamel.testing.RunningRuntime;
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

    Process startJar(int port) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder("java", "-Dwati.files.allow-private-hosts=true", "-jar", jar.toString())
                .directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("runtime-" + processes.size() + ".log").toFile());
        builder.environment().put("HTTP_PORT", String.valueOf(port));
        builder.environment().put("WATI_API_KEY", "it-key-123456");
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
