package io.waticamel.security;

import java.util.List;

import io.vertx.ext.auth.authentication.AuthenticationProvider;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;

/**
 * Puts {@link ApiKeyAuthentication} into Camel Main's embedded HTTP server as platform-http's
 * authentication handler for every path, before the server starts and before any route exists,
 * so no route file can opt out of it.
 */
public final class ApiKeyHttpServer {

    private ApiKeyHttpServer() {
    }

    public static void install(CamelContext context, ApiKeyAuthentication authentication) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null) {
            throw new IllegalStateException("No embedded HTTP server to protect: set camel.server.enabled = true");
        }
        if (server.getStatus().isStarted() || server.getStatus().isStarting()) {
            throw new IllegalStateException("The embedded HTTP server started before the API key could be installed");
        }
        AuthenticationConfig authenticationConfig = server.getConfiguration().getAuthenticationConfig();
        if (authenticationConfig == null) {
            authenticationConfig = new AuthenticationConfig(new java.util.ArrayList<>());
            server.getConfiguration().setAuthenticationConfig(authenticationConfig);
        }
        AuthenticationConfigEntry entry = new AuthenticationConfigEntry();
        entry.setPath("/*");
        entry.setAuthenticationProviderFactory(vertx -> (AuthenticationProvider) null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> io.vertx.ext.web.handler.AuthenticationHandler createAuthenticationHandler(T provider) {
                return authentication;
            }
        });
        List<AuthenticationConfigEntry> entries = authenticationConfig.getEntries();
        entries.add(entry);
        authenticationConfig.setEnabled(true);
    }
}
