package io.waticamel.security;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.RequestIds;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.waticamel.action.ActionFields;
import io.waticamel.action.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API key on every path under {@value #PROTECTED_PATH}, in the HTTP server itself (a Vert.x
 * handler in front of all routes): the runtime's routes, REST and route files alike, whatever route
 * configuration they name; checked before the request body is read. Without a valid
 * {@code X-API-Key} the caller gets 401 (on {@code POST /api/v1/actions} the task variables, run=false;
 * elsewhere the error shape of {@link JsonAnswer}) and the connection is
 * closed, its body unread. On success the key is
 * removed from the request and the key's name is passed on as the header {@value #CALLER_HEADER}
 * (set here on every request, so a caller cannot choose it).
 */
public class ApiKeyAuthentication implements AuthenticationHandler {

    public static final String HEADER = "X-API-Key";
    public static final String CALLER_HEADER = "WatiApiKeyName";
    public static final String PROTECTED_PATH = "/api";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthentication.class);

    private final ApiKeys keys;
    private static final String ACTIONS_PATH = PROTECTED_PATH + "/v1/actions";
    private static final String REFUSAL = "Missing or invalid API key: send the X-API-Key header";

    private final Buffer unauthorizedTask;

    public ApiKeyAuthentication(ApiKeys keys) {
        this.keys = keys;
        try {
            this.unauthorizedTask = Buffer.buffer(new ObjectMapper().writeValueAsBytes(new TaskResult(ActionFields.DEFAULT_TASK_ID, false,
                    REFUSAL, null, 401).variables()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        var headers = ctx.request().headers();
        headers.remove(CALLER_HEADER);
        if (!isProtected(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String presented = headers.get(HEADER);
        headers.remove(HEADER);
        if (keyInQuery(ctx)) {
            // a key in the URL ends up in access logs and browser history: refuse it
            presented = null;
        }
        var name = keys.match(presented);
        if (name.isPresent()) {
            headers.set(CALLER_HEADER, name.get());
            ctx.next();
            return;
        }
        LOG.warn("Refused {} {}: {} API key", ctx.request().method(), ctx.normalizedPath(), presented == null ? "no" : "invalid");
        // no keep-alive for a caller without a key: the connection is closed once the 401 is out, so a
        // body still on its way (up to wati.api.max-body-bytes) is never read
        var connection = ctx.request().connection();
        Buffer body = isAction(ctx) ? unauthorizedTask
                : Buffer.buffer(JsonAnswer.bytes(JsonAnswer.errorBody(401, REFUSAL, RequestIds.of(ctx))));
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(body).onComplete(sent -> connection.close());
    }

    /** A CRM posting an action reads the task variables, whatever the answer; every other caller gets the error shape. */
    private static boolean isAction(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        // the router takes /api/v1/actions/ for /api/v1/actions
        return ctx.request().method() == HttpMethod.POST
                && ACTIONS_PATH.equalsIgnoreCase(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }

    static boolean isProtected(String path) {
        String p = path == null ? "" : path.toLowerCase(Locale.ROOT);
        return p.equals(PROTECTED_PATH) || p.startsWith(PROTECTED_PATH + "/");
    }

    /**
     * Any query parameter named like the key, however it is percent-encoded or capitalised. Vert.x
     * (and so platform-http, which makes each parameter a header) splits the query at ';' as well as
     * at '&': so does this.
     */
    static boolean keyInQuery(RoutingContext ctx) {
        String query = ctx.request().query();
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("[&;]")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            String decoded;
            try {
                decoded = java.net.URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                decoded = name;
            }
            if (decoded.strip().equalsIgnoreCase(HEADER)) {
                return true;
            }
        }
        return false;
    }
}
