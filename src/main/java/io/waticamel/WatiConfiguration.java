package io.waticamel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.azure.storage.blob.BlobServiceClient;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.VertxOptions;

import io.waticamel.action.ActionReader;
import io.waticamel.action.TaskResults;
import io.waticamel.files.HttpFetcher;
import io.waticamel.files.MediaDownloader;
import io.waticamel.files.UrlGuard;
import io.waticamel.media.FileRecords;
import io.waticamel.media.MediaArchive;
import io.waticamel.media.MediaStore;
import io.waticamel.security.ApiKeyGuard;
import io.waticamel.security.ApiKeys;
import io.waticamel.security.SecretBox;
import io.waticamel.reliability.AccountAlerts;
import io.waticamel.reliability.DeadLetters;
import io.waticamel.reliability.Idempotency;
import io.waticamel.reliability.Outbox;
import io.waticamel.wati.CredentialsEnricher;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiRequests;
import io.waticamel.wati.WatiRetries;
import io.waticamel.wati.WatiThrottle;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** The runtime's beans, each named as the route files call it. */
public class WatiConfiguration implements CamelConfiguration {

    /** {@code wati-camel/<version>}: WATI's CDN has refused library-default agents. */
    public static final String USER_AGENT = "wati-camel/" + version();

    /**
     * The embedded HTTP server's Vert.x (platform-http looks it up): its worker pool runs the routes
     * of each API call, blocking while an action waits for WATI or for its account's throttle turn.
     * Vert.x's default of 20 would let one account's backlog hold every worker and stall the others.
     */
    @BindToRegistry
    public VertxOptions vertxOptions(@PropertyInject("wati.http.server-worker-threads") int workers) {
        return new VertxOptions().setWorkerPoolSize(workers);
    }

    @BindToRegistry
    public ActionReader actionReader() {
        return new ActionReader();
    }

    @BindToRegistry
    public CredentialsEnricher credentials(CamelContext context,
            @PropertyInject("wati.files.allow-private-hosts") boolean allowPrivateHosts) {
        return new CredentialsEnricher(key -> context.getPropertiesComponent().resolveProperty(key)
                .filter(v -> !v.isBlank()), new UrlGuard(allowPrivateHosts));
    }

    @BindToRegistry
    public WatiRequests watiRequests() {
        return new WatiRequests(USER_AGENT);
    }

    private final TaskResults taskResults = new TaskResults(new WatiAnswerInterpreter());


    private WatiRetries watiRetries;

    /** Logs and counts retries (onRedelivery) and checks WATI's answers for retryable statuses. */
    @BindToRegistry
    public synchronized WatiRetries watiRetries(@PropertyInject("wati.retry.max-attempts") int maxAttempts,
            @PropertyInject("wati.retry.initial-delay-ms") long initialDelayMs,
            @PropertyInject("wati.retry.multiplier") double multiplier,
            @PropertyInject("wati.retry.max-delay-ms") long maxDelayMs) {
        if (watiRetries == null) {
            watiRetries = new WatiRetries(maxAttempts, initialDelayMs, multiplier, maxDelayMs);
        }
        return watiRetries;
    }

    @BindToRegistry
    public RedeliveryPolicy watiRetryPolicy(@PropertyInject("wati.retry.max-attempts") int maxAttempts,
            @PropertyInject("wati.retry.initial-delay-ms") long initialDelayMs,
            @PropertyInject("wati.retry.multiplier") double multiplier,
            @PropertyInject("wati.retry.max-delay-ms") long maxDelayMs) {
        return watiRetries(maxAttempts, initialDelayMs, multiplier, maxDelayMs).policy();
    }

    @BindToRegistry
    public WatiThrottle watiThrottle(CamelContext context, @PropertyInject("wati.throttle.per-second") int perSecond,
            @PropertyInject("wati.throttle.max-wait-ms") long maxWaitMs) {
        return new WatiThrottle(perSecond, maxWaitMs, key -> context.getPropertiesComponent().resolveProperty(key)
                .filter(v -> !v.isBlank()));
    }

    @BindToRegistry
    public TaskResults taskResults() {
        return taskResults;
    }

    @BindToRegistry
    public MediaDownloader mediaDownloader(@PropertyInject("wati.data.dir") String dataDir,
            @PropertyInject("wati.files.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.http.connect-timeout-ms") int connectTimeoutMs,
            @PropertyInject("wati.http.read-timeout-ms") int readTimeoutMs) {
        return new MediaDownloader(httpFetcher(allowPrivateHosts, connectTimeoutMs, readTimeoutMs), Path.of(dataDir, "tmp"));
    }

    private MediaStore mediaStore;

    /** Azure Blob Storage: the connection string, or Azurite as a dev service when there is none. */
    @BindToRegistry(value = "mediaStore", destroyMethod = "close")
    public synchronized MediaStore mediaStore(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds) {
        if (mediaStore == null) {
            var retries = MediaStore.retries(maxTries, tryTimeoutSeconds);
            mediaStore = connectionString == null || connectionString.isBlank()
                    ? MediaStore.devService(Path.of(dataDir, "azurite", "install"), Path.of(dataDir, "azurite", "blobs"),
                            azuritePort, retries)
                    : MediaStore.connect(connectionString.strip(), retries);
        }
        return mediaStore;
    }

    /** The client the azure-storage-blob endpoints use ({@code serviceClient=#watiBlobServiceClient}). */
    @BindToRegistry("watiBlobServiceClient")
    public BlobServiceClient watiBlobServiceClient(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds) {
        return mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds).client();
    }

    @BindToRegistry
    public MediaArchive mediaArchive(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds,
            @PropertyInject("wati.files.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.http.connect-timeout-ms") int connectTimeoutMs,
            @PropertyInject("wati.http.read-timeout-ms") int readTimeoutMs,
            @PropertyInject("wati.media.container-prefix") String containerPrefix,
            @PropertyInject("wati.media.default-owner-id") String defaultOwnerId) {
        return new MediaArchive(mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds),
                httpFetcher(allowPrivateHosts, connectTimeoutMs, readTimeoutMs), new WatiAnswerInterpreter(), containerPrefix,
                defaultOwnerId, Path.of(dataDir, "tmp"));
    }

    @BindToRegistry
    public FileRecords fileRecords() {
        return new FileRecords();
    }

    private static HttpFetcher httpFetcher(boolean allowPrivateHosts, int connectTimeoutMs, int readTimeoutMs) {
        return new HttpFetcher(new UrlGuard(allowPrivateHosts), connectTimeoutMs, readTimeoutMs, USER_AGENT);
    }

    private HikariDataSource dataSource;

    /** Opened and migrated once (see below why the method may be called twice), closed with Camel. */
    @BindToRegistry(value = "watiDataSource", destroyMethod = "close")
    public synchronized DataSource watiDataSource(@PropertyInject("wati.db.url") String url,
            @PropertyInject("wati.db.user") String user, @PropertyInject("wati.db.password") String password,
            @PropertyInject("wati.db.pool-size") int poolSize) {
        if (dataSource == null) {
            dataSource = Database.open(url, user, password, poolSize);
        }
        return dataSource;
    }

    private SecretBox secretBox;

    /** Encrypts tokens kept in the database (dead letters); wati.secret-key or a generated key file. */
    private synchronized SecretBox secretBox(String configured, String dataDir) throws IOException {
        if (secretBox == null) {
            secretBox = SecretBox.configuredOrGenerated(configured, Path.of(dataDir, "secret-key"));
        }
        return secretBox;
    }

    private DeadLetters deadLetters;

    /** One store for wati-action's failures and the outbox's crash recovery. */
    @BindToRegistry
    public synchronized DeadLetters deadLetters(@PropertyInject("wati.db.url") String url, @PropertyInject("wati.db.user") String user,
            @PropertyInject("wati.db.password") String password, @PropertyInject("wati.db.pool-size") int poolSize,
            @PropertyInject("wati.secret-key") String secretKey, @PropertyInject("wati.data.dir") String dataDir) throws IOException {
        if (deadLetters == null) {
            deadLetters = new DeadLetters(watiDataSource(url, user, password, poolSize), secretBox(secretKey, dataDir));
        }
        return deadLetters;
    }

    @BindToRegistry
    public Idempotency idempotency(@PropertyInject("wati.db.url") String url, @PropertyInject("wati.db.user") String user,
            @PropertyInject("wati.db.password") String password, @PropertyInject("wati.db.pool-size") int poolSize,
            @PropertyInject("wati.idempotency.ttl") String ttl,
            @PropertyInject("wati.idempotency.running-timeout") String runningTimeout) {
        return new Idempotency(watiDataSource(url, user, password, poolSize), Idempotency.duration(ttl),
                Idempotency.duration(runningTimeout));
    }

    @BindToRegistry
    public Outbox outbox(CamelContext context, @PropertyInject("wati.db.url") String url, @PropertyInject("wati.db.user") String user,
            @PropertyInject("wati.db.password") String password, @PropertyInject("wati.db.pool-size") int poolSize,
            @PropertyInject("wati.secret-key") String secretKey, @PropertyInject("wati.data.dir") String dataDir,
            @PropertyInject("wati.files.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.instance-id") String instanceId, @PropertyInject("wati.outbox.lease") String lease,
            @PropertyInject("wati.outbox.batch-size") int batchSize) throws IOException {
        DataSource db = watiDataSource(url, user, password, poolSize);
        return new Outbox(db, secretBox(secretKey, dataDir), deadLetters(url, user, password, poolSize, secretKey, dataDir), actionReader(),
                credentials(context, allowPrivateHosts), new UrlGuard(allowPrivateHosts), instanceId, Idempotency.duration(lease), batchSize);
    }

    /** The threads that send async actions from the outbox. */
    @BindToRegistry(value = "outboxWorkers", destroyMethod = "shutdown")
    public java.util.concurrent.ExecutorService outboxWorkers(@PropertyInject("wati.outbox.workers") int workers) {
        return java.util.concurrent.Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "outbox-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @BindToRegistry
    public AccountAlerts accountAlerts(@PropertyInject("wati.alerts.after-failures") int afterFailures,
            @PropertyInject("wati.alerts.webhook-url") String webhookUrl) {
        return new AccountAlerts(afterFailures, webhookUrl);
    }

    // Camel Main calls @BindToRegistry methods twice (injection, then configuration loading):
    // the guard reads or generates the key file once
    private ApiKeyGuard apiKeyGuard;

    @BindToRegistry
    public ApiKeyGuard apiKeyGuard(CamelContext context, @PropertyInject("wati.data.dir") String dataDir) throws IOException {
        if (apiKeyGuard != null) {
            return apiKeyGuard;
        }
        Map<String, String> configured = new LinkedHashMap<>();
        context.getPropertiesComponent().resolveProperty("wati.api-key").ifPresent(k -> configured.put("default", k));
        Properties named = context.getPropertiesComponent().loadProperties(k -> k.startsWith("wati.api-keys."));
        named.forEach((k, v) -> configured.put(k.toString().substring("wati.api-keys.".length()), v.toString()));
        // keys given only as environment variables, e.g. WATI_API_KEYS_CRM
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("WATI_API_KEYS_")) {
                configured.put(k.substring("WATI_API_KEYS_".length()).toLowerCase(Locale.ROOT), v);
            }
        });
        apiKeyGuard = new ApiKeyGuard(ApiKeys.configuredOrGenerated(configured, Path.of(dataDir, "api-key")), taskResults);
        return apiKeyGuard;
    }

    static String version() {
        try (InputStream in = WatiConfiguration.class.getResourceAsStream("/wati-camel-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
