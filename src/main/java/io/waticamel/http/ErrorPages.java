package io.waticamel.http;

import java.util.Map;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server's own answers in the runtime's error shape ({@link JsonAnswer#errorBody}), instead
 * of Vert.x's HTML 404, empty 405 and plain-text 413: an unknown path, a method a path does not take,
 * a body over the limit, a failure no route answered.
 */
public final class ErrorPages implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);

    static final Map<Integer, String> REASONS = Map.of(
            400, "The request could not be read",
            404, "No such path: the API is described at /api/v1/openapi.json",
            405, "This path does not take this method: the API is described at /api/v1/openapi.json",
            406, "This path cannot answer in the type the Accept header asks for",
            415, "This path does not take a body of this Content-Type",
            413, "The body is larger than this path takes (wati.api.max-body-bytes; campaigns: wati.campaigns.max-body-bytes)",
            500, "The request failed inside the runtime; its log lines carry this request_id");

    /** Once every service, the HTTP server among them, has started (the router exists from then). */
    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        MainHttpServer main = context.hasService(MainHttpServer.class);
        VertxPlatformHttpRouter routes = main == null ? null
                : VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(main.getPort()));
        // the routes live in a router mounted under the server's own, which answers what no route took
        if (routes != null && routes.getServer().getServer().requestHandler() instanceof Router server) {
            REASONS.forEach((status, reason) -> server.errorHandler(status, ctx -> answer(ctx, status, reason)));
        } else {
            LOG.warn("The HTTP server's own error answers (404, 405, 413) keep Vert.x's format: its router was not found");
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the router is looked up once all services have started
    }

    private static void answer(RoutingContext ctx, int status, String reason) {
        if (ctx.response().headWritten()) {
            ctx.response().close();
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(JsonAnswer.bytes(JsonAnswer.errorBody(status, reason, RequestIds.of(ctx)))));
    }
}
