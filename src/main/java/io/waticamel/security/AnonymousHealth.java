package io.waticamel.security;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/**
 * Camel's health check on the API port answers anyone (a load balancer sends no key), and its query
 * ({@code ?exposureLevel=full}, {@code &stackTrace=true}) would show every route id, error messages
 * and stack traces. Without a valid {@code X-API-Key} the exposure level is Camel's "oneline",
 * whatever the query asks: UP or DOWN, nothing else. With the key the query is Camel's to read.
 */
public class AnonymousHealth implements AuthenticationHandler {

    private final ApiKeys keys;

    public AnonymousHealth(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String presented = ctx.request().headers().get(ApiKeyAuthentication.HEADER);
        ctx.request().headers().remove(ApiKeyAuthentication.HEADER);
        if (keys.match(presented).isEmpty()) {
            // Camel's health handler reads the request's parameters, which Vert.x decodes once and keeps
            ctx.request().params().set("exposureLevel", "oneline");
        }
        ctx.next();
    }
}
