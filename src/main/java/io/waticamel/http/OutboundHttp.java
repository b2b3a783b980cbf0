package io.waticamel.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.DefaultRedirectStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Timeout;

/**
 * The runtime's one HTTP client (Apache HttpClient 5, the library camel-http uses), configured once:
 * WATI calls (the camel-http endpoint takes it as {@code httpClient=#outboundHttpClient}),
 * {@code file_url} downloads, get_media, callbacks and alerts all go through its pool, timeouts,
 * User-Agent, proxy settings and transfer deadline (the JVM's: {@code -Dhttps.proxyHost}, {@code -Dhttp.nonProxyHosts}).
 * <ul>
 * <li>Every connection's addresses are checked by the {@link AddressGuard} as they are connected to;
 * behind a proxy (which resolves names itself) each hop's target is checked before the request.</li>
 * <li>Redirects are followed for GET and HEAD only, at most {@value #MAX_REDIRECTS}, each hop a new
 * checked connection; the {@code Authorization} header goes to the first request's origin only.</li>
 * <li>No automatic retries (retries are the routes' job, counted and logged there), no cookies.</li>
 * </ul>
 */
public final class OutboundHttp {

    public static final int MAX_REDIRECTS = 3;
    /** Context attribute: the origin the request's Authorization header belongs to. */
    private static final String AUTHORIZED_ORIGIN = "wati.authorized-origin";

    /**
     * The pool and timeouts ({@code wati.http.*}).
     *
     * @param readTimeout     longest silence while waiting for or reading an answer
     * @param transferTimeout longest a whole exchange may take, answer body included, however it trickles
     */
    public record Settings(Duration connectTimeout, Duration readTimeout, Duration transferTimeout, int maxConnectionsPerHost,
            int maxConnections, String userAgent) {
    }

    /** The exchange took longer than {@code wati.http.transfer-timeout}: its connection was closed. */
    public static class TransferTimeoutException extends IOException {
        TransferTimeoutException(Duration limit) {
            super("the transfer took longer than wati.http.transfer-timeout (" + limit.toString().substring(2).toLowerCase(Locale.ROOT) + ")");
        }
    }

    /**
     * Closes the connections of exchanges past their deadline (one daemon thread for the whole
     * runtime). A deadline met is removed at once: left queued for its 10 minutes, thousands a
     * second would pile up, each holding its exchange.
     */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    /** Deadlines still waiting: exchanges in flight (for tests). */
    static int pendingDeadlines() {
        return DEADLINES.getQueue().size();
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "wati-http-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private OutboundHttp() {
    }

    /** The client, with its own pool; closing it closes the pool. */
    public static CloseableHttpClient client(Settings settings, AddressGuard guard) {
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(guard)
                .setMaxConnPerRoute(settings.maxConnectionsPerHost())
                .setMaxConnTotal(settings.maxConnections())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                        .setSocketTimeout(Timeout.of(settings.readTimeout()))
                        .build())
                .build();
        return HttpClients.custom()
                .setConnectionManager(connections)
                .addExecInterceptorFirst("wati-transfer-deadline", transferDeadline(settings.transferTimeout()))
                .setRoutePlanner(new SystemDefaultRoutePlanner(null))
                .addExecInterceptorAfter(ChainElement.REDIRECT.name(), "wati-proxied-target-check", proxiedTargetCheck(guard))
                .setRedirectStrategy(new SameOriginCredentials())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(settings.connectTimeout()))
                        .setResponseTimeout(Timeout.of(settings.readTimeout()))
                        .setMaxRedirects(MAX_REDIRECTS)
                        .build())
                .setUserAgent(settings.userAgent())
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
    }

    /**
     * One deadline for the whole exchange - redirects, the answer and reading its body - because the
     * read timeout is per read, and a server dripping a byte before each one would never trip it.
     * When it passes the connection is closed; reading then fails with {@link TransferTimeoutException}.
     */
    private static ExecChainHandler transferDeadline(Duration limit) {
        return (request, scope, chain) -> {
            if (!(scope.execRuntime instanceof Cancellable connection)) {
                return chain.proceed(request, scope);
            }
            AtomicBoolean expired = new AtomicBoolean();
            ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
                expired.set(true);
                connection.cancel();
            }, limit.toMillis(), TimeUnit.MILLISECONDS);
            ClassicHttpResponse response;
            try {
                response = chain.proceed(request, scope);
            } catch (IOException | HttpException | RuntimeException e) {
                deadline.cancel(false);
                if (expired.get()) {
                    throw new TransferTimeoutException(limit);
                }
                throw e;
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                deadline.cancel(false);
                return response;
            }
            response.setEntity(new HttpEntityWrapper(entity) {
                @Override
                public InputStream getContent() throws IOException {
                    return new FilterInputStream(super.getContent()) {
                        @Override
                        public int read() throws IOException {
                            try {
                                return super.read();
                            } catch (IOException e) {
                                throw expired.get() ? new TransferTimeoutException(limit) : e;
                            }
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            try {
                                return super.read(b, off, len);
                            } catch (IOException e) {
                                throw expired.get() ? new TransferTimeoutException(limit) : e;
                            }
                        }

                        @Override
                        public void close() throws IOException {
                            deadline.cancel(false);
                            super.close();
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    deadline.cancel(false);
                    super.close();
                }
            });
            return response;
        };
    }

    /**
     * Through a proxy the proxy resolves the target, so the guard checks the target's name before
     * the request (and trusts the operator's proxy itself); direct connections are checked at connect.
     */
    private static ExecChainHandler proxiedTargetCheck(AddressGuard guard) {
        return (request, scope, chain) -> {
            HttpHost proxy = scope.route.getProxyHost();
            if (proxy != null) {
                guard.trust(proxy.getHostName(), proxy.getPort());
                HttpHost target = scope.route.getTargetHost();
                guard.resolve(target.getHostName(), target.getPort());
            }
            return chain.proceed(request, scope);
        };
    }

    /** Same scheme, host and port (default ports made explicit). */
    public static boolean sameOrigin(URI a, URI b) {
        return a != null && b != null && a.getScheme() != null && b.getScheme() != null && a.getHost() != null
                && b.getHost() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && AddressGuard.port(a) == AddressGuard.port(b);
    }

    /** HttpClient's redirects, for GET and HEAD only, with Authorization dropped on any hop away from its origin. */
    static final class SameOriginCredentials extends DefaultRedirectStrategy {

        @Override
        public boolean isRedirected(HttpRequest request, HttpResponse response, HttpContext context) throws ProtocolException {
            if (!Method.GET.isSame(request.getMethod()) && !Method.HEAD.isSame(request.getMethod())) {
                return false;
            }
            if (context.getAttribute(AUTHORIZED_ORIGIN) == null) {
                // called with the first request of the chain: its origin is the one its credentials belong to
                context.setAttribute(AUTHORIZED_ORIGIN, origin(request));
            }
            return super.isRedirected(request, response, context);
        }

        @Override
        public boolean isRedirectAllowed(HttpHost currentTarget, HttpHost newTarget, HttpRequest redirect, HttpContext context) {
            if (!origin(redirect).equals(context.getAttribute(AUTHORIZED_ORIGIN))) {
                redirect.removeHeaders(HttpHeaders.AUTHORIZATION);
                redirect.removeHeaders(HttpHeaders.COOKIE);
            }
            return true;
        }

        private static String origin(HttpRequest request) {
            try {
                URI uri = request.getUri();
                return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + AddressGuard.port(uri);
            } catch (Exception e) {
                return "";
            }
        }
    }
}
