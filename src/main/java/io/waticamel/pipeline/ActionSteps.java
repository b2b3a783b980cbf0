package io.waticamel.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionException;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionReader;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.TaskResult;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiRetryableException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@code direct:wati-action} (bean {@code actions}): read the task fields into an
 * {@link Action}, find the action's route, resolve its credentials, and turn whatever happened
 * into the task's three output variables.
 */
public class ActionSteps {

    /** The convention that makes a route an action: it consumes {@code direct:wati-action-<wati_action>}. */
    public static final String ACTION_ENDPOINT_PREFIX = "direct:wati-action-";
    /** Variable a route may set to choose the action for the next call of direct:wati-action (instead of the body's field). */
    public static final String ACTION_NAME_VARIABLE = "wati_action";
    private static final Pattern ACTION_NAME = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Logger LOG = LoggerFactory.getLogger("io.waticamel.actions");

    private final ActionReader reader;
    private final WatiAccounts accounts;
    private final ActionRoutes routes;
    private final WatiMetrics metrics;
    private final WatiAnswerInterpreter interpreter = new WatiAnswerInterpreter();
    private final ObjectMapper mapper = new ObjectMapper();

    public ActionSteps(ActionReader reader, WatiAccounts accounts, ActionRoutes routes, WatiMetrics metrics) {
        this.reader = reader;
        this.accounts = accounts;
        this.routes = routes;
        this.metrics = metrics;
    }

    /**
     * The body's task fields (a Map or JSON) become the exchange's {@link Action} (with the action
     * named by the variable {@value #ACTION_NAME_VARIABLE}, when a route set it); the body becomes
     * the fields (a read-only Map whose toString hides the token) for the action's route.
     */
    public void read(Exchange exchange) {
        exchange.removeVariable(Action.VARIABLE);
        Message message = exchange.getMessage();
        Map<String, Object> callerHeaders = new LinkedHashMap<>(message.getHeaders());
        String caller = message.getHeader(ApiKeyAuthentication.CALLER_HEADER, String.class);
        Object body = message.getBody();
        if (body != null && !(body instanceof Map || body instanceof String || body instanceof byte[])) {
            // an HTTP server's buffer or a stream: Camel's converters give its bytes
            Object bytes = message.getBody(byte[].class);
            body = bytes != null ? bytes : body;
        }
        // a workflow runs several actions on the same fields: its choice wins, for this call only
        String chosen = exchange.getVariable(ACTION_NAME_VARIABLE, String.class);
        exchange.removeVariable(ACTION_NAME_VARIABLE);
        ActionFields fields = reader.read(body);
        if (chosen != null) {
            Map<String, String> withAction = new LinkedHashMap<>(fields);
            withAction.put("wati_action", chosen);
            fields = new ActionFields(withAction);
        }
        exchange.setVariable(Action.VARIABLE, new Action(fields, callerHeaders, caller));
        message.setBody(fields);
    }

    /** The endpoint of the action's route ({@code direct:wati-action-<wati_action>}); unknown actions are refused. */
    public String route(Exchange exchange) {
        String name = Action.of(exchange).name();
        if (name == null) {
            throw new ActionRejectedException("No wati_action provided. Valid actions: " + String.join(", ", routes.actions()));
        }
        if (!ACTION_NAME.matcher(name).matches() || !routes.exists(name)) {
            throw new ActionRejectedException("Unknown wati_action '" + ActionReader.printable(name) + "'. Valid actions: "
                    + String.join(", ", routes.actions()));
        }
        return ACTION_ENDPOINT_PREFIX + name;
    }

    /** The named account's or the request's endpoint and token. */
    public void credentials(Exchange exchange) {
        Action action = Action.of(exchange);
        action.credentials(accounts.resolve(action.fields()));
    }

    /**
     * The action ended early with a known outcome: refused before WATI was called, or failed outside the runtime.
     * Counted here: post-action answers such a refusal (of an async action's checks, a body that is not JSON) without
     * {@link #answer}.
     */
    public void ended(Exchange exchange) {
        ActionException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ActionException.class);
        Action action = current(exchange);
        if (e instanceof Throttled throttled) {
            action.attach(Throttled.class, throttled);
        }
        action.result(new TaskResult(action.taskId(), false, e.getMessage(), e.response(), e.httpStatus()), e.outcome());
        count(action);
    }

    /** WATI kept answering 429 or 5xx until the attempts were exhausted: its last answer decides the text. */
    public void retriesExhausted(Exchange exchange) {
        WatiRetryableException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WatiRetryableException.class);
        Action action = current(exchange);
        WatiAnswer answer = interpreter.interpret(e.status(), e.body());
        action.result(new TaskResult(action.taskId(), false, answer.reason() + attempts(exchange, action), answer.body(), 502),
                ActionOutcome.WATI_UNAVAILABLE);
    }

    /** An answer that redirected to a location that cannot be followed (malformed): the caller's URL, nothing to retry. */
    public void unfollowable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Action action = current(exchange);
        String reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        action.result(new TaskResult(action.taskId(), false, "The redirect could not be followed: " + reason, null, 400),
                ActionOutcome.INVALID);
    }

    /** WATI could not be reached (connection refused, timeout, TLS): no answer to interpret. */
    public void unreachable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Action action = current(exchange);
        // the exception's own message names host and port at most: never the token, which is a header
        String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        action.result(new TaskResult(action.taskId(), false, "WATI could not be reached (" + reason + ")" + attempts(exchange, action),
                null, 502), ActionOutcome.WATI_UNREACHABLE);
    }

    /** A fault of the runtime itself (or of a route file), not of the caller or WATI: logged with its stack, answered 500. */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Action action = current(exchange);
        attempts(exchange, action);
        LOG.error("Action failed unexpectedly", e);
        action.result(new TaskResult(action.taskId(), false,
                "Internal error (" + e.getClass().getSimpleName() + "); see the runtime log", null, 500), ActionOutcome.ERROR);
    }

    /**
     * The action's answer: the body becomes the three task variables, the variable
     * {@value Action#RESULT_VARIABLE} the {@link TaskResult}, and the caller's headers are given back
     * as they came (not WATI's answer headers).
     */
    public void answer(Exchange exchange) {
        Action action = Action.of(exchange);
        if (action.result() == null) {
            // an action route that answered itself (get_media) or a call that left no result
            JsonNode response = action.response() == null ? null : mapper.valueToTree(action.response());
            action.result(new TaskResult(action.taskId(), true, action.successText(), response, 200), ActionOutcome.OK);
        }
        TaskResult result = action.result();
        String note = action.note(result.run());
        if (note != null) {
            result = new TaskResult(result.taskId(), result.run(), note + " " + result.runText(), result.response(), result.httpStatus());
            action.result(result, action.outcome());
        }
        Message message = exchange.getMessage();
        message.setHeaders(new LinkedHashMap<>(action.callerHeaders()));
        message.setBody(result.variables());
        exchange.setVariable(Action.RESULT_VARIABLE, result);
        LOG.info("{} to {} via {}: run={} status={} {} (caller {})", action.name() == null ? "-" : action.name(),
                action.recipient(), action.account(), result.run(), result.httpStatus(), result.runText(), action.caller());
        count(action);
    }

    /**
     * The action's outcome in the metrics, once: its name only when a route serves it (else the caller's text would
     * be a label), its account's name or "request" (never the endpoint or token).
     */
    private void count(Action action) {
        if (!action.firstCount()) {
            return;
        }
        String name = action.name();
        String label = name != null && ACTION_NAME.matcher(name).matches() && routes.exists(name) ? name : WatiMetrics.UNKNOWN_ACTION;
        ActionOutcome outcome = action.outcome();
        if (outcome == null) {
            // a result from a step that gave no reason: by its run flag
            outcome = action.result().run() ? ActionOutcome.OK : ActionOutcome.FAILED;
        }
        metrics.action(label, WatiMetrics.account(action.credentials()), outcome, action.elapsedNanos());
    }

    /** The exchange's action; one without fields when the body could not be read (the answer then has the default task id). */
    private static Action current(Exchange exchange) {
        Action action = exchange.getVariable(Action.VARIABLE, Action.class);
        if (action == null) {
            Message message = exchange.getMessage();
            action = new Action(ActionFields.EMPTY, new LinkedHashMap<>(message.getHeaders()),
                    message.getHeader(ApiKeyAuthentication.CALLER_HEADER, String.class));
            exchange.setVariable(Action.VARIABLE, action);
        }
        return action;
    }

    /** " (after N attempts)" when WATI was called more than once. */
    private static String attempts(Exchange exchange, Action action) {
        Integer redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        int attempts = redeliveries == null ? 1 : redeliveries + 1;
        action.attempts(attempts);
        return attempts == 1 ? "" : " (after " + attempts + " attempts)";
    }

    /** The action names that have a route, sorted. */
    public List<String> actions() {
        return routes.actions();
    }
}
