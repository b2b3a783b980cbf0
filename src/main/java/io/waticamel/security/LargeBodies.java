package io.waticamel.security;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A larger body limit for one path ({@code POST /api/v1/campaigns}: up to 100 000 recipients),
 * where every other path keeps {@code wati.api.max-body-bytes}. It reads the body itself, after the
 * API key was checked; the server's own body handler then sees a body already read and leaves it.
 * Over the limit is 413, as elsewhere. No uploads are written to disk.
 */
public final class LargeBodies implements AuthenticationHandler {

    private final BodyHandler bodies;

    public LargeBodies(long maxBytes) {
        this.bodies = BodyHandler.create(false).setBodyLimit(maxBytes);
    }

    @Override
    public void handle(RoutingContext ctx) {
        bodies.handle(ctx);
    }
}
