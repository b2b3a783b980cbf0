package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.waticamel.testing.PackagedJar;
import io.waticamel.testing.PostgresServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rate per WATI account for every instance on one PostgreSQL: two packaged runtimes share a named account limited
 * to 5 calls per second, and a burst posted to both at once reaches WATI as if one runtime had sent it.
 */
class SharedRateIT {

    static final String TOKEN = "paced-account-token-0123456789";
    static final int CALLS = 30;
    static final int RATE = 5;

    final HttpClient client = HttpClient.newHttpClient();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path workDir;

    @AfterEach
    void stopAll() throws Exception {
        PackagedJar.stopAll(processes);
    }

    @Test
    void twoInstancesOnOnePostgresKeepOneRatePerAccount() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); WatiDouble wati = new WatiDouble()) {
            wati.answer(WatiDouble.Answer.json(200, "{\"ok\":true,\"result\":\"success\"}"));
            Map<String, String> env = new HashMap<>();
            env.put("WATI_ACCOUNTS_PACED_ENDPOINT", wati.url() + "/123456");
            env.put("WATI_ACCOUNTS_PACED_TOKEN", TOKEN);
            env.put("WATI_THROTTLE_ACCOUNTS_PACED_PER_SECOND", String.valueOf(RATE));
            // an unthrottled account, for one call per instance before the measured ones (below)
            env.put("WATI_ACCOUNTS_WARM_ENDPOINT", wati.url() + "/999");
            env.put("WATI_ACCOUNTS_WARM_TOKEN", TOKEN);
            env.put("WATI_THROTTLE_ACCOUNTS_WARM_PER_SECOND", "0");
            env.put("WATI_DB_URL", postgres.jdbcUrl());
            env.put("WATI_DB_USER", postgres.user());
            env.put("WATI_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32]));
            int[] ports = {RunningRuntime.freePort(), RunningRuntime.freePort()};
            for (int i = 0; i < 2; i++) {
                Map<String, String> own = new HashMap<>(env);
                own.put("WATI_INSTANCE_ID", "instance-" + i);
                own.put("WATI_DATA_DIR", workDir.resolve("data-" + i).toString());
                PackagedJar.start(processes, workDir, ports[i], own);
            }

            // an instance's first call to WATI is slow on its way out (classes loaded, connection opened): a few hundred ms
            // on a busy machine, after its throttle turn, which can bunch the first calls of two fresh instances at WATI.
            // Measured here is the shared budget of running instances, so each makes one call first.
            for (int port : ports) {
                HttpResponse<String> warm = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                        .header("X-API-Key", PackagedJar.API_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\",\"account\":\"warm\","
                                + "\"whatsappNumber\":\"27821234567\",\"messageText\":\"warm\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
            }
            ExecutorService callers = Executors.newFixedThreadPool(CALLS);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < CALLS; i++) {
                    int port = ports[i % 2];
                    String body = "{\"wati_action\":\"send_session_message\",\"account\":\"paced\",\"whatsappNumber\":\"27821234567\","
                            + "\"messageText\":\"paced-" + i + "\"}";
                    answers.add(callers.submit(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/actions"))
                            .header("X-API-Key", PackagedJar.API_KEY).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                }
            } finally {
                callers.shutdownNow();
            }

            List<WatiDouble.Recorded> sends = wati.requests().stream().filter(r -> r.rawPath().startsWith("/123456/api/v1/sendSessionMessage/"))
                    .toList();
            // every action once: 30 distinct texts, 30 calls
            assertThat(sends).hasSize(CALLS);
            assertThat(sends.stream().map(r -> URLDecoder.decode(r.rawQuery(), StandardCharsets.UTF_8)).distinct().count()).isEqualTo(CALLS);
            List<Long> arrivals = sends.stream().map(WatiDouble.Recorded::receivedNanos).sorted().toList();
            int most = 0;
            for (int i = 0, j = 0; i < arrivals.size(); i++) {
                while (j < arrivals.size() && arrivals.get(j) - arrivals.get(i) < 1_000_000_000L) {
                    j++;
                }
                most = Math.max(most, j - i);
            }
            double seconds = (arrivals.get(CALLS - 1) - arrivals.get(0)) / 1e9;
            List<Long> gapsMs = new ArrayList<>();
            for (int i = 1; i < arrivals.size(); i++) {
                gapsMs.add((arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000);
            }
            System.out.printf("SharedRateIT: %d calls at %d/s over 2 instances: most in one second %d, first to last %.2f s, gaps (ms) %s%n",
                    CALLS, RATE, most, seconds, gapsMs);
            // WATI counts one-second windows: the rate, plus one at a window's edge
            assertThat(most).as("most calls in any one-second window").isLessThanOrEqualTo(RATE + 1);
            // one budget, not one per instance: about 30/5 s (29 gaps of 210 ms), not half of it
            assertThat(seconds).isBetween(5.5, 8.0);
        }
    }
}
