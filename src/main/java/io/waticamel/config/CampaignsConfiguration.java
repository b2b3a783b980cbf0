package io.waticamel.config;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import io.waticamel.campaigns.CampaignSteps;
import io.waticamel.campaigns.CampaignStore;
import io.waticamel.events.EventStore;
import io.waticamel.events.MessageLog;
import io.waticamel.events.OptOuts;
import io.waticamel.files.UrlGuard;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.reliability.DeadLetters;
import io.waticamel.reliability.Idempotency;
import io.waticamel.security.RecordOwners;
import io.waticamel.templates.TemplateCatalogue;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * Template campaigns: the bean {@code campaigns} and its worker threads. The database, the secret
 * box (DeadLetters'), the message log, opt-outs and the event store come from the configurations
 * before this one; the clock that send_at and quiet hours are judged by is the runtime's (watiClock).
 */
public class CampaignsConfiguration implements CamelConfiguration {

    @BeanInject("watiDataSource")
    private DataSource db;
    @BeanInject
    private RecordOwners recordOwners;
    @BeanInject
    private DeadLetters deadLetters;
    @BeanInject("messageLog")
    private MessageLog messageLog;
    @BeanInject("optOuts")
    private OptOuts optOuts;
    @BeanInject("templates")
    private TemplateCatalogue templates;
    @BeanInject("watiEventStore")
    private EventStore events;
    @BeanInject("watiClock")
    private Clock clock;
    @PropertyInject("wati.instance-id")
    private String instanceId;
    @PropertyInject("wati.campaigns.lease")
    private String lease;

    @BindToRegistry
    public CampaignSteps campaigns(CamelContext context, UrlGuard urlGuard, @PropertyInject("wati.campaigns.max-recipients") int maxRecipients,
            @PropertyInject("wati.campaigns.bulk-size") int bulkSize, @PropertyInject("wati.campaigns.single-batch-size") int singleBatchSize,
            @PropertyInject("wati.campaigns.workers") int workers, WatiMetrics metrics) {
        CampaignStore store = new CampaignStore(db, instanceId, Idempotency.duration(lease), clock);
        return new CampaignSteps(store, new WatiAccounts(ActionPipelineConfiguration.configuration(context), urlGuard), new WatiRequests(),
                optOuts, templates, messageLog, events, deadLetters.secrets(), recordOwners, maxRecipients, bulkSize, singleBatchSize, workers, clock,
                metrics);
    }

    /** The threads that send campaign batches (each waits for its account's turn like any call). */
    @BindToRegistry(value = "campaignWorkers", destroyMethod = "shutdown")
    public ExecutorService campaignWorkers(@PropertyInject("wati.campaigns.workers") int workers) {
        return Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("campaign-worker-", 1).daemon().factory());
    }
}
