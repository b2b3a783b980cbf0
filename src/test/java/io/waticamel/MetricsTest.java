package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /observe/metrics on the API port, over real HTTP: actions of every kind (ok, refused before WATI, refused by
 * WATI, retried, dead-lettered, scheduled), a throttle wait, webhook deliveries; then the scrape is parsed as
 * Prometheus' text format and the runtime's meters are read by their labels. Who may read it (the scrape key, an
 * admin key, not another key, nobody without one), and that no token, key, secret, endpoint or number is in it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {

    static final String TOKEN = "MeTrIcS-ToKeN-4f1e2d3c";
    static final String REQUEST_TOKEN = "ReQuEsT-ToKeN-9a8b7c6d";
    static final String NUMBER = "27821234567";
    static final String WEBHOOK_SECRET = "metrics-hook-secret-0123456789";
    static final String SCRAPE_KEY = "scrape-key-5e6f7a8b9c0d";
    static final String CALLER_KEY = "caller-key-1a2b3c4d5e6f";

    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.accounts.main.endpoint", wati.url() + "/main");
        properties.put("wati.accounts.main.token", TOKEN);
        properties.put("wati.accounts.main.webhook-secret", WEBHOOK_SECRET);
        properties.put("wati.accounts.slow.endpoint", wati.url() + "/slow");
        properties.put("wati.accounts.slow.token", TOKEN + "-slow");
        // one call a second: the second of two calls in a row waits for its turn
        properties.put("wati.throttle.accounts.slow.per-second", "1");
        properties.put("wati.metrics.key", SCRAPE_KEY);
        properties.put("wati.api-keys.caller", CALLER_KEY);
        properties.put("wati.api-admins", "default");
        // every scrape reads the database gauges (the default keeps them 10 s)
        properties.put("wati.metrics.database-gauges-max-age", "0s");
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    Map<String, Object> message(String account) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "send_session_message");
        task.put("account", account);
        task.put("whatsappNumber", "+" + NUMBER);
        task.put("messageText", "Hello");
        return task;
    }

    @Test
    void actionsRetriesThrottleWebhooksDeadLettersAndTheOutboxAreCountedWithBoundedLabels() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true}"));
        assertThat(runtime.postAction(message("main")).status()).isEqualTo(200);
        // the request's own endpoint and token: the account label is "request"
        Map<String, Object> own = message(null);
        own.remove("account");
        own.put("api_endpoint", wati.url() + "/own");
        own.put("access_token", "Bearer " + REQUEST_TOKEN);
        assertThat(runtime.postAction(own).status()).isEqualTo(200);
        // refused before WATI: a missing number; an action no route serves (its name is no label)
        Map<String, Object> noNumber = message("main");
        noNumber.remove("whatsappNumber");
        assertThat(runtime.postAction(noNumber).status()).isEqualTo(400);
        Map<String, Object> unknown = message("main");
        unknown.put("wati_action", "send_" + NUMBER);
        assertThat(runtime.postAction(unknown).status()).isEqualTo(400);
        // WATI refuses
        wati.next(Answer.json(200, "{\"result\":false,\"info\":\"Ticket has been expired.\"}"));
        assertThat(runtime.postAction(message("main")).status()).isEqualTo(502);
        // retried once after a 503 and once after a 429, then accepted
        wati.next(Answer.json(503, "{}"));
        assertThat(runtime.postAction(message("main")).status()).isEqualTo(200);
        wati.next(new Answer(429, Map.of("Retry-After", "0"), new byte[0]));
        assertThat(runtime.postAction(message("main")).status()).isEqualTo(200);
        // 503 on every attempt (3): a dead letter
        wati.answer(Answer.json(503, "{}"));
        assertThat(runtime.postAction(message("main")).status()).isEqualTo(502);
        wati.answer(Answer.json(200, "{\"result\":true}"));
        // two calls at once at one a second: one of them waits for its turn
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<RunningRuntime.Response> call = () -> runtime.postAction(message("slow"));
            var both = pool.invokeAll(List.of(call, call));
            for (var answered : both) {
                assertThat(answered.get().status()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        // scheduled for tomorrow: in the outbox, not due
        Map<String, Object> later = message("main");
        later.put("send_at", Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
        assertThat(runtime.postAction(later).status()).isEqualTo(202);
        // a webhook event, and WATI delivering it again
        String event = "{\"eventType\":\"message\",\"id\":\"m-1\",\"waId\":\"" + NUMBER + "\",\"type\":\"text\",\"text\":\"Hi\"}";
        assertThat(webhook(event).status()).isEqualTo(200);
        assertThat(webhook(event).body()).contains("\"duplicate\":true");

        RunningRuntime.Response scrape = scrape("X-API-Key", RunningRuntime.API_KEY);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String text = scrape.body();
        List<Sample> samples = parse(text);

        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "main", "outcome", "ok")).isEqualTo(3);
        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "request", "outcome", "ok"))
                .isEqualTo(1);
        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "main", "outcome", "invalid"))
                .isEqualTo(1);
        assertThat(value(samples, "wati_actions_total", "action", "unknown", "account", "none", "outcome", "invalid")).isEqualTo(1);
        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "main", "outcome", "wati_refused"))
                .isEqualTo(1);
        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "main", "outcome",
                "wati_unavailable")).isEqualTo(1);
        assertThat(value(samples, "wati_actions_total", "action", "send_session_message", "account", "slow", "outcome", "ok")).isEqualTo(2);
        assertThat(value(samples, "wati_retries_total", "account", "main", "reason", "wati_5xx")).isEqualTo(3);
        assertThat(value(samples, "wati_retries_total", "account", "main", "reason", "wati_429")).isEqualTo(1);
        // every call of a throttled account is in the histogram; the one that waited is past its first bucket (10 ms)
        assertThat(value(samples, "wati_throttle_wait_seconds_count", "account", "slow")).isEqualTo(2);
        assertThat(value(samples, "wati_throttle_wait_seconds_count", "account", "slow")
                - value(samples, "wati_throttle_wait_seconds_bucket", "account", "slow", "le", "0.01")).isGreaterThanOrEqualTo(1);
        assertThat(samples).noneMatch(s -> s.name().startsWith("wati_throttle_wait") && "main".equals(s.labels().get("account")));
        assertThat(value(samples, "wati_webhook_events_total", "account", "main", "type", "message", "result", "stored")).isEqualTo(1);
        assertThat(value(samples, "wati_webhook_events_total", "account", "main", "type", "message", "result", "duplicate")).isEqualTo(1);
        assertThat(value(samples, "wati_dead_letters_open")).isEqualTo(1);
        assertThat(value(samples, "wati_outbox_backlog", "state", "scheduled")).isEqualTo(1);
        assertThat(value(samples, "wati_outbox_backlog", "state", "queued")).isEqualTo(0);

        // the latency histogram: cumulative buckets up to +Inf, which is the count
        List<Sample> buckets = samples.stream().filter(s -> s.name().equals("wati_action_duration_seconds_bucket")
                && s.has("action", "send_session_message", "account", "main", "outcome", "ok")).toList();
        assertThat(buckets).hasSizeGreaterThanOrEqualTo(10);
        for (int i = 1; i < buckets.size(); i++) {
            assertThat(Double.parseDouble(buckets.get(i).labels().get("le").replace("+Inf", "Infinity")))
                    .isGreaterThan(Double.parseDouble(buckets.get(i - 1).labels().get("le")));
            assertThat(buckets.get(i).value()).isGreaterThanOrEqualTo(buckets.get(i - 1).value());
        }
        assertThat(buckets.get(buckets.size() - 1).labels()).containsEntry("le", "+Inf");
        assertThat(buckets.get(buckets.size() - 1).value()).isEqualTo(3);
        assertThat(value(samples, "wati_action_duration_seconds_count", "action", "send_session_message", "account", "main", "outcome", "ok"))
                .isEqualTo(3);
        assertThat(text).contains("# TYPE wati_action_duration_seconds histogram");
        // Camel's per-route meters are served beside ours
        assertThat(samples).anyMatch(s -> s.name().startsWith("camel_exchanges_") && "wati-action".equals(s.labels().get("routeId")));

        // nothing secret, nothing unbounded
        assertThat(text).doesNotContain(TOKEN).doesNotContain(REQUEST_TOKEN).doesNotContain(RunningRuntime.API_KEY)
                .doesNotContain(SCRAPE_KEY).doesNotContain(CALLER_KEY).doesNotContain(WEBHOOK_SECRET).doesNotContain(NUMBER)
                .doesNotContain(NUMBER.substring(2)).doesNotContain(wati.url().replace("http://", ""));
    }

    @Test
    void aCampaignsRecipientsAreCountedAsAcceptedSkippedAndSent() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true}"));
        String campaign = "{\"account\":\"main\",\"template_name\":\"spring_sale\",\"mode\":\"bulk\",\"recipients\":["
                + "{\"whatsappNumber\":\"27830000001\"},{\"whatsappNumber\":\"27830000002\"},{\"whatsappNumber\":\"27830000003\"},"
                + "{\"whatsappNumber\":\"12ab\"}]}";
        RunningRuntime.Response accepted = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(campaign)).build());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String status = "/api/v1/campaigns/" + accepted.json().get("id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> runtime.send(HttpRequest.newBuilder(
                URI.create(runtime.url(status))).header("X-API-Key", RunningRuntime.API_KEY).GET().build()).body().contains("\"finished\""));

        String text = scrape("Authorization", "Bearer " + SCRAPE_KEY).body();
        List<Sample> samples = parse(text);
        assertThat(value(samples, "wati_campaign_recipients_total", "account", "main", "result", "accepted")).isEqualTo(4);
        assertThat(value(samples, "wati_campaign_recipients_total", "account", "main", "result", "skipped")).isEqualTo(1);
        assertThat(value(samples, "wati_campaign_recipients_total", "account", "main", "result", "sent")).isEqualTo(3);
        assertThat(text).doesNotContain("2783000000").doesNotContain("spring_sale");
    }

    @Test
    void theScrapeKeyOrAnAdminKeyReadsTheMetricsNoOtherKeyAndNobodyWithout() throws Exception {
        assertThat(scrape("Authorization", "Bearer " + SCRAPE_KEY).status()).isEqualTo(200);
        assertThat(scrape("X-API-Key", SCRAPE_KEY).status()).isEqualTo(200);
        assertThat(scrape("Authorization", "Bearer " + RunningRuntime.API_KEY).status()).isEqualTo(200);
        RunningRuntime.Response none = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/observe/metrics"))).GET().build());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).doesNotContain("wati_actions_total");
        assertThat(scrape("Authorization", "Bearer wrong-" + SCRAPE_KEY).status()).isEqualTo(401);
        // a caller's key sends messages but does not see every account's volumes
        RunningRuntime.Response caller = scrape("X-API-Key", CALLER_KEY);
        assertThat(caller.status()).isEqualTo(403);
        assertThat(caller.body()).doesNotContain("wati_");
        // a key in the query is refused, as on /api
        assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/observe/metrics?X-API-Key=" + SCRAPE_KEY))).GET()
                .build()).status()).isEqualTo(401);
        // health stays open without a key
        assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/observe/health"))).GET().build()).status()).isEqualTo(200);
    }

    @Test
    void anonymousMetricsNeedNoKey() throws Exception {
        try (RunningRuntime open = new RunningRuntime(Map.of("wati.metrics.anonymous", "true"))) {
            RunningRuntime.Response scrape = open.send(HttpRequest.newBuilder(URI.create(open.url("/observe/metrics"))).GET().build());
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(parse(scrape.body())).anyMatch(s -> s.name().equals("wati_dead_letters_open"));
        }
    }

    RunningRuntime.Response scrape(String header, String value) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/observe/metrics"))).header(header, value).GET().build());
    }

    RunningRuntime.Response webhook(String json) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/webhooks/wati/main/" + WEBHOOK_SECRET)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    // ---- Prometheus text format 0.0.4 ----

    record Sample(String name, Map<String, String> labels, double value) {
        boolean has(String... pairs) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:\\\\.|[^\"\\\\])*)\",?");
    static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{((?:" + LABEL + ")*)\\})? (\\S+)(?: -?\\d+)?");
    static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

    /** Every line is a HELP, a TYPE or a sample of a family whose TYPE came before it; a value is a number, NaN or ±Inf. */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        java.util.Set<String> typed = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || HELP.matcher(line).matches()) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                assertThat(typed.add(type.group(1))).as("one TYPE per family: %s", line).isTrue();
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
            String name = sample.group(1);
            assertThat(typed).as("TYPE before %s", line).anyMatch(family -> name.equals(family) || name.startsWith(family + "_"));
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                }
            }
            String raw = sample.group(sample.groupCount());
            double value = switch (raw) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(raw);
            };
            samples.add(new Sample(name, labels, value));
        }
        assertThat(samples).isNotEmpty();
        return samples;
    }

    /** The one sample of this name with these labels (others may be there too). */
    static double value(List<Sample> samples, String name, String... labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && s.has(labels)).toList();
        assertThat(found).as("%s %s", name, List.of(labels)).hasSize(1);
        return found.get(0).value();
    }
}
