package io.waticamel.security;

import java.util.List;

import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.waticamel.http.RequestIds;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;

/**
 * Puts {@link RequestIds} and then {@link ApiKeyAuthentication} into Camel Main's embedded HTTP server as platform-http's
 * authentication handler for every path, before the server starts and before any route exists,
 * so no route file can opt out of it; {@link AnonymousHealth} in front of the health check;
 * {@link WebhookBodies} in front of the webhook paths; {@link LargeBodies} on the one path that takes
 * large bodies (campaigns); and {@link MetricsAccess} in front of the metrics.
 */
public final class ApiKeyHttpServer {

    private ApiKeyHttpServer() {
    }

    /**
     * {@code authentication} on every path; {@code health} in front of Camel's health check and {@code metrics} in
     * front of the metrics ({@code metricsPath}), on the server that serves them (this one, or the management server's
     * own when camel.management.port names another port).
     */
    public static void install(CamelContext context, ApiKeyAuthentication authentication, AnonymousHealth health, String largeBodyPath,
            long largeBodyMaxBytes, MetricsAccess metrics, String metricsPath) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null) {
            throw new IllegalStateException("No embedded HTTP server to protect: set camel.server.enabled = true");
        }
        if (server.getStatus().isStarted() || server.getStatus().isStarting()) {
            throw new IllegalStateException("The embedded HTTP server started before the API key could be installed");
        }
        // first of all: the request's id, so every answer and log line after it can carry it
        protect(server.getConfiguration(), "/*", new RequestIds(id -> !SecretMasking.mask(id).equals(id)));
        protect(server.getConfiguration(), "/*", authentication);
        protect(server.getConfiguration(), WebhookBodies.PATH + "*", new WebhookBodies());
        protect(server.getConfiguration(), largeBodyPath, new LargeBodies(largeBodyMaxBytes));
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        if (management != null) {
            VertxPlatformHttpServerConfiguration serving = management.getPort() == server.getPort() ? server.getConfiguration()
                    : management.getConfiguration();
            protect(serving, management.getHealthPath() + "*", health);
            protect(serving, metricsPath + "*", metrics);
        }
    }

    private static void protect(VertxPlatformHttpServerConfiguration configuration, String path, AuthenticationHandler handler) {
        AuthenticationConfig authenticationConfig = configuration.getAuthenticationConfig();
        if (authenticationConfig == null) {
            authenticationConfig = new AuthenticationConfig(new java.util.ArrayList<>());
            configuration.setAuthenticationConfig(authenticationConfig);
        }
        AuthenticationConfigEntry entry = new AuthenticationConfigEntry();
        entry.setPath(path);
        entry.setAuthenticationProviderFactory(vertx -> (AuthenticationProvider) null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T provider) {
                return handler;
            }
        });
        List<AuthenticationConfigEntry> entries = authenticationConfig.getEntries();
        entries.add(entry);
        authenticationConfig.setEnabled(true);
    }
}
