package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.testing.PackagedJar;
import io.waticamel.testing.PostgresServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Template campaigns on two packaged runtimes sharing one PostgreSQL: one campaign drained by both
 * instances sends every recipient exactly once; a {@code kill -9} of one instance mid-campaign, then
 * its restart under the same instance id (or none: the other takes its claims back after their lease),
 * loses no recipient and sends none twice, and what was being sent at the kill ends {@code unknown} and
 * is never sent again.
 * <p>
 * Which instance made a call: each instance's named account {@code shop} has the same token but its
 * own tenant path on the one WATI double ({@code /1001} instance A, {@code /2002} instance B,
 * {@code /1003} instance A after its restart). A named account's endpoint is read from the instance's
 * own configuration for every batch, so the path names the process that sent it; the double answers
 * every tenant alike. The account's throttle is one budget for both instances (on PostgreSQL, whatever
 * the tenant path: its key is the account's name): the figures compare the achieved rate with it.
 */
class CampaignsIT {

    static final String TOKEN = "shop-token-123456";
    static final int THROTTLE_PER_SECOND = 20;
    static final String A = "1001";
    static final String B = "2002";
    static final String A_RESTARTED = "1003";
    /** The campaign lease when the killed instance is not restarted (the default is 5 min). */
    static final Duration LEASE = Duration.ofSeconds(10);

    final HttpClient client = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path workDir;

    void stopRuntimes() throws InterruptedException {
        PackagedJar.stopAll(processes);
    }

    @AfterEach
    void stopAll(org.junit.jupiter.api.TestInfo test) throws Exception {
        stopRuntimes();
        // the runtimes' logs outlive the temp folder, for a look after a run
        Path logs = Files.createDirectories(Path.of("target/campaigns-it-logs", test.getDisplayName().replaceAll("[^A-Za-z0-9]+", "-")));
        try (var files = Files.walk(workDir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(log, logs.resolve(workDir.relativize(log).toString().replace('/', '-')),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** One call as the double saw it: the tenant (instance), the numbers in it, when it arrived and when its answer was ready. */
    record Call(String tenant, List<String> numbers, long receivedNanos, AtomicLong answeredNanos) {
    }

    /** The WATI double: sendTemplateMessages and sendTemplateMessage accepted after {@code delayMs}, every call logged. */
    static final class Wati implements AutoCloseable {
        final WatiDouble wati = new WatiDouble();
        final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        final ObjectMapper mapper = new ObjectMapper();

        Wati(long delayMs) throws Exception {
            wati.answer(r -> {
                if (r.rawPath().endsWith("/getMessageTemplates")) {
                    // the account's catalogue: the campaign's template is checked as against WATI (not a send, not counted)
                    return WatiDouble.Answer.json(200, "{\"result\":\"success\",\"messageTemplates\":[{\"elementName\":\"spring_sale\","
                            + "\"status\":\"APPROVED\",\"language\":\"en\",\"customParams\":[{\"paramName\":\"name\"}]}],"
                            + "\"link\":{\"pageNumber\":1,\"pageSize\":100,\"total\":1}}");
                }
                Call call = new Call(r.rawPath().split("/")[1], numbers(r), r.receivedNanos(), new AtomicLong());
                calls.add(call);
                if (delayMs > 0) {
                    try {
                        Thread.sleep(delayMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                call.answeredNanos().set(System.nanoTime());
                return r.rawPath().endsWith("/sendTemplateMessages")
                        ? WatiDouble.Answer.json(200, "{\"result\":true,\"errors\":{\"error\":false,\"invalidWhatsappNumbers\":[],"
                                + "\"invalidCustomParameters\":[]}}")
                        : WatiDouble.Answer.json(200, "{\"result\":true,\"validWhatsAppNumber\":true}");
            });
        }

        private List<String> numbers(WatiDouble.Recorded r) {
            if (r.rawPath().endsWith("/sendTemplateMessage")) {
                return List.of(r.rawQuery().replace("whatsappNumber=", ""));
            }
            List<String> numbers = new ArrayList<>();
            try {
                for (JsonNode receiver : mapper.readTree(r.body()).get("receivers")) {
                    numbers.add(receiver.get("whatsappNumber").asText());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return numbers;
        }

        String endpoint(String tenant) {
            return wati.url() + "/" + tenant;
        }

        long calls(String tenant) {
            return calls.stream().filter(c -> c.tenant().equals(tenant)).count();
        }

        /** "n calls in s s" from the tenant's first call to its last. */
        String window(String tenant) {
            List<Call> own = calls.stream().filter(c -> c.tenant().equals(tenant)).toList();
            if (own.isEmpty()) {
                return "0 calls";
            }
            long first = own.stream().mapToLong(Call::receivedNanos).min().orElseThrow();
            long last = own.stream().mapToLong(Call::receivedNanos).max().orElseThrow();
            return String.format(Locale.ROOT, "%d calls in %.1f s", own.size(), (last - first) / 1e9);
        }

        long inFlight(String tenant) {
            return calls.stream().filter(c -> c.tenant().equals(tenant) && c.answeredNanos().get() == 0).count();
        }

        /** How often each number reached WATI, over all calls of all instances. */
        Map<String, Long> timesReceived() {
            return calls.stream().flatMap(c -> c.numbers().stream()).collect(Collectors.groupingBy(n -> n, Collectors.counting()));
        }

        @Override
        public void close() {
            wati.close();
        }
    }

    Map<String, String> env(PostgresServer postgres, int bulkSize) {
        Map<String, String> env = new HashMap<>();
        env.put("WATI_DB_URL", postgres.jdbcUrl());
        env.put("WATI_DB_USER", postgres.user());
        env.put("WATI_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("WATI_ACCOUNTS_SHOP_TOKEN", TOKEN);
        env.put("WATI_THROTTLE_PER_SECOND", String.valueOf(THROTTLE_PER_SECOND));
        env.put("WATI_CAMPAIGNS_BULK_SIZE", String.valueOf(bulkSize));
        env.put("WATI_CAMPAIGNS_SINGLE_BATCH_SIZE", "10");
        env.put("WATI_CAMPAIGNS_WORKERS", "8");
        env.put("WATI_CAMPAIGNS_POLL_MS", "100");
        return env;
    }

    /** An instance in its own folder (data, log), on {@code port}, calling WATI at {@code tenant}. */
    Process start(Map<String, String> common, String instanceId, String tenant, Wati wati, int port) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(instanceId));
        Map<String, String> own = new HashMap<>(common);
        own.put("WATI_INSTANCE_ID", instanceId);
        own.put("WATI_DATA_DIR", dir.resolve("data").toString());
        own.put("WATI_ACCOUNTS_SHOP_ENDPOINT", wati.endpoint(tenant));
        return PackagedJar.start(processes, dir, port, own);
    }

    String campaign(String mode, List<String> numbers) {
        ObjectNode body = mapper.createObjectNode().put("account", "shop").put("template_name", "spring_sale")
                .put("broadcast_name", "spring").put("mode", mode);
        ArrayNode recipients = body.putArray("recipients");
        for (int i = 0; i < numbers.size(); i++) {
            recipients.addObject().put("whatsappNumber", numbers.get(i)).putObject("parameters").put("name", "Client " + i);
        }
        return body.toString();
    }

    static List<String> numbers(int count, long first) {
        List<String> numbers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            numbers.add(Long.toString(first + i));
        }
        return numbers;
    }

    HttpResponse<String> api(int port, String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-API-Key", PackagedJar.API_KEY);
        request = json == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode status(int port, String id) throws Exception {
        HttpResponse<String> answer = api(port, "GET", "/api/v1/campaigns/" + id, null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return mapper.readTree(answer.body());
    }

    String startCampaign(int port, String mode, List<String> numbers) throws Exception {
        HttpResponse<String> accepted = api(port, "POST", "/api/v1/campaigns", campaign(mode, numbers));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(mapper.readTree(accepted.body()).get("total").asInt()).isEqualTo(numbers.size());
        return mapper.readTree(accepted.body()).get("id").asText();
    }

    /** Every recipient's number and status, read through the API (pages of 1000). */
    Map<String, String> recipientStatuses(int port, String id) throws Exception {
        Map<String, String> statuses = new HashMap<>();
        for (int page = 0;; page++) {
            JsonNode recipients = mapper.readTree(api(port, "GET", "/api/v1/campaigns/" + id + "/recipients?page=" + page + "&size=1000", null)
                    .body()).get("recipients");
            for (JsonNode r : recipients) {
                statuses.put(r.get("whatsappNumber").asText(), r.get("status").asText());
            }
            if (recipients.size() < 1000) {
                return statuses;
            }
        }
    }

    /** The totals every instance answers for a finished campaign (the same on each): all accounted for, nothing pending. */
    JsonNode assertFinishedOn(String id, int total, int... ports) throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        for (int port : ports) {
            answers.add(status(port, id));
        }
        JsonNode onB = answers.get(answers.size() - 1);
        for (JsonNode done : answers) {
            assertThat(done.get("status").asText()).isEqualTo("finished");
            assertThat(done.get("total").asInt()).isEqualTo(total);
            assertThat(done.get("pending").asInt()).isZero();
            assertThat(done.get("sent").asInt() + done.get("failed").asInt() + done.get("unknown").asInt() + done.get("skipped").asInt())
                    .isEqualTo(total);
            assertThat(done.get("started_at").isNull()).isFalse();
            assertThat(done.get("finished_at").isNull()).isFalse();
        }
        for (JsonNode other : answers) {
            for (String field : List.of("status", "total", "pending", "sent", "failed", "skipped", "unknown", "started_at", "finished_at")) {
                assertThat(other.get(field)).as(field).isEqualTo(onB.get(field));
            }
        }
        return onB;
    }

    /** The figures of one run, printed and kept in target/campaigns-it-figures.txt. */
    static void figures(String run, int recipients, JsonNode done, long calls, long doubled, long lost, Duration wall, String extra)
            throws Exception {
        double seconds = Duration.between(Instant.parse(done.get("started_at").asText()), Instant.parse(done.get("finished_at").asText()))
                .toMillis() / 1000.0;
        String line = String.format(Locale.ROOT, "campaigns IT %s: %d recipients, %d sent, %d doubled, %d lost, %d unknown; %d calls; "
                + "sending %.1f s (POST to finished seen %.1f s): %.1f calls/s, %.1f recipients/s; throttle %d calls/s for the account, "
                + "shared by both instances%s%n", run, recipients, done.get("sent").asInt(), doubled, lost, done.get("unknown").asInt(), calls,
                seconds, wall.toMillis() / 1000.0, calls / seconds, done.get("sent").asInt() / seconds, THROTTLE_PER_SECOND, extra);
        System.out.print(line);
        Files.writeString(Path.of("target/campaigns-it-figures.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * A bulk campaign of 20 000 recipients in 100 batches, started on A: both instances send batches, every
     * recipient reaches WATI exactly once, and both instances answer the same totals.
     */
    @Test
    void twoInstancesDrainOneCampaignSendingEachRecipientOnce() throws Exception {
        int total = 20_000;
        // the runtimes stop first (closed last-opened first), while their database is still there
        try (PostgresServer postgres = PostgresServer.start(); Wati wati = new Wati(0); AutoCloseable runtimes = this::stopRuntimes) {
            Map<String, String> env = env(postgres, 200);
            int portA = RunningRuntime.freePort();
            int portB = RunningRuntime.freePort();
            start(env, "campaign-a", A, wati, portA);
            start(env, "campaign-b", B, wati, portB);
            List<String> numbers = numbers(total, 27820000000L);

            long posted = System.nanoTime();
            String id = startCampaign(portA, "bulk", numbers);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "finished".equals(status(portB, id).get("status").asText()));
            Duration wall = Duration.ofNanos(System.nanoTime() - posted);
            JsonNode done = assertFinishedOn(id, total, portA, portB);

            Map<String, Long> received = wati.timesReceived();
            long doubled = received.values().stream().filter(n -> n > 1).count();
            long lost = numbers.stream().filter(n -> !received.containsKey(n)).count();
            assertThat(wati.calls).allSatisfy(c -> assertThat(c.numbers()).hasSizeLessThanOrEqualTo(200));
            assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(numbers);
            assertThat(doubled).isZero();
            assertThat(lost).isZero();
            assertThat(done.get("sent").asInt()).isEqualTo(total);
            assertThat(done.get("failed").asInt() + done.get("unknown").asInt() + done.get("skipped").asInt()).isZero();
            // both instances sent batches of this one campaign
            assertThat(wati.calls(A)).isPositive();
            assertThat(wati.calls(B)).isPositive();
            assertThat(wati.calls(A) + wati.calls(B)).isEqualTo(wati.calls.size()).isEqualTo(100);
            // one budget for the account across both instances: the 100 calls take at least as long as one budget allows
            // (99 gaps at the rate, less 10 %); one budget per instance would take half. The strict one-second windows are
            // SharedRateIT's (at 5/s): here each call's trip after its turn (a 200-receiver body on a busy machine) varies
            // by more than the 50 ms between turns, so the busiest second is reported, not asserted
            List<Long> times = wati.calls.stream().map(Call::receivedNanos).sorted().toList();
            double span = (times.get(times.size() - 1) - times.get(0)) / 1e9;
            assertThat(span).isGreaterThanOrEqualTo((times.size() - 1) / (double) THROTTLE_PER_SECOND * 0.9);
            int busiest = 0;
            for (int i = 0, j = 0; i < times.size(); i++) {
                while (times.get(i) - times.get(j) >= 1_000_000_000L) {
                    j++;
                }
                busiest = Math.max(busiest, i - j + 1);
            }
            figures("two instances, bulk", total, done, wati.calls.size(), doubled, lost, wall,
                    String.format(Locale.ROOT, "; first to last call %.1f s, busiest second %d calls; A %s, B %s", span, busiest, wati.window(A), wati.window(B)));
        }
    }

    /**
     * Instance A is killed (SIGKILL) while its calls are in flight (the double answers after 200 ms), then restarted
     * with the same instance id (which frees its claims at start), or never (B takes them back once their lease has
     * run out); B goes on throughout. Nothing is lost or sent twice; exactly the recipients A had marked as being sent
     * at the kill end unknown, and none of them is sent again by anyone.
     */
    @ParameterizedTest(name = "{0} mode, {1} recipients, {2} per call, restarted {3}")
    // a restart in single mode, no restart (the lease runs out) in bulk mode: each way back, each kind of mark
    @CsvSource({"single, 400, 1, true", "bulk, 4000, 50, false"})
    void aKilledInstanceLosesNothingAndSendsNothingTwice(String mode, int total, int perCall, boolean restart) throws Exception {
        try (PostgresServer postgres = PostgresServer.start(); Wati wati = new Wati(200); AutoCloseable runtimes = this::stopRuntimes) {
            Map<String, String> env = env(postgres, perCall == 1 ? 1000 : perCall);
            if (!restart) {
                env.put("WATI_CAMPAIGNS_LEASE", LEASE.toSeconds() + "s");
                env.put("WATI_CAMPAIGNS_RECOVERY_PERIOD_MS", "1000");
            }
            int portA = RunningRuntime.freePort();
            int portB = RunningRuntime.freePort();
            Process a = start(env, "campaign-a", A, wati, portA);
            start(env, "campaign-b", B, wati, portB);
            List<String> numbers = numbers(total, 27830000000L);

            long posted = System.nanoTime();
            String id = startCampaign(portA, mode, numbers);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> wati.calls(A) >= 20 && wati.inFlight(A) > 0);
            long killStart = System.nanoTime();
            a.destroyForcibly().waitFor();
            long killed = System.nanoTime();
            // A's calls whose answer was not ready before the kill began (the double's view of "in flight")
            long callsInFlight = wati.calls.stream().filter(c -> c.tenant().equals(A) && c.receivedNanos() < killed
                    && (c.answeredNanos().get() == 0 || c.answeredNanos().get() > killStart)).count();
            long callsBeforeKill = wati.calls(A);
            // the runtime's view: A's recipients marked as being sent, and in how many batches (calls)
            long[] sending = new long[2];
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> {
                long[] now = sendingOf(postgres, id, "campaign-a");
                boolean same = now[0] == sending[0] && now[1] == sending[1];
                sending[0] = now[0];
                sending[1] = now[1];
                return same;
            });
            assertThat(sending[0]).as("recipients A was sending at the kill").isPositive();

            Process restarted = restart ? start(env, "campaign-a", A_RESTARTED, wati, portA) : null;
            Duration down = Duration.ofNanos(System.nanoTime() - killed);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "finished".equals(status(portB, id).get("status").asText()));
            Duration wall = Duration.ofNanos(System.nanoTime() - posted);
            assertThat(restarted == null || restarted.isAlive()).isTrue();
            JsonNode done = restart ? assertFinishedOn(id, total, portA, portB) : assertFinishedOn(id, total, portB);

            Map<String, String> statuses = recipientStatuses(portB, id);
            assertThat(statuses).hasSize(total);
            Map<String, Long> received = wati.timesReceived();
            long doubled = received.values().stream().filter(n -> n > 1).count();
            Set<String> unknown = statuses.entrySet().stream().filter(e -> e.getValue().equals("unknown")).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            // lost: no outcome, or recorded as sent without reaching WATI
            long lost = statuses.entrySet().stream().filter(e -> !Set.of("sent", "unknown", "failed", "skipped").contains(e.getValue())
                    || e.getValue().equals("sent") && !received.containsKey(e.getKey())).count();
            long unknownReached = unknown.stream().filter(received::containsKey).count();

            assertThat(doubled).isZero();
            assertThat(lost).isZero();
            assertThat(done.get("failed").asInt() + done.get("skipped").asInt()).isZero();
            assertThat(done.get("unknown").asInt()).isEqualTo(unknown.size());
            // exactly what A was sending at the kill became unknown: at most one call per worker of A
            assertThat((long) unknown.size()).isEqualTo(sending[0]);
            assertThat(sending[1]).isLessThanOrEqualTo(8);
            assertThat((long) unknown.size()).isLessThanOrEqualTo(sending[1] * perCall);
            // an unknown recipient reached WATI at most once, and only in a call A made before it was killed
            Set<String> fromOthers = new HashSet<>();
            for (Call call : wati.calls) {
                if (!call.tenant().equals(A) || call.receivedNanos() > killed) {
                    fromOthers.addAll(call.numbers());
                }
            }
            assertThat(unknown).noneMatch(fromOthers::contains);
            // every number that reached WATI is sent, or unknown (its answer was lost with A)
            assertThat(received.keySet()).allMatch(n -> statuses.get(n).equals("sent") || unknown.contains(n));
            assertThat(done.get("sent").asInt()).isEqualTo(received.size() - unknownReached);

            figures("kill -9 of one instance, " + mode + (restart ? ", restarted" : ", not restarted"), total, done, wati.calls.size(), doubled, lost, wall, String.format(Locale.ROOT,
                    "; at the kill A had made %d calls, %d in flight at the double, %d recipients in %d calls marked sending (%d of them "
                            + "reached WATI); %s; A %s, B %s, A restarted %s", callsBeforeKill, callsInFlight, sending[0], sending[1], unknownReached,
                    restart ? String.format(Locale.ROOT, "A down %.1f s (kill to healthy again)", down.toMillis() / 1000.0)
                            : "A not restarted: B took its claims back after their lease (" + LEASE.toSeconds() + " s)",
                    wati.window(A), wati.window(B), wati.window(A_RESTARTED)));
        }
    }

    /** {recipients, batches} of the campaign in status sending under a claim of the given instance. */
    static long[] sendingOf(PostgresServer postgres, String campaignId, String instanceId) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT r.batch_no) FROM campaign_recipients r "
                        + "JOIN campaign_batches b ON b.campaign_id = r.campaign_id AND b.batch_no = r.batch_no "
                        // single mode marks the recipient; a bulk call marks its batch, whose unsettled recipients are in the call
                        + "WHERE r.campaign_id = ? AND (r.status = 'sending' OR b.sending AND r.status = 'pending') "
                        + "AND b.claim_token LIKE ?")) {
            s.setString(1, campaignId);
            s.setString(2, instanceId + "/%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
