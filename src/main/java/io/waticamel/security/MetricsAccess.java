package io.waticamel.security;

import java.util.Locale;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.RequestIds;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of {@code /observe/metrics} on the API port. The metrics name the accounts and show every caller's volumes,
 * so by default they need a key: the scrape key {@code wati.metrics.key} (it opens the metrics and nothing else, so a
 * Prometheus server can keep it without being able to send a message), or an API key that sees every caller's records
 * ({@code wati.api-admins}, or the only key). It comes as {@code Authorization: Bearer <key>} (Prometheus'
 * {@code authorization} setting, in every version) or as {@code X-API-Key}; either header is removed once read. With
 * {@code wati.metrics.anonymous=true} anyone who reaches the port reads them (a port only Prometheus reaches).
 */
public class MetricsAccess implements AuthenticationHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsAccess.class);
    private static final String BEARER = "bearer ";

    private final boolean anonymous;
    private final ApiKeys apiKeys;
    private final RecordOwners owners;
    private final ApiKeys scrapeKey;

    /**
     * @param scrapeKey {@code wati.metrics.key}, null when not set
     */
    public MetricsAccess(boolean anonymous, ApiKeys apiKeys, RecordOwners owners, ApiKeys scrapeKey) {
        this.anonymous = anonymous;
        this.apiKeys = apiKeys;
        this.owners = owners;
        this.scrapeKey = scrapeKey;
    }

    @Override
    public void handle(RoutingContext ctx) {
        var headers = ctx.request().headers();
        String presented = headers.get(ApiKeyAuthentication.HEADER);
        String authorization = headers.get("Authorization");
        headers.remove(ApiKeyAuthentication.HEADER);
        headers.remove("Authorization");
        if (anonymous) {
            ctx.next();
            return;
        }
        if (presented == null && authorization != null && authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            presented = authorization.substring(BEARER.length()).strip();
        }
        if (ApiKeyAuthentication.keyInQuery(ctx)) {
            // a key in the URL ends up in access logs and Prometheus' target list: refused, as on /api
            presented = null;
        }
        if (scrapeKey != null && scrapeKey.match(presented).isPresent()) {
            ctx.next();
            return;
        }
        var name = apiKeys.match(presented);
        if (name.isPresent() && owners.isAdmin(name.get())) {
            ctx.next();
            return;
        }
        // DEBUG only: a scraper without its key asks every 15 s, and its own target page shows the 401
        LOG.debug("Refused GET {}: {}", ctx.normalizedPath(), presented == null ? "no key" : name.isPresent() ? "key " + name.get()
                + " is not an admin key" : "invalid key");
        int status = name.isPresent() ? 403 : 401;
        String text = name.isPresent()
                ? "This API key may not read the metrics: use wati.metrics.key, or a key of wati.api-admins"
                : "Metrics need a key: Authorization: Bearer <wati.metrics.key> (or X-API-Key with an admin API key)";
        var response = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"wati-camel metrics\"");
        }
        response.end(Buffer.buffer(JsonAnswer.bytes(JsonAnswer.errorBody(status, text, RequestIds.of(ctx)))));
    }
}
