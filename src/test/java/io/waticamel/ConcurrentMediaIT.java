package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.tools.attach.VirtualMachine;
import io.waticamel.testing.GeneratedBytes;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large media at once in a small heap: the packaged jar started as {@code java -Xmx128m -jar} and
 * nothing else (its settings come from the environment), then 2 and then 4 get_media of 100 MiB
 * each at the same time, from the WATI double into the suite's Azurite. Every blob's size and
 * SHA-256 are checked (each file has its own content, so a mix-up shows). The wall time and the
 * runtime's heap and direct-buffer peaks (read through the attach API, so the runtime needs no
 * JMX flag) go to target/concurrent-media-figures.txt; no timing is asserted.
 */
class ConcurrentMediaIT {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final long MEDIA_SIZE = 100L * 1024 * 1024;
    static final String API_KEY = "it-key-123456";
    static final Pattern SEED = Pattern.compile("fileName=data/images/media-(\\d+)\\.jpg");

    final HttpClient client = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();
    Process runtime;

    @TempDir
    Path workDir;

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.destroy();
            if (!runtime.waitFor(20, TimeUnit.SECONDS)) {
                runtime.destroyForcibly();
            }
            // kept for a look after a failure (the work dir is removed)
            Files.copy(workDir.resolve("runtime.log"), Path.of("target/concurrent-media-runtime.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void twoAndThenFourHundredMegabyteGetMediaAtOnceInA128MegabyteHeap() throws Exception {
        String connectionString = TestAzurite.connectionString();
        BlobServiceClient blobs = new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        try (WatiDouble wati = new WatiDouble()) {
            // each file's content is generated from the number in its name
            wati.answer(r -> {
                Matcher m = SEED.matcher(String.valueOf(r.rawQuery()));
                if (!r.method().equals("GET") || !m.matches()) {
                    return WatiDouble.Answer.json(404, "{\"result\":false}");
                }
                long seed = Long.parseLong(m.group(1));
                return WatiDouble.Answer.streamed("image/jpeg", MEDIA_SIZE, () -> new GeneratedBytes(seed, MEDIA_SIZE));
            });
            int port = RunningRuntime.freePort();
            startJar(port, Map.of("WATI_AZURE_CONNECTION_STRING", connectionString, "WATI_FILES_ALLOW_PRIVATE_HOSTS", "true"));
            assertThat(runtime.info().arguments().orElseThrow()).as("the runtime's command line")
                    .containsExactly("-Xmx128m", "-jar", jar().toString());

            Path figures = Path.of("target/concurrent-media-figures.txt");
            Files.deleteIfExists(figures);
            try (RuntimeMemory memory = RuntimeMemory.attach(runtime)) {
                round(port, wati, blobs, memory, 2, 100, figures);
                round(port, wati, blobs, memory, 4, 200, figures);
            }
            assertThat(runtime.isAlive()).isTrue();
            assertThat(Files.readString(workDir.resolve("runtime.log"))).doesNotContain("OutOfMemoryError");
        }
    }

    /** {@code count} get_media at once, files numbered from {@code firstSeed}; the figures, then every blob checked. */
    void round(int port, WatiDouble wati, BlobServiceClient blobs, RuntimeMemory memory, int count, int firstSeed, Path figures)
            throws Exception {
        memory.startSampling();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seed = firstSeed + i;
            String body = "{\"wati_action\":\"get_media\",\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"t-123\","
                    + "\"owner_id\":\"concurrent-" + seed + "\",\"file_url\":\"" + wati.url()
                    + "/api/file/showFile?fileName=data/images/media-" + seed + ".jpg\"}";
            // generous bound: before the fix, two at once failed only after about two minutes
            calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                    .timeout(Duration.ofMinutes(4)).header("X-API-Key", API_KEY).POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        RuntimeMemory.Peaks peaks = memory.stopSampling();
        String line = String.format(Locale.ROOT,
                "%d x get_media 100 MiB at once, java -Xmx128m -jar (no other flag): %.2f s, %.1f MB/s in all; "
                        + "runtime heap used max %.1f MiB, direct buffers max %.1f MiB (sampled every 20 ms); HTTP %s%n",
                count, seconds, count * MEDIA_SIZE / 1e6 / seconds, peaks.heap() / 1048576.0, peaks.direct() / 1048576.0,
                calls.stream().map(c -> c.isCompletedExceptionally() ? "none" : String.valueOf(c.join().statusCode())).toList());
        System.out.print(line);
        Files.writeString(figures, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);

        for (int i = 0; i < count; i++) {
            int seed = firstSeed + i;
            HttpResponse<String> answer = calls.get(i).join();
            assertThat(answer.statusCode()).as("get_media %d of %d at once: %s", i + 1, count, answer.body()).isEqualTo(200);
            JsonNode stored = mapper.readTree(answer.body()).get("task_23001_response");
            assertThat(stored.get("size").asLong()).isEqualTo(MEDIA_SIZE);
            var blob = blobs.getBlobContainerClient("wati-media-concurrent-" + seed)
                    .getBlobClient(stored.get("id").asText() + "-basecloud_wa_media-" + seed + ".jpg");
            assertThat(blob.getProperties().getBlobSize()).isEqualTo(MEDIA_SIZE);
            assertThat(GeneratedBytes.sha256(blob.openInputStream())).as("blob of media-%d", seed)
                    .isEqualTo(GeneratedBytes.sha256(new GeneratedBytes(seed, MEDIA_SIZE)));
        }
    }

    void startJar(int port, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-Xmx128m", "-jar", jar().toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(workDir.resolve("runtime.log").toFile());
        // nor JVM options through the environment
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        builder.environment().put("HTTP_PORT", String.valueOf(port));
        builder.environment().put("WATI_API_KEY", API_KEY);
        builder.environment().putAll(env);
        runtime = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!runtime.isAlive()) {
                throw new AssertionError("runtime exited: " + Files.readString(workDir.resolve("runtime.log")));
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("runtime not healthy within 60 s");
    }

    static Path jar() {
        return Path.of(System.getProperty("wati.it.jar", "target/wati-camel.jar")).toAbsolutePath();
    }

    /**
     * The runtime's heap and NIO direct-buffer use, read over JMX from its local management agent,
     * which the attach API starts inside it (no JMX flag on its command line).
     */
    static final class RuntimeMemory implements AutoCloseable {

        record Peaks(long heap, long direct) {
        }

        private final JMXConnector connector;
        private final MemoryMXBean memory;
        private final BufferPoolMXBean direct;
        private final AtomicLong heapPeak = new AtomicLong();
        private final AtomicLong directPeak = new AtomicLong();
        private final AtomicBoolean sampling = new AtomicBoolean();
        private Thread sampler;

        private RuntimeMemory(JMXConnector connector) throws IOException {
            this.connector = connector;
            var server = connector.getMBeanServerConnection();
            this.memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            this.direct = ManagementFactory.getPlatformMXBeans(server, BufferPoolMXBean.class).stream()
                    .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        }

        static RuntimeMemory attach(Process process) throws Exception {
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(process.pid()));
            try {
                return new RuntimeMemory(JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent())));
            } finally {
                vm.detach();
            }
        }

        void startSampling() {
            heapPeak.set(0);
            directPeak.set(0);
            sampling.set(true);
            sampler = Thread.ofPlatform().daemon().name("runtime-memory-sampler").start(() -> {
                while (sampling.get()) {
                    try {
                        heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        directPeak.accumulateAndGet(direct.getMemoryUsed(), Math::max);
                        Thread.sleep(20);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }

        Peaks stopSampling() throws InterruptedException {
            sampling.set(false);
            sampler.join(2000);
            return new Peaks(heapPeak.get(), directPeak.get());
        }

        @Override
        public void close() throws IOException {
            connector.close();
        }
    }
}
