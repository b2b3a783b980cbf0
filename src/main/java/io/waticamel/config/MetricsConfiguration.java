package io.waticamel.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.reliability.DeadLetters;
import io.waticamel.reliability.Idempotency;
import io.waticamel.reliability.Outbox;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * The runtime's meters ({@link WatiMetrics}), bound before every other bean that counts, in the one meter registry
 * Camel's Micrometer support (camel.metrics.enabled) serves at /observe/metrics on the API port
 * (camel.management.metrics-enabled), beside its per-route meters.
 */
public class MetricsConfiguration implements CamelConfiguration {

    /** Made once: Camel Main calls a factory method twice. */
    private WatiMetrics metrics;

    /**
     * In Camel's registry {@value MicrometerConstants#METRICS_REGISTRY_NAME}: Camel Main makes it (a Prometheus
     * registry) while it configures itself from camel.metrics.*, before the configurations' beans; without
     * camel.metrics.enabled one is made here and bound under that name (so Camel would take it too), and nothing serves it.
     */
    @BindToRegistry
    public synchronized WatiMetrics watiMetrics(CamelContext context) {
        if (metrics == null) {
            MeterRegistry registry = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
            if (registry == null) {
                registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
            }
            metrics = new WatiMetrics(registry);
        }
        return metrics;
    }

    /**
     * The gauges the database answers (dead letters open, the outbox backlog), once every bean is bound: each is one
     * query on an index, read at most once per wati.metrics.database-gauges-max-age however often and by how many
     * Prometheus servers the instance is scraped.
     */
    @Override
    public void configure(CamelContext context) {
        var maxAge = Idempotency.duration(context.resolvePropertyPlaceholders("{{wati.metrics.database-gauges-max-age}}"));
        DeadLetters deadLetters = context.getRegistry().findSingleByType(DeadLetters.class);
        Outbox outbox = context.getRegistry().findSingleByType(Outbox.class);
        WatiMetrics metrics = watiMetrics(context);
        metrics.deadLettersOpen(deadLetters::countOpen, maxAge);
        metrics.outboxBacklog(outbox::backlog, maxAge);
    }
}
