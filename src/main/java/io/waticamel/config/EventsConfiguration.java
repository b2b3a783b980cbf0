package io.waticamel.config;

import java.net.URI;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import javax.sql.DataSource;

import io.waticamel.events.EventFilter;
import io.waticamel.events.EventsApi;
import io.waticamel.events.EventForward;
import io.waticamel.events.EventSteps;
import io.waticamel.events.EventStore;
import io.waticamel.events.MessageLog;
import io.waticamel.events.OptOuts;
import io.waticamel.events.SessionWindow;
import io.waticamel.events.WebhookIntake;
import io.waticamel.http.AddressGuard;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.reliability.Idempotency;
import io.waticamel.security.RecordOwners;
import io.waticamel.security.SecretMasking;
import io.waticamel.wati.WatiEndpoints;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WATI events in: the webhook's intake, the events worker, the message log and opt-outs. The
 * database and the record owners come from the configurations before this one.
 */
public class EventsConfiguration implements CamelConfiguration {

    private static final String ACCOUNTS = "wati.accounts.";
    private static final String WEBHOOK_SECRET = ".webhook-secret";
    private static final Logger LOG = LoggerFactory.getLogger(EventsConfiguration.class);

    @BeanInject("watiDataSource")
    private DataSource db;
    @BeanInject
    private RecordOwners recordOwners;
    @BeanInject("watiClock")
    private java.time.Clock clock;
    @PropertyInject("wati.instance-id")
    private String instanceId;
    @PropertyInject("wati.events.lease")
    private String lease;
    @PropertyInject("wati.events.batch-size")
    private int batchSize;
    @PropertyInject("wati.events.forward-url")
    private String forwardUrl;
    @PropertyInject("wati.webhooks.auto-archive-media")
    private boolean autoArchiveMedia;
    @PropertyInject("wati.events.max-attempts")
    private int maxAttempts;
    @PropertyInject("wati.events.retry-initial-delay")
    private String retryInitialDelay;
    @PropertyInject("wati.events.retry-max-delay")
    private String retryMaxDelay;
    @PropertyInject("wati.events.retention")
    private String retention;
    @PropertyInject("wati.media.default-owner-id")
    private String defaultOwnerId;

    private EventStore store;
    private ExecutorService workers;
    private final Map<String, String> endpointsByAccount = new ConcurrentHashMap<>();

    /**
     * Webhook secrets are masked in every log line from the start (a DEBUG line of the HTTP server
     * may name the request's path before the first webhook is checked): whatever the account, from
     * the properties file, -D or the environment (WATI_ACCOUNTS_<NAME>_WEBHOOK_SECRET).
     */
    @Override
    public void configure(CamelContext context) {
        Set<String> accounts = ConfiguredNames.of(context, ACCOUNTS, WEBHOOK_SECRET);
        accounts.forEach(account -> context.getPropertiesComponent().resolveProperty(ACCOUNTS + account + WEBHOOK_SECRET)
                .ifPresent(SecretMasking::register));
        // where WATI's webhooks go, for the operator who sets them up in WATI's dashboard (never the secret)
        LOG.info(accounts.isEmpty() ? "WATI webhooks: none (set wati.accounts.<name>.webhook-secret to take events)"
                : "WATI webhooks: POST /webhooks/wati/<account>/<webhook-secret> for account(s) " + String.join(", ", accounts));
    }

    @BindToRegistry(value = "watiEventStore", destroyMethod = "close")
    public synchronized EventStore watiEventStore() {
        if (store == null) {
            store = new EventStore(db, instanceId, Idempotency.duration(lease), batchSize);
        }
        return store;
    }

    @BindToRegistry
    public WebhookIntake watiWebhooks(CamelContext context, WatiMetrics metrics) {
        return new WebhookIntake(ActionPipelineConfiguration.configuration(context), watiEventStore(), metrics);
    }

    @BindToRegistry
    public EventSteps watiEvents(CamelContext context) {
        Function<String, Optional<String>> configuration = ActionPipelineConfiguration.configuration(context);
        return new EventSteps(watiEventStore(), context, endpoints(configuration),
                account -> configuration.apply("wati.accounts." + account + ".owner-id").orElse(defaultOwnerId), autoArchiveMedia,
                forwardUrl != null && !forwardUrl.isBlank(), maxAttempts, Idempotency.duration(retryInitialDelay),
                Idempotency.duration(retryMaxDelay), Idempotency.duration(retention));
    }

    /** The forward URL is the operator's: connections to it are never refused, whatever its address. */
    @BindToRegistry
    public EventForward watiEventForward(AddressGuard addressGuard) {
        if (forwardUrl == null || forwardUrl.isBlank()) {
            return new EventForward(null); // never called: without the URL the forward is no subscriber
        }
        URI url = URI.create(forwardUrl.strip());
        addressGuard.trust(url);
        return new EventForward(url);
    }

    @BindToRegistry
    public EventFilter watiEventFilter() {
        return new EventFilter();
    }

    /** The threads that process events (get_media and subscribers run on them). */
    @BindToRegistry(value = "watiEventWorkers", destroyMethod = "shutdown")
    public synchronized ExecutorService watiEventWorkers(@PropertyInject("wati.events.workers") int count) {
        if (workers == null) {
            workers = Executors.newFixedThreadPool(count, Thread.ofPlatform().name("wati-event-", 1).daemon().factory());
        }
        return workers;
    }

    @BindToRegistry
    public EventsApi watiEventsApi() {
        return new EventsApi(watiEventStore(), recordOwners);
    }

    @BindToRegistry
    public MessageLog messageLog() {
        return new MessageLog(db, recordOwners);
    }

    @BindToRegistry
    public OptOuts optOuts(CamelContext context, @PropertyInject("wati.opt-out.keywords") String keywords,
            @PropertyInject("wati.opt-out.opt-in-keywords") String optInKeywords) {
        return new OptOuts(db, keywords, optInKeywords, endpoints(ActionPipelineConfiguration.configuration(context)), recordOwners);
    }

    /** The contacts' 24-hour windows, from their message events; checked before a session message or file. */
    @BindToRegistry
    public SessionWindow sessionWindow(CamelContext context, @PropertyInject("wati.session-window.check") boolean check) {
        return new SessionWindow(db, endpoints(ActionPipelineConfiguration.configuration(context)), clock, check);
    }

    /**
     * An account's configured endpoint, normalised as actions send it; null when the account has none.
     * Looked up once per configured account (every event asks; configuration does not change while
     * running); a name without an endpoint is not kept (it may come from an API caller's query).
     */
    private Function<String, String> endpoints(Function<String, Optional<String>> configuration) {
        return account -> {
            String known = endpointsByAccount.get(account);
            if (known != null) {
                return known;
            }
            String endpoint = configuration.apply(ACCOUNTS + account + ".endpoint").map(e -> WatiEndpoints.normalise(e).toString()).orElse(null);
            if (endpoint != null) {
                endpointsByAccount.put(account, endpoint);
            }
            return endpoint;
        };
    }
}
