package io.waticamel.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.ApiKeyHttpServer;
import io.waticamel.security.ApiKeys;
import io.waticamel.security.RecordOwners;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** The API keys, checked by the embedded HTTP server itself for every path under /api. */
public class SecurityConfiguration implements CamelConfiguration {

    /** Made once: Camel Main calls a factory method twice, and it logs a misspelt admin name. */
    private RecordOwners recordOwners;

    /** Before the HTTP server starts: every path under /api needs a key (the key file is read or generated here, once). */
    @Override
    public void configure(CamelContext context) throws IOException {
        String dataDir = context.getPropertiesComponent().resolveProperty("wati.data.dir").orElse("data");
        ApiKeyHttpServer.install(context, new ApiKeyAuthentication(
                ApiKeys.configuredOrGenerated(configuredKeys(context), Path.of(dataDir, "api-key"))));
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
