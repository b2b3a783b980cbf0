package io.waticamel.testing;

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

/** The runnable jar started as a user starts it ({@code java -jar} in a folder), waited for until healthy. */
public final class PackagedJar {

    /** The JDK running the tests runs the jar too (Java 25 in CI, not whatever java is on the PATH). */
    public static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    public static final String API_KEY = "it-key-123456";

    private PackagedJar() {
    }

    /**
     * Starts the jar in {@code workDir} on {@code port} (log: {@code runtime-<n>.log}, n = the number of
     * processes started before), adds it to {@code processes} and waits until /observe/health is 200.
     */
    public static Process start(List<Process> processes, Path workDir, int port, Map<String, String> env, String... jvmOptions)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(JAVA, "-Dwati.files.allow-private-hosts=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        Path log = workDir.resolve("runtime-" + processes.size() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("HTTP_PORT", String.valueOf(port));
        builder.environment().put("WATI_API_KEY", API_KEY);
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        HttpClient client = HttpClient.newHttpClient();
        org.awaitility.Awaitility.await("runtime healthy on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("runtime exited: " + Files.readString(log));
                    }
                    try {
                        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    } catch (IOException notYet) {
                        return false; // not listening yet
                    }
                });
        return process;
    }

    /** Stops each process (SIGTERM, then SIGKILL after 20 s). */
    public static void stopAll(List<Process> processes) throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
