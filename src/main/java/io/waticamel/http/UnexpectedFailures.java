package io.waticamel.http;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.rest.RestEndpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * An HTTP request whose route failed with an exception nothing caught (a bug, or a route file's
 * {@code throwException}) would be answered by platform-http with the exception's stack trace as
 * text. Here, when the HTTP route is done with the exchange and before the answer is written, the
 * exception is logged once with the request id and replaced by a 500 in the error shape: the caller
 * gets the request id to quote, not the runtime's insides. A route policy on every route whose
 * consumer is an HTTP endpoint (REST DSL, platform-http), the runtime's and route files' alike.
 */
public final class UnexpectedFailures extends RoutePolicySupport implements RoutePolicyFactory {

    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedFailures.class);

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return this;
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        Exception exception = exchange.getException();
        if (exception == null || !(route.getEndpoint() instanceof PlatformHttpEndpoint || route.getEndpoint() instanceof RestEndpoint)) {
            return;
        }
        String requestId = exchange.getProperty(RequestIds.PROPERTY, String.class);
        if (requestId != null) {
            MDC.put(RequestIds.PROPERTY, requestId);
        }
        try {
            LOG.error("{} {} failed: answered 500", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_URI), exception);
        } finally {
            MDC.remove(RequestIds.PROPERTY);
        }
        exchange.setException(null);
        try {
            JsonAnswer.error(exchange, 500, ErrorPages.REASONS.get(500), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
