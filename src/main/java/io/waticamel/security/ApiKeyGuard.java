package io.waticamel.security;

import io.waticamel.action.TaskResults;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of every {@code /api/**} route: without a valid {@code X-API-Key} the caller gets 401
 * (the task variables, run=false) and the route stops here. The matching key's name is kept in the
 * exchange property {@value #PROPERTY} for logs; the key itself is removed from the message.
 */
public class ApiKeyGuard implements Processor {

    public static final String HEADER = "X-API-Key";
    public static final String PROPERTY = "watiApiKeyName";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyGuard.class);

    private final ApiKeys keys;
    private final TaskResults results;

    public ApiKeyGuard(ApiKeys keys, TaskResults results) {
        this.keys = keys;
        this.results = results;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String presented = exchange.getMessage().getHeader(HEADER, String.class);
        exchange.getMessage().removeHeader(HEADER);
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, "", String.class).toLowerCase(java.util.Locale.ROOT);
        if (query.contains("x-api-key=")) {
            // the HTTP server turns query parameters into headers: a key in the URL ends up in access logs, refuse it
            presented = null;
        }
        var name = keys.match(presented);
        if (name.isPresent()) {
            exchange.setProperty(PROPERTY, name.get());
            return;
        }
        LOG.warn("Refused {} {}: {} API key", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_PATH), presented == null ? "no" : "invalid");
        results.unauthorized(exchange);
        results.toHttpResponse(exchange);
        exchange.setRouteStop(true);
    }
}
