package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image tar (target/wati-camel-image.tar, built by {@code mvn verify} before this
 * test) as a container engine runs it, without one: its configuration is read, its layers are
 * unpacked in order into a folder, and the entrypoint is started in that folder as its root
 * ({@code unshare --root}, the chroot a container engine does, with /proc mounted, as the image's
 * user and in its working directory). Health, an action against a local WATI double, a route file
 * in the routes folder and a mounted properties file then prove that the image runs. Where the
 * test cannot enter a new root (not root, or no mount namespace), the unpacked java is started
 * directly with the image's class path instead, and the output says so.
 */
class ContainerImageIT {

    static final Path IMAGE = Path.of(System.getProperty("wati.it.image", "target/wati-camel-image.tar"));
    static final String API_KEY = "image-key-123456";

    final HttpClient client = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    Process runtime;

    @TempDir
    Path work;

    @AfterEach
    void stop() throws InterruptedException {
        if (runtime != null) {
            runtime.destroy();
            if (!runtime.waitFor(20, TimeUnit.SECONDS)) {
                runtime.destroyForcibly();
            }
        }
    }

    @Test
    void theImageRunsAsItsNonRootUserWithItsRoutesAndConfigurationMounted() throws Exception {
        assertThat(IMAGE).as("the image tar (mvn verify builds it in pre-integration-test)").isRegularFile();
        Path image = Files.createDirectories(work.resolve("image"));
        run(List.of("tar", "--warning=no-unknown-keyword", "-xf", IMAGE.toAbsolutePath().toString(), "-C", image.toString()));

        // the image as a container engine loads it (docker save format)
        JsonNode manifest = json.readTree(image.resolve("manifest.json").toFile()).get(0);
        assertThat(manifest.get("RepoTags").get(0).asText()).startsWith("wati-camel:");
        JsonNode config = json.readTree(image.resolve(manifest.get("Config").asText()).toFile()).get("config");
        String user = config.get("User").asText();
        assertThat(user).as("the image's user").matches("\\d+:\\d+").doesNotStartWith("0:");
        String[] uidGid = user.split(":");
        List<String> entrypoint = strings(config.get("Entrypoint"));
        assertThat(entrypoint.getFirst()).isEqualTo("java");
        assertThat(entrypoint.getLast()).isEqualTo("io.waticamel.WatiCamelApplication");
        assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/app");
        assertThat(config.get("Volumes").has("/app/data")).isTrue();
        Map<String, String> imageEnv = new HashMap<>();
        for (String entry : strings(config.get("Env"))) {
            imageEnv.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
        }
        assertThat(imageEnv).containsEntry("JAVA_HOME", "/opt/java/openjdk").containsEntry("LANG", "C.UTF-8")
                .containsEntry("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION",
                        "file:/app/config/application.properties;optional=true,classpath:application.properties");

        // the layers in order, each over the ones before (whiteouts remove what a layer below left)
        Path root = Files.createDirectories(work.resolve("rootfs"));
        List<String> layers = strings(manifest.get("Layers"));
        StringBuilder sizes = new StringBuilder();
        for (String layer : layers) {
            Path file = image.resolve(layer);
            List<String> listing = run(List.of("tar", "--warning=no-unknown-keyword", "--numeric-owner", "-tvzf", file.toString()));
            applyWhiteouts(root, listing);
            run(List.of("tar", "--warning=no-unknown-keyword", "--numeric-owner", "--exclude=.wh.*", "-xzf", file.toString(),
                    "-C", root.toString()));
            sizes.append(String.format(Locale.ROOT, "  %s %,d kB (%,d entries)%n", layer.substring(0, 12), Files.size(file) / 1000,
                    listing.size()));
            if (layer.equals(layers.getFirst())) {
                // the runtime's folders belong to its user, data owner-only, whoever unpacks the image
                assertThat(listing).anyMatch(line -> line.startsWith("drwx------ " + user.replace(':', '/') + " ")
                        && line.endsWith(" app/data/"));
                assertThat(listing).anyMatch(line -> line.startsWith("drwxr-xr-x " + user.replace(':', '/') + " ")
                        && line.endsWith(" app/routes/"));
            }
        }
        System.out.printf("ContainerImageIT: %s, %.1f MB, %d layers:%n%s", IMAGE, Files.size(IMAGE) / 1e6, layers.size(), sizes);

        // HTTPS to WATI and Azure: the Java runtime's own CA certificates are in the image
        KeyStore cacerts = KeyStore.getInstance(root.resolve("opt/java/openjdk/lib/security/cacerts").toFile(), "changeit".toCharArray());
        assertThat(cacerts.size()).isGreaterThan(100);

        // what a user mounts: a route file into /app/routes, a properties file at /app/config/application.properties
        Files.writeString(root.resolve("app/routes/image-hello.camel.yaml"), """
                - route:
                    id: image-hello
                    from:
                      uri: platform-http:/api/v1/image/hello
                      steps:
                        - setBody:
                            constant: hello from a mounted route
                """);
        Files.createDirectories(root.resolve("app/config"));
        Files.writeString(root.resolve("app/config/application.properties"), "wati.api-keys.mounted = mounted-key-123456\n");

        try (WatiDouble wati = new WatiDouble()) {
            int port = RunningRuntime.freePort();
            Map<String, String> env = new HashMap<>(imageEnv);
            env.put("HTTP_PORT", String.valueOf(port));
            env.put("WATI_API_KEY", API_KEY);
            // the WATI double is on 127.0.0.1
            env.put("WATI_REQUEST_URLS_ALLOW_PRIVATE_HOSTS", "true");
            Path log = work.resolve("runtime.log");
            String mode = newRootUnavailable();
            long start = System.nanoTime();
            if (mode == null) {
                // no WATI_AZURE_CONNECTION_STRING: with no npm in the image, the Azurite dev service cannot start (logged)
                prepareLikeAContainerEngine(root);
                List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--mount-proc=/proc", "--root=" + root,
                        "--wd=" + config.get("WorkingDir").asText(), "--setuid", uidGid[0], "--setgid", uidGid[1]));
                command.addAll(entrypoint);
                runtime = start(command, env, root.resolve("app"), log);
                System.out.println("ContainerImageIT: started the entrypoint in the unpacked image as its root (unshare --root), user " + user);
            } else {
                // the machine's own npm would be found here: no Azurite dev service
                env.put("WATI_AZURITE_PREPARE_AT_START", "false");
                List<String> command = new ArrayList<>(entrypoint);
                command.set(0, root.resolve("opt/java/openjdk/bin/java").toString());
                Path classPath = work.resolve("jib-classpath-file");
                Files.writeString(classPath, Files.readString(root.resolve("app/jib-classpath-file")).replace("/app/", root + "/app/"));
                command.replaceAll(arg -> arg.equals("@/app/jib-classpath-file") ? "@" + classPath : arg);
                runtime = start(command, env, root.resolve("app"), log);
                System.out.println("ContainerImageIT: started the unpacked image's java directly (" + mode + ")");
            }
            awaitHealthy(port, log);
            System.out.printf(Locale.ROOT, "ContainerImageIT: healthy %.1f s after start%n", (System.nanoTime() - start) / 1e9);

            if (mode == null) {
                Map<String, String> status = procStatus(runtime.pid());
                assertThat(status.get("Uid")).as("the runtime's uids").isEqualTo(String.join("\t", List.of(uidGid[0], uidGid[0], uidGid[0], uidGid[0])));
                assertThat(status.get("Gid")).as("the runtime's gids").isEqualTo(String.join("\t", List.of(uidGid[1], uidGid[1], uidGid[1], uidGid[1])));
                assertThat(Files.readSymbolicLink(Path.of("/proc/" + runtime.pid() + "/root"))).isEqualTo(root);
                assertThat(Files.readSymbolicLink(Path.of("/proc/" + runtime.pid() + "/exe")))
                        .isEqualTo(root.resolve("opt/java/openjdk/bin/java"));
                // the runtime wrote its data as its user, owner-only, into the image's /app/data
                assertThat(Files.getAttribute(root.resolve("app/data/wati-camel.mv.db"), "unix:uid")).isEqualTo(Integer.parseInt(uidGid[0]));
                assertThat(PackagedRuntimeIT.permissions(root.resolve("app/data"))).isEqualTo("rwx------");
                Awaitility.await("the missing npm named with what to set").atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(log).contains("set wati.azure.connection-string (WATI_AZURE_CONNECTION_STRING)"));
                // and a get_media is answered with the same reason
                wati.answer(WatiDouble.Answer.bytes(200, "image/jpeg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1}));
                HttpResponse<String> media = send(port, "POST", "/api/v1/actions", API_KEY, "{\"wati_action\":\"get_media\","
                        + "\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"Bearer image-token\","
                        + "\"file_url\":\"" + wati.url() + "/api/file/showFile?fileName=data/images/a.jpg\"}");
                assertThat(media.statusCode()).as(media.body()).isEqualTo(502);
                assertThat(json.readTree(media.body()).get("task_23001_run_text").asText())
                        .contains("npm is not available").contains("WATI_AZURE_CONNECTION_STRING");
                wati.reset();
            }

            HttpResponse<String> sent = send(port, "POST", "/api/v1/actions", API_KEY, "{\"wati_action\":\"send_session_message\","
                    + "\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"Bearer image-token\","
                    + "\"whatsappNumber\":\"27821234567\",\"messageText\":\"from the image\"}");
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
            assertThat(json.readTree(sent.body()).get("task_23001_run").asBoolean()).isTrue();
            assertThat(wati.onlyRequest().rawPath()).isEqualTo("/api/v1/sendSessionMessage/27821234567");
            assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer image-token");

            HttpResponse<String> hello = send(port, "GET", "/api/v1/image/hello", "mounted-key-123456", null);
            assertThat(hello.statusCode()).as("the mounted route, with the key from the mounted properties").isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello from a mounted route");
            assertThat(Files.readString(log)).contains("Your routes: 1 file(s)").doesNotContain(API_KEY).doesNotContain("mounted-key-123456")
                    .doesNotContain("image-token");
        }
    }

    /** Null when the runtime can be started in a new root as the image's user; else why not. */
    static String newRootUnavailable() throws IOException, InterruptedException {
        if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            return "not running as root, so no new root";
        }
        Process probe = new ProcessBuilder("unshare", "--mount", "true").redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return probe.waitFor() == 0 ? null : "no mount namespace here: " + output.strip();
    }

    /**
     * What a container engine adds to the image's files: /proc (mounted by unshare), the usual
     * device nodes, and its own /etc/resolv.conf.
     */
    static void prepareLikeAContainerEngine(Path root) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("proc"));
        Path dev = Files.createDirectories(root.resolve("dev"));
        for (String[] node : List.of(new String[] {"null", "3"}, new String[] {"zero", "5"}, new String[] {"random", "8"},
                new String[] {"urandom", "9"})) {
            Process mknod = new ProcessBuilder("mknod", "-m", "666", dev.resolve(node[0]).toString(), "c", "1", node[1])
                    .redirectErrorStream(true).start();
            String output = new String(mknod.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (mknod.waitFor() != 0) {
                System.out.println("ContainerImageIT: no /dev/" + node[0] + " in the new root: " + output.strip());
            }
        }
        if (Files.isReadable(Path.of("/etc/resolv.conf"))) {
            Files.copy(Path.of("/etc/resolv.conf"), root.resolve("etc/resolv.conf"));
        }
    }

    /** A layer's whiteouts: {@code .wh.<name>} removes name, {@code .wh..wh..opq} empties its folder. */
    static void applyWhiteouts(Path root, List<String> listing) throws IOException {
        for (String line : listing) {
            String name = line.substring(line.lastIndexOf(' ') + 1);
            Path entry = root.resolve(name);
            String file = entry.getFileName().toString();
            if (file.equals(".wh..wh..opq")) {
                deleteTree(entry.getParent(), false);
            } else if (file.startsWith(".wh.")) {
                deleteTree(entry.resolveSibling(file.substring(4)), true);
            }
        }
    }

    static void deleteTree(Path path, boolean itself) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (itself || !p.equals(path)) {
                    Files.delete(p);
                }
            }
        }
    }

    Process start(List<String> command, Map<String, String> env, Path directory, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    void awaitHealthy(int port, Path log) {
        Awaitility.await("the image's runtime healthy on port " + port).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!runtime.isAlive()) {
                        throw new AssertionError("the image's runtime exited: " + Files.readString(log));
                    }
                    try {
                        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
    }

    HttpResponse<String> send(int port, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-API-Key", key);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> procStatus(long pid) throws IOException {
        Map<String, String> status = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = line.indexOf(':');
            status.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return status;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
        return output.lines().toList();
    }
}
