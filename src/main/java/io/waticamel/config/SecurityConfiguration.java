package io.waticamel.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waticamel.http.ErrorPages;
import io.waticamel.http.RequestIdProperty;
import io.waticamel.http.UnexpectedFailures;
import io.waticamel.reliability.Idempotency;
import io.waticamel.security.AnonymousHealth;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.ApiKeyHttpServer;
import io.waticamel.security.ApiKeys;
import io.waticamel.security.ConnectionDeadlines;
import io.waticamel.security.InboundConnections;
import io.waticamel.security.MetricsAccess;
import io.waticamel.security.RecordOwners;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The API keys, checked by the embedded HTTP server itself for every path under /api; its connections' deadlines. */
public class SecurityConfiguration implements CamelConfiguration {

    private static final String NAMED_KEYS = "wati.api-keys.";
    private static final Logger LOG = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** Made once: Camel Main calls a factory method twice, and it logs a misspelt admin name. */
    private RecordOwners recordOwners;

    /**
     * Before the HTTP server starts: every path under /api needs a key, health detail and metrics too (the key
     * file is read or generated here, once).
     */
    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        String dataDir = properties.resolveProperty("wati.data.dir").orElse("data");
        ApiKeys keys = ApiKeys.configuredOrGenerated(configuredKeys(context), Path.of(dataDir, "api-key"));
        long campaignBodies = Long.parseLong(properties.resolveProperty("wati.campaigns.max-body-bytes").orElse("33554432")
                .strip());
        ApiKeyHttpServer.install(context, new ApiKeyAuthentication(keys), new AnonymousHealth(keys), "/api/v1/campaigns", campaignBodies,
                metricsAccess(context, keys), properties.resolveProperty("camel.metrics.path").orElse("/observe/metrics").strip());
        context.getManagementStrategy().addEventNotifier(new RequestIdProperty());
        context.addRoutePolicyFactory(new UnexpectedFailures());
        context.addStartupListener(new ErrorPages());
        InboundConnections.install(context, new ConnectionDeadlines.Limits(duration(context, "wati.api.idle-timeout"),
                duration(context, "wati.api.request-head-timeout"), duration(context, "wati.api.request-body-timeout")));
    }

    /** Whose dead letters, async actions and files a key sees: its own, or all for the keys of wati.api-admins. */
    @BindToRegistry
    public synchronized RecordOwners recordOwners(CamelContext context, @PropertyInject("wati.api-admins") String admins) {
        if (recordOwners == null) {
            Map<String, String> keys = configuredKeys(context);
            keys.values().removeIf(key -> key == null || key.isBlank());
            recordOwners = RecordOwners.of(admins, keys.keySet());
        }
        return recordOwners;
    }

    /** wati.metrics.anonymous, else the scrape key wati.metrics.key or an admin API key. */
    private MetricsAccess metricsAccess(CamelContext context, ApiKeys keys) {
        PropertiesComponent properties = context.getPropertiesComponent();
        boolean anonymous = Boolean.parseBoolean(properties.resolveProperty("wati.metrics.anonymous").orElse("false").strip());
        String scrapeKey = properties.resolveProperty("wati.metrics.key").map(String::strip).filter(k -> !k.isEmpty()).orElse(null);
        if (scrapeKey != null && scrapeKey.length() < 16) {
            // shorter is guessable, and is not masked in logs (SecretMasking needs 6 characters)
            throw new IllegalStateException("wati.metrics.key (WATI_METRICS_KEY) must be at least 16 characters, e.g. openssl rand -hex 24");
        }
        if (scrapeKey != null && keys.match(scrapeKey).isPresent()) {
            LOG.warn("wati.metrics.key is also an API key: Prometheus holds a key that can send messages; give it a key of its own");
        }
        if (anonymous) {
            LOG.warn("wati.metrics.anonymous is on: /observe/metrics answers without a key (account names and volumes); "
                    + "keep the port where only Prometheus reaches it");
        }
        return new MetricsAccess(anonymous, keys, recordOwners(context, properties.resolveProperty("wati.api-admins").orElse("")),
                scrapeKey == null ? null : new ApiKeys(Map.of("metrics", scrapeKey)));
    }

    private static Duration duration(CamelContext context, String key) {
        return Idempotency.duration(context.resolvePropertyPlaceholders("{{" + key + "}}"));
    }

    /**
     * wati.api-key (named "default") and every wati.api-keys.<name> named in the properties file, by
     * -D or in the environment (WATI_API_KEYS_<NAME>, the name in lower case), each valued as Camel
     * resolves any key: -D beats the environment, which beats the file.
     */
    static Map<String, String> configuredKeys(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Map<String, String> configured = new LinkedHashMap<>();
        properties.resolveProperty("wati.api-key").ifPresent(k -> configured.put("default", k));
        ConfiguredNames.of(context, NAMED_KEYS, "")
                .forEach(name -> properties.resolveProperty(NAMED_KEYS + name).ifPresent(key -> configured.put(name, key)));
        return configured;
    }
}
