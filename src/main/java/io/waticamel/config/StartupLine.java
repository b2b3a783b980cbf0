package io.waticamel.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line the runtime writes at start: where it listens and where everything is. The URL,
 * the API key's source (configured, or the file it was generated into), the database, blob storage,
 * the named accounts and which secrets are set. Secrets are only ever "set" or "not set" (or where
 * a generated one is kept), never shown.
 */
public final class StartupLine extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger("wati-camel");
    private static final Pattern ACCOUNT_NAME = Pattern.compile("(?i)AccountName=([^;]+)");
    private static final Pattern BLOB_ENDPOINT = Pattern.compile("(?i)BlobEndpoint=([^;]+)");

    /** Once every route and the HTTP server are up (a Main listener's afterStart is not called when Main is started, not run). */
    @Override
    public void afterConfigure(BaseMainSupport main) {
        try {
            main.getCamelContext().addStartupListener(listener());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static StartupListener listener() {
        return new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the line waits for the fully started context
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                LOG.info(line(context));
            }
        };
    }

    static String line(CamelContext context) {
        String dataDir = value(context, "wati.data.dir").orElse("data");
        List<String> parts = new ArrayList<>();
        boolean metrics = value(context, "camel.metrics.enabled").map(Boolean::parseBoolean).orElse(false);
        parts.add("wati-camel " + ActionPipelineConfiguration.version() + " ready on " + url(context)
                + " (API /api/v1, described at /api/v1/openapi.json; health " + value(context, "camel.management.health-path").orElse("/observe/health")
                + (metrics ? "; metrics " + value(context, "camel.metrics.path").orElse("/observe/metrics") : "") + ")");
        parts.add("API key: " + apiKey(context, dataDir));
        parts.add("database: " + database(value(context, "wati.db.url").orElse("")));
        parts.add("blob storage: " + blob(context));
        parts.add("accounts: " + accounts(context));
        parts.add("secrets: wati.secret-key " + (value(context, "wati.secret-key").isPresent() ? "set"
                : "generated (" + Path.of(dataDir, "secret-key").toAbsolutePath() + ")")
                + ", wati.db.password " + setOrNot(context, "wati.db.password")
                + ", wati.azure.connection-string " + setOrNot(context, "wati.azure.connection-string"));
        return String.join(" | ", parts);
    }

    private static String url(CamelContext context) {
        String host = value(context, "camel.server.host").orElse("0.0.0.0");
        String port = value(context, "camel.server.port").orElse("8080");
        boolean everyAddress = host.equals("0.0.0.0") || host.equals("::");
        String shown = everyAddress ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port + (everyAddress ? " (all interfaces)" : "");
    }

    private static String apiKey(CamelContext context, String dataDir) {
        Set<String> named = ConfiguredNames.of(context, "wati.api-keys.", "");
        int configured = named.size() + (value(context, "wati.api-key").isPresent() ? 1 : 0);
        if (configured > 0) {
            return configured + " configured (wati.api-key" + (named.isEmpty() ? "" : ", wati.api-keys." + String.join("|", named)) + ")";
        }
        return "in " + Path.of(dataDir, "api-key").toAbsolutePath() + " (send it as X-API-Key)";
    }

    /** The URL without user, password or options: a JDBC URL may carry them. */
    static String database(String url) {
        String bare = url.replaceFirst("//[^/@]*@", "//").replaceFirst("[?;].*$", "");
        if (bare.startsWith("jdbc:h2:file:")) {
            return "H2 file " + bare.substring("jdbc:h2:file:".length());
        }
        if (bare.startsWith("jdbc:h2:mem:")) {
            return "H2 in memory (lost at exit)";
        }
        return bare;
    }

    private static String blob(CamelContext context) {
        Optional<String> connection = value(context, "wati.azure.connection-string");
        if (connection.isEmpty()) {
            return "Azurite dev service on 127.0.0.1:" + value(context, "wati.azurite.port").orElse("10000");
        }
        Matcher endpoint = BLOB_ENDPOINT.matcher(connection.get());
        Matcher account = ACCOUNT_NAME.matcher(connection.get());
        return "Azure Blob " + (endpoint.find() ? endpoint.group(1) : account.find() ? "account " + account.group(1) : "(connection string set)");
    }

    private static String accounts(CamelContext context) {
        Set<String> names = new java.util.TreeSet<>(ConfiguredNames.of(context, "wati.accounts.", ".endpoint"));
        names.addAll(ConfiguredNames.of(context, "wati.accounts.", ".token"));
        boolean sandbox = value(context, "wati.sandbox.enabled").map(Boolean::parseBoolean).orElse(false);
        if (sandbox) {
            names.add("sandbox");
        }
        if (names.isEmpty()) {
            return "none (actions carry api_endpoint and access_token, or configure wati.accounts.<name>.endpoint and .token)";
        }
        List<String> described = new ArrayList<>();
        for (String name : names) {
            if (sandbox && name.equals("sandbox")) {
                described.add("sandbox (the built-in WATI sandbox: a local stand-in, not WATI; GET /api/v1/sandbox)");
                continue;
            }
            String prefix = "wati.accounts." + name;
            described.add(name + " (token " + setOrNot(context, prefix + ".token") + ", webhook secret "
                    + setOrNot(context, prefix + ".webhook-secret") + ")");
        }
        return String.join(", ", described);
    }

    private static String setOrNot(CamelContext context, String key) {
        return value(context, key).isPresent() ? "set" : "not set";
    }

    private static Optional<String> value(CamelContext context, String key) {
        return ActionPipelineConfiguration.configuration(context).apply(key).map(String::strip);
    }
}
