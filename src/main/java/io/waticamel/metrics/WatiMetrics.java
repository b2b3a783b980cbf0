package io.waticamel.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.waticamel.action.ActionOutcome;
import io.waticamel.wati.WatiCredentials;

/**
 * The runtime's own meters, by name, in one place (bean {@code watiMetrics}); served in Prometheus' text format at
 * {@code /observe/metrics} with Camel's per-route meters. The steps that know what happened call it: the action's
 * answer, a retry, a throttle turn, a webhook delivery, a campaign's recipients.
 * <p>
 * Every label value is from a bounded set: an action that has a route (else {@code unknown}), a configured account's
 * name ({@code request} for an action that brought its own api_endpoint and access_token, {@code none} before the
 * credentials were known), an {@link ActionOutcome}, a known WATI event type (else {@code other}). Never a token, an
 * endpoint, a number or a caller's text: those are unbounded, and some are secrets.
 */
public class WatiMetrics {

    /** The account label of an action that brought its own api_endpoint and access_token. */
    public static final String REQUEST_ACCOUNT = "request";
    /** The account label before the credentials were known (the request was refused before). */
    public static final String NO_ACCOUNT = "none";
    /** The action label of a name no route serves (the caller's text, so not a label). */
    public static final String UNKNOWN_ACTION = "unknown";
    /** The type label of a WATI event type not in {@link #EVENT_TYPES}. */
    public static final String OTHER_EVENT_TYPE = "other";

    /** Buckets of the action latency histogram: a WATI call takes well under a second, retries and throttle turns minutes. */
    static final Duration[] ACTION_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    /** Buckets of the throttle wait histogram: a free turn takes well under 10 ms, wati.throttle.max-wait-ms is 30 s. */
    static final Duration[] THROTTLE_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60)};

    /**
     * WATI's event types (../shared/wati-api.md §6, with their {@code _v2} forms): a label each; any other type WATI
     * sends is counted as {@value #OTHER_EVENT_TYPE} (it is still stored and passed on).
     */
    static final Set<String> EVENT_TYPES = Set.of("message", "newContactMessageReceived", "sessionMessageSent", "sessionMessageSent_v2",
            "templateMessageSent", "templateMessageSent_v2", "sentMessageDELIVERED", "sentMessageDELIVERED_v2", "sentMessageREAD",
            "sentMessageREAD_v2", "sentMessageREPLIED", "sentMessageREPLIED_v2", "templateMessageFailed", "sessionMessageFailed",
            "sentMessageFAILED", "sentMessageFAILED_v2");

    private final MeterRegistry registry;

    public WatiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters that go nowhere, for a bean built without the runtime's registry (unit tests). */
    public static WatiMetrics discarding() {
        return new WatiMetrics(new CompositeMeterRegistry());
    }

    /** The account label of these credentials (null: not known yet). */
    public static String account(WatiCredentials credentials) {
        if (credentials == null) {
            return NO_ACCOUNT;
        }
        return credentials.account() != null ? credentials.account() : REQUEST_ACCOUNT;
    }

    /**
     * An action ended: {@code wati_actions_total} and {@code wati_action_duration_seconds} (a histogram), by action,
     * account and outcome. {@code action} must be a name a route serves ({@link #UNKNOWN_ACTION} otherwise).
     */
    public void action(String action, String account, ActionOutcome outcome, long nanos) {
        String[] tags = {"action", action, "account", account, "outcome", outcome.label()};
        Counter.builder("wati.actions").description("Actions ended, by action, account and outcome").tags(tags).register(registry)
                .increment();
        Timer.builder("wati.action.duration").description("Time from an action's start to its answer (throttle turns and retries included)")
                .serviceLevelObjectives(ACTION_BUCKETS).tags(tags).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A WATI call is made again: {@code wati_retries_total} by account and why ({@code wati_429}, {@code wati_5xx}, {@code unreachable}). */
    public void retry(String account, String reason) {
        Counter.builder("wati.retries").description("WATI calls made again after 429, 5xx or a connection failure").tags("account", account,
                "reason", reason).register(registry).increment();
    }

    /**
     * A call of a throttled account had its turn: {@code wati_throttle_wait_seconds}, a histogram (count = calls that took
     * a turn, sum = time they waited; those that waited more than 10 ms are the count less the {@code le="0.01"} bucket).
     */
    public void throttleWait(String account, long nanos) {
        Timer.builder("wati.throttle.wait").description("Time calls of a throttled account waited for their turn")
                .serviceLevelObjectives(THROTTLE_BUCKETS).tag("account", account).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A call's turn was further away than wati.throttle.max-wait-ms: {@code wati_throttle_refusals_total}. */
    public void throttleRefused(String account) {
        Counter.builder("wati.throttle.refusals").description("Calls refused (429) because their account's queue was too long")
                .tag("account", account).register(registry).increment();
    }

    /**
     * A webhook delivery of a configured account: {@code wati_webhook_events_total} by account, event type and result
     * ({@code stored}, {@code duplicate}, {@code invalid}, {@code not_stored}).
     */
    public void webhookEvent(String account, String type, String result) {
        Counter.builder("wati.webhook.events").description("WATI webhook deliveries, by account, event type and result")
                .tags("account", account, "type", eventType(type), "result", result).register(registry).increment();
    }

    /** Campaign recipients settled (or accepted): {@code wati_campaign_recipients_total} by account and result. */
    public void campaignRecipients(String account, String result, int count) {
        if (count > 0) {
            Counter.builder("wati.campaign.recipients").description("Campaign recipients accepted, sent, failed or skipped")
                    .tags("account", account, "result", result).register(registry).increment(count);
        }
    }

    /** {@code wati_dead_letters_open}: the database's open dead letters, read at most once per {@code maxAge}. */
    public void deadLettersOpen(CachedValue.Query<Long> count, Duration maxAge) {
        CachedValue<Long> cached = new CachedValue<>("open dead letters", count, maxAge);
        Gauge.builder("wati.dead.letters.open", cached, c -> number(c.get()))
                .description("Dead letters open (not replayed or deleted), in the database all instances share").strongReference(true)
                .register(registry);
    }

    /**
     * {@code wati_outbox_backlog{state}}: async actions not done, by state ({@code scheduled}: not due yet, {@code queued}:
     * due, {@code claimed}, {@code sending}), from one query at most once per {@code maxAge}.
     */
    public void outboxBacklog(CachedValue.Query<Map<String, Long>> byState, Duration maxAge) {
        CachedValue<Map<String, Long>> cached = new CachedValue<>("outbox backlog", byState, maxAge);
        for (String state : new String[] {"scheduled", "queued", "claimed", "sending"}) {
            Gauge.builder("wati.outbox.backlog", cached, c -> {
                Map<String, Long> counts = c.get();
                return counts == null ? Double.NaN : counts.getOrDefault(state, 0L);
            }).description("Async actions not done yet, by state, in the database all instances share").tag("state", state)
                    .strongReference(true).register(registry);
        }
    }

    /** The type label: a known type, {@value #OTHER_EVENT_TYPE}, or {@code none} when the delivery was no event. */
    static String eventType(String type) {
        if (type == null) {
            return "none";
        }
        return EVENT_TYPES.contains(type) ? type : OTHER_EVENT_TYPE;
    }

    private static double number(Long value) {
        return value == null ? Double.NaN : value;
    }
}
