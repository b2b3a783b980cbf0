package io.waticamel.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.waticamel.reliability.Idempotency;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.ApiKeyHttpServer;
import io.waticamel.security.ApiKeys;
import io.waticamel.security.ConnectionDeadlines;
import io.waticamel.security.InboundConnections;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** The API keys, checked by the embedded HTTP server itself for every path under /api; its connections' deadlines. */
public class SecurityConfiguration implements CamelConfiguration {

    /** Before the HTTP server starts: every path under /api needs a key (the key file is read or generated here, once). */
    @Override
    public void configure(CamelContext context) throws IOException {
        String dataDir = context.getPropertiesComponent().resolveProperty("wati.data.dir").orElse("data");
        ApiKeyHttpServer.install(context, new ApiKeyAuthentication(
                ApiKeys.configuredOrGenerated(configuredKeys(context), Path.of(dataDir, "api-key"))));
        InboundConnections.install(context, new ConnectionDeadlines.Limits(duration(context, "wati.api.idle-timeout"),
                duration(context, "wati.api.request-head-timeout"), duration(context, "wati.api.request-body-timeout")));
    }

    private static Duration duration(CamelContext context, String key) {
        return Idempotency.duration(context.resolvePropertyPlaceholders("{{" + key + "}}"));
    }

    /** wati.api-key (named "default") and every wati.api-keys.<name>, from the file, -D or the environment. */
    static Map<String, String> configuredKeys(CamelContext context) {
        Map<String, String> configured = new LinkedHashMap<>();
        context.getPropertiesComponent().resolveProperty("wati.api-key").ifPresent(k -> configured.put("default", k));
        Properties named = context.getPropertiesComponent().loadProperties(k -> k.startsWith("wati.api-keys."));
        named.forEach((k, v) -> configured.put(k.toString().substring("wati.api-keys.".length()), v.toString()));
        // environment variables beat the file, -D beats both (as for every other key)
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("WATI_API_KEYS_")) {
                configured.put(k.substring("WATI_API_KEYS_".length()).toLowerCase(Locale.ROOT), v);
            }
        });
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("wati.api-keys.")) {
                configured.put(k.toString().substring("wati.api-keys.".length()), v.toString());
            }
        });
        return configured;
    }
}
