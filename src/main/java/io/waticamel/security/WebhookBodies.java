package io.waticamel.security;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;

/**
 * In front of the webhook paths ({@value #PATH}): WATI's body is JSON whatever its Content-Type
 * says, so the request is marked {@code application/json} before the body is read. Otherwise the
 * HTTP server would parse a body sent as a form (curl's default, some proxies') into form fields and
 * the event would be lost. The original type is kept as {@value #ORIGINAL_CONTENT_TYPE}.
 */
public final class WebhookBodies implements AuthenticationHandler {

    public static final String PATH = "/webhooks/";
    public static final String ORIGINAL_CONTENT_TYPE = "X-Original-Content-Type";

    @Override
    public void handle(RoutingContext ctx) {
        var headers = ctx.request().headers();
        String declared = headers.get("Content-Type");
        headers.remove(ORIGINAL_CONTENT_TYPE);
        if (declared != null) {
            headers.set(ORIGINAL_CONTENT_TYPE, declared);
        }
        headers.set("Content-Type", "application/json");
        ctx.next();
    }
}
