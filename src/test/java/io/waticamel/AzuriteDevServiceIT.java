package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.media.AzuriteDevService;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azurite dev service (no connection string) as a user meets it: installed and started in the
 * background from start-up, a get_media that comes first waits for it (bounded), the Azurite of a
 * runtime killed with SIGKILL is stopped by the next start on the same data folder, a normal stop
 * stops it, and a port taken by something else is an error naming wati.azurite.port.
 * No network: "npm" is a stand-in that links the suite's own Azurite installation once the test
 * lets it, so the test decides how long the install takes.
 */
class AzuriteDevServiceIT {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final String API_KEY = "it-key-123456";

    final HttpClient client = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();
    final List<Process> runtimes = new ArrayList<>();
    final List<Long> azurites = new ArrayList<>();

    @TempDir
    Path workDir;

    /** Whatever a failed test left behind: no runtime and no Azurite outlives it. */
    @AfterEach
    void stopAll() throws Exception {
        for (Process runtime : runtimes) {
            runtime.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        for (long pid : azurites) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void preparedInTheBackgroundAndAKilledRuntimesAzuriteIsStoppedByTheNextStart() throws Exception {
        Path release = workDir.resolve("npm-may-finish");
        Path fakeBin = fakeNpm(suiteInstallation(), release);
        int azuritePort = RunningRuntime.freePort();
        int port = RunningRuntime.freePort();
        Map<String, String> env = Map.of("PATH", fakeBin + ":" + System.getenv("PATH"), "WATI_AZURITE_PORT", String.valueOf(azuritePort),
                "WATI_AZURITE_PREPARE_AT_START", "true", "WATI_AZURITE_READY_WAIT_SECONDS", "15");
        Path pidFile = workDir.resolve("data/azurite/blobs/azurite.pid");
        var blobs = new BlobServiceClientBuilder().connectionString(AzuriteDevService.connectionString(azuritePort)).buildClient();
        try (WatiDouble wati = new WatiDouble()) {
            wati.answer(WatiDouble.Answer.bytes(200, "image/png", new byte[] {1, 2, 3}));

            // first start: healthy while npm is still "installing"
            Process first = startJar(port, env, "first.log");
            assertThat(Files.readString(workDir.resolve("first.log")))
                    .contains("installing Azurite " + AzuriteDevService.VERSION + " into " + workDir.resolve("data/azurite/install"))
                    .doesNotContain("started on 127.0.0.1:" + azuritePort);

            // a get_media waits for it, up to wati.azurite.ready-wait-seconds; WATI is not called
            JsonNode tooEarly = getMedia(port, wati, "early");
            assertThat(tooEarly.get("task_23001_run_text").asText()).startsWith("Media storage is not ready");
            assertThat(wati.requests()).isEmpty();

            CompletableFuture<HttpResponse<String>> waiting = sendGetMedia(port, wati, "waiting");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> !waiting.isDone() && wati.requests().isEmpty());
            Files.createFile(release);
            HttpResponse<String> stored = waiting.get(60, TimeUnit.SECONDS);
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
            assertThat(Files.readString(workDir.resolve("first.log"))).contains("started on 127.0.0.1:" + azuritePort);
            long leftover = azuritePid(pidFile);
            azurites.add(leftover);

            // SIGKILL: the runtime cannot stop its Azurite, which keeps running
            first.destroyForcibly().waitFor();
            assertThat(ProcessHandle.of(leftover)).get().matches(ProcessHandle::isAlive, "the killed runtime's Azurite runs on");

            // the next start on the same data folder stops it and starts its own
            Process second = startJar(port, env, "second.log");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(workDir.resolve("second.log"))
                    .contains("started on 127.0.0.1:" + azuritePort));
            assertThat(Files.readString(workDir.resolve("second.log")))
                    .contains("stopping Azurite (pid " + leftover + ") left running by an earlier run");
            assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).isEmpty();
            long own = azuritePid(pidFile);
            azurites.add(own);
            assertThat(own).isNotEqualTo(leftover);
            assertThat(getMedia(port, wati, "after-restart").get("task_23001_run").asBoolean()).isTrue();
            assertThat(blobs.getBlobContainerClient("wati-media-waiting").listBlobs()).as("blobs stored before the kill").hasSize(1);

            // another process on the same data folder leaves a running runtime's Azurite alone
            assertThatThrownBy(() -> AzuriteDevService.start(suiteInstallation(), workDir.resolve("data/azurite/blobs"),
                    RunningRuntime.freePort())).hasMessageContaining("belongs to another running runtime (pid " + second.pid() + ")");
            assertThat(ProcessHandle.of(own)).get().matches(ProcessHandle::isAlive, "the running runtime's Azurite");

            // a normal stop stops it and removes the record
            second.destroy();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(own).filter(ProcessHandle::isAlive).isEmpty());
            assertThat(pidFile).doesNotExist();
        }
    }

    @Test
    void aPortTakenByAnotherProcessIsAnErrorNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                WatiDouble wati = new WatiDouble();
                RunningRuntime runtime = new RunningRuntime(Map.of("wati.azurite.port", String.valueOf(taken.getLocalPort()),
                        "wati.azurite.install-dir", suiteInstallation().toString(), "wati.azurite.prepare-at-start", "true"))) {
            RunningRuntime.Response response = runtime.postAction(Map.of("wati_action", "get_media", "api_endpoint", wati.url(),
                    "access_token", "t-1", "owner_id", "taken", "file_url", wati.url() + "/api/file/showFile?fileName=data/images/a.png"));

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.runText()).contains("Port " + taken.getLocalPort() + " on 127.0.0.1 is taken by another process")
                    .contains("set wati.azurite.port to a free port");
            assertThat(wati.requests()).isEmpty();
        }
    }

    @Test
    void withoutPreparingAtStartTheFirstGetMediaStartsItAndWaitsForIt() throws Exception {
        int azuritePort = RunningRuntime.freePort();
        Path pidFile;
        long azurite;
        try (WatiDouble wati = new WatiDouble();
                RunningRuntime runtime = new RunningRuntime(Map.of("wati.azurite.port", String.valueOf(azuritePort),
                        "wati.azurite.install-dir", suiteInstallation().toString(), "wati.azurite.prepare-at-start", "false"))) {
            wati.answer(WatiDouble.Answer.bytes(200, "image/png", new byte[] {1, 2, 3}));
            pidFile = runtime.dataDir().resolve("azurite/blobs/azurite.pid");
            assertThat(pidFile).as("nothing started at start-up").doesNotExist();

            RunningRuntime.Response response = runtime.postAction(Map.of("wati_action", "get_media", "api_endpoint", wati.url(),
                    "access_token", "t-1", "owner_id", "lazy", "file_url", wati.url() + "/api/file/showFile?fileName=data/images/a.png"));

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            azurite = azuritePid(pidFile);
            azurites.add(azurite);
        }
        assertThat(ProcessHandle.of(azurite).filter(ProcessHandle::isAlive)).as("stopped with the runtime").isEmpty();
        assertThat(pidFile).doesNotExist();
    }

    /** The Azurite the suite installs for its tests (see TestAzurite), installed now if missing. */
    static Path suiteInstallation() throws Exception {
        Path install = Path.of(System.getProperty("wati.test.azurite-dir", ".tools/azurite")).toAbsolutePath();
        AzuriteDevService.install(install);
        return install;
    }

    /**
     * A folder with an "npm" that waits for {@code release} to exist, then links the suite's
     * installation into its --prefix; it gives up when the runtime that started it is gone.
     */
    Path fakeNpm(Path suiteInstallation, Path release) throws IOException {
        Path bin = Files.createDirectories(workDir.resolve("fake-bin"));
        Path npm = bin.resolve("npm");
        Files.writeString(npm, """
                #!/bin/sh
                while [ "$#" -gt 0 ] && [ "$1" != "--prefix" ]; do shift; done
                while [ ! -e '%s' ]; do kill -0 $PPID 2>/dev/null || exit 1; sleep 0.1; done
                ln -s '%s' "$2/node_modules"
                """.formatted(release, suiteInstallation.resolve("node_modules")));
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    JsonNode getMedia(int port, WatiDouble wati, String owner) throws Exception {
        HttpResponse<String> answer = sendGetMedia(port, wati, owner).get(60, TimeUnit.SECONDS);
        return mapper.readTree(answer.body());
    }

    CompletableFuture<HttpResponse<String>> sendGetMedia(int port, WatiDouble wati, String owner) {
        String body = "{\"wati_action\":\"get_media\",\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"t-1\",\"owner_id\":\""
                + owner + "\",\"file_url\":\"" + wati.url() + "/api/file/showFile?fileName=data/images/a.png\"}";
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                .header("X-API-Key", API_KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static long azuritePid(Path pidFile) throws IOException {
        Properties record = new Properties();
        try (Reader in = Files.newBufferedReader(pidFile)) {
            record.load(in);
        }
        return Long.parseLong(record.getProperty("azurite.pid"));
    }

    /** java -jar in the work dir (data folder ./data), no connection string, settings from the environment. */
    Process startJar(int port, Map<String, String> env, String log) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", jar.toString()).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve(log).toFile());
        builder.environment().remove("WATI_AZURE_CONNECTION_STRING");
        builder.environment().putAll(Map.of("HTTP_PORT", String.valueOf(port), "WATI_API_KEY", API_KEY,
                "WATI_FILES_ALLOW_PRIVATE_HOSTS", "true"));
        builder.environment().putAll(env);
        Process process = builder.start();
        runtimes.add(process);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("runtime exited: " + Files.readString(workDir.resolve(log)));
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                        .build(), HttpResponse.BodyHandlers.ofString());
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
}
