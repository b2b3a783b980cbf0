package io.waticamel.config;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.waticamel.files.UrlGuard;
import io.waticamel.media.FileRecords;
import io.waticamel.reliability.AccountAlerts;
import io.waticamel.reliability.DeadLetters;
import io.waticamel.reliability.Idempotency;
import io.waticamel.reliability.Notifications;
import io.waticamel.reliability.Outbox;
import io.waticamel.reliability.SendTimes;
import io.waticamel.reliability.StoredTokens;
import io.waticamel.security.RecordOwners;
import io.waticamel.security.SecretBox;
import io.waticamel.wati.WatiAccounts;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * The database and what is kept in it: dead letters, idempotency keys, the async outbox, file
 * records. Camel Main calls a factory method twice (injection, then configuration loading): the
 * data source and the secret key are made once and shared.
 */
public class StorageConfiguration implements CamelConfiguration {

    private HikariDataSource dataSource;
    private DeadLetters deadLetters;
    /** Injected here, not as an argument of deadLetters(): outbox() calls that too and has no use for it. */
    @PropertyInject("wati.dead-letters.replay-timeout")
    private String replayTimeout;
    /** Older keys that still decrypt kept tokens (a comma list, may be empty). */
    @PropertyInject("wati.secret-key.previous")
    private String previousSecretKeys;
    /** Whose records a key sees (SecurityConfiguration's, configured before this one). */
    @BeanInject
    private RecordOwners recordOwners;
    /** The runtime's clock (bound by WatiCamelApplication): scheduled sends and quiet hours are judged by it. */
    @BeanInject("watiClock")
    private Clock clock;

    /** Opened and migrated once, closed with Camel. */
    @BindToRegistry(value = "watiDataSource", destroyMethod = "close")
    public synchronized DataSource watiDataSource(@PropertyInject("wati.db.url") String url,
            @PropertyInject("wati.db.user") String user, @PropertyInject("wati.db.password") String password,
            @PropertyInject("wati.db.pool-size") int poolSize) {
        if (dataSource == null) {
            dataSource = Database.open(url, user, password, poolSize);
        }
        return dataSource;
    }

    /** One store for wati-action's failures and the outbox's crash recovery; tokens encrypted with wati.secret-key or a generated key file. */
    @BindToRegistry
    public synchronized DeadLetters deadLetters(@PropertyInject("wati.db.url") String url, @PropertyInject("wati.db.user") String user,
            @PropertyInject("wati.db.password") String password, @PropertyInject("wati.db.pool-size") int poolSize,
            @PropertyInject("wati.secret-key") String secretKey, @PropertyInject("wati.data.dir") String dataDir)
            throws IOException, SQLException {
        if (deadLetters == null) {
            DataSource db = watiDataSource(url, user, password, poolSize);
            SecretBox secrets = SecretBox.configuredOrGenerated(secretKey, previousSecretKeys, Path.of(dataDir, "secret-key"));
            // before any route reads a kept token
            StoredTokens.reencrypt(db, secrets);
            deadLetters = new DeadLetters(db, secrets, Idempotency.duration(replayTimeout), recordOwners);
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

    private SendTimes sendTimes;

    @BindToRegistry
    public Outbox outbox(@PropertyInject("wati.db.url") String url, @PropertyInject("wati.db.user") String user,
            @PropertyInject("wati.db.password") String password, @PropertyInject("wati.db.pool-size") int poolSize,
            @PropertyInject("wati.secret-key") String secretKey, @PropertyInject("wati.data.dir") String dataDir,
            UrlGuard urlGuard, Notifications notifications, @PropertyInject("wati.instance-id") String instanceId, @PropertyInject("wati.outbox.lease") String lease,
            @PropertyInject("wati.outbox.batch-size") int batchSize, CamelContext context) throws IOException, SQLException {
        DeadLetters letters = deadLetters(url, user, password, poolSize, secretKey, dataDir);
        return new Outbox(watiDataSource(url, user, password, poolSize), letters.secrets(), letters, urlGuard,
                notifications, instanceId, Idempotency.duration(lease), batchSize, recordOwners, sendTimes(context, urlGuard));
    }

    /** When an outbox action is due (send_at, a named account's quiet hours), by the runtime's clock. */
    @BindToRegistry
    public synchronized SendTimes sendTimes(CamelContext context, UrlGuard urlGuard) {
        if (sendTimes == null) {
            sendTimes = new SendTimes(clock, new WatiAccounts(ActionPipelineConfiguration.configuration(context), urlGuard)::quietHours,
                    !ConfiguredNames.of(context, "wati.accounts.", ".quiet-hours").isEmpty());
        }
        return sendTimes;
    }

    /** The threads that send async actions from the outbox. */
    @BindToRegistry(value = "outboxWorkers", destroyMethod = "shutdown")
    public ExecutorService outboxWorkers(@PropertyInject("wati.outbox.workers") int workers) {
        return Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "outbox-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @BindToRegistry
    public AccountAlerts accountAlerts(@PropertyInject("wati.alerts.after-failures") int afterFailures,
            @PropertyInject("wati.alerts.webhook-url") String webhookUrl, Notifications notifications) {
        return new AccountAlerts(afterFailures, webhookUrl, notifications);
    }

    @BindToRegistry
    public FileRecords fileRecords() {
        return new FileRecords();
    }
}
