package io.waticamel.security;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.OnCamelContextStopped;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Puts {@link ConnectionDeadlines} on every connection to Camel Main's embedded HTTP server (the
 * API and health port). Camel 4.18 builds that server's {@code HttpServerOptions} itself and has no
 * setting or hook for a connection's deadlines ({@code camel.server.*} has none, and Vert.x's own
 * idle timeout would also cut a slow action's answer), but platform-http runs the server on the
 * Vert.x instance it finds in the registry. So the one bound here is Vert.x itself, except that the
 * HTTP server it creates speaks HTTP/1.x only (h2c would bypass the HTTP/1 codec the deadlines
 * watch; Vert.x's ALPN, hence HTTP/2 over TLS, is off by default) and watches each new connection.
 */
public final class InboundConnections {

    private InboundConnections() {
    }

    /** Before the HTTP server starts; this Vert.x is closed after Camel has stopped the server. */
    public static void install(CamelContext context, ConnectionDeadlines.Limits limits) {
        Vertx vertx = Vertx.vertx();
        Vertx forCamel = (Vertx) Proxy.newProxyInstance(InboundConnections.class.getClassLoader(), new Class<?>[] {VertxInternal.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                            && args[0] instanceof HttpServerOptions options) {
                        // Vert.x 4.5: an HTTP/1.x server connection is a ConnectionBase, whose Netty channel carries the bytes
                        return vertx.createHttpServer(options.setHttp2ClearTextEnabled(false))
                                .connectionHandler(connection -> ConnectionDeadlines.watch(((ConnectionBase) connection).channel(), limits));
                    }
                    try {
                        return method.invoke(vertx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        context.getRegistry().bind("watiHttpServerVertx", Vertx.class, forCamel);
        context.addLifecycleStrategy(LifecycleStrategySupport.adapt((OnCamelContextStopped) stopped -> vertx.close()));
    }
}
