package io.waticamel.action;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.http.JsonAnswer;
import io.waticamel.security.ApiKeyGuard;
import io.waticamel.wati.CredentialsEnricher;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.wati.WatiRequests;
import io.waticamel.wati.WatiRetryableException;
import io.waticamel.wati.WatiThrottle;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what happened to an action into its {@link TaskResult}: the exchange body becomes the three
 * task variables (a Map) and the property {@value #PROPERTY} holds the result with its HTTP status.
 */
public class TaskResults {

    public static final String PROPERTY = "watiTaskResult";
    /** Exchange property set by an action route: run_text when WATI accepted the call. */
    public static final String SUCCESS_TEXT = "watiSuccessText";
    /** Exchange property set by an action that answers itself (get_media): the task response. */
    public static final String RESPONSE = "watiTaskResponse";
    /** Exchange property: how many times WATI was called for a failed action. */
    public static final String ATTEMPTS = "watiAttempts";
    static final int MAX_ANSWER_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger("io.waticamel.actions");

    private final WatiAnswerInterpreter interpreter;
    private final ObjectMapper mapper = new ObjectMapper();

    public TaskResults(WatiAnswerInterpreter interpreter) {
        this.interpreter = interpreter;
    }

    /** After camel-http: WATI's status and body decide run and run_text. */
    public void fromWatiAnswer(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] body;
        try (InputStream in = message.getBody(InputStream.class)) {
            body = in == null ? new byte[0] : in.readNBytes(MAX_ANSWER_BYTES);
        }
        WatiAnswer answer = interpreter.interpret(status, body);
        String runText = answer.success() ? exchange.getProperty(SUCCESS_TEXT, "Done.", String.class) : answer.reason();
        complete(exchange, new TaskResult(taskId(exchange), answer.success(), runText, answer.body(),
                answer.success() ? 200 : 502));
    }

    /** An action that did not end with a WATI answer to interpret (get_media): its own response. */
    public void succeeded(Exchange exchange) {
        JsonNode response = mapper.valueToTree(exchange.getProperty(RESPONSE));
        complete(exchange, new TaskResult(taskId(exchange), true, exchange.getProperty(SUCCESS_TEXT, "Done.", String.class),
                response, 200));
    }

    /** The action ended early: refused before WATI was called, or failed outside the runtime. */
    public void ended(Exchange exchange) {
        ActionException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ActionException.class);
        complete(exchange, new TaskResult(taskId(exchange), false, e.getMessage(), e.response(), e.httpStatus()));
    }

    /** WATI kept answering 429 or 5xx until the attempts were exhausted: its last answer decides the text. */
    public void retriesExhausted(Exchange exchange) {
        WatiRetryableException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WatiRetryableException.class);
        WatiAnswer answer = interpreter.interpret(e.status(), e.body());
        complete(exchange, new TaskResult(taskId(exchange), false, answer.reason() + attempts(exchange), answer.body(), 502));
    }

    /** " (after N attempts)" when WATI was called more than once; N is kept in {@value #ATTEMPTS} for the dead letter. */
    private static String attempts(Exchange exchange) {
        Integer redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        int attempts = redeliveries == null ? 1 : redeliveries + 1;
        exchange.setProperty(ATTEMPTS, attempts);
        return attempts == 1 ? "" : " (after " + attempts + " attempts)";
    }

    /** WATI could not be reached (connection refused, timeout, TLS): no answer to interpret. */
    public void unreachable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // the exception's own message names host and port at most: never the token, which is a header
        String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        complete(exchange, new TaskResult(taskId(exchange), false, "WATI could not be reached (" + reason + ")" + attempts(exchange),
                null, 502));
    }

    /** A fault of the runtime itself, not of the caller or WATI: logged with its stack, answered 500. */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        attempts(exchange);
        LOG.error("Action failed unexpectedly", e);
        complete(exchange, new TaskResult(taskId(exchange), false,
                "Internal error (" + e.getClass().getSimpleName() + "); see the runtime log", null, 500));
    }

    public void unauthorized(Exchange exchange) {
        complete(exchange, new TaskResult(ActionFields.DEFAULT_TASK_ID, false,
                "Missing or invalid API key: send the X-API-Key header", null, 401));
    }

    /** For the HTTP edge: no header of the request or of WATI's answer goes back to the caller. */
    public void toHttpResponse(Exchange exchange) throws JsonProcessingException {
        TaskResult result = exchange.getProperty(PROPERTY, TaskResult.class);
        JsonAnswer.send(exchange, result.httpStatus(), result.variables());
        Long retryAfter = exchange.getProperty(WatiThrottle.RETRY_AFTER, Long.class);
        if (retryAfter != null) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
    }

    @SuppressWarnings("unchecked")
    private void complete(Exchange exchange, TaskResult result) {
        exchange.setProperty(PROPERTY, result);
        Map<String, Object> callerHeaders = exchange.getProperty(ActionReader.CALLER_HEADERS, Map.class);
        if (callerHeaders != null) {
            // the caller's route goes on with its own headers, not WATI's response headers
            exchange.getMessage().setHeaders(new LinkedHashMap<>(callerHeaders));
        }
        exchange.getMessage().setBody(result.variables());
        ActionFields fields = exchange.getProperty(ActionReader.PROPERTY, ActionFields.class);
        WatiCredentials credentials = exchange.getProperty(CredentialsEnricher.PROPERTY, WatiCredentials.class);
        LOG.info("{} to {} via {}: run={} status={} {} (caller {})", fields == null ? "-" : fields.action(),
                exchange.getProperty(WatiRequests.MASKED_NUMBER, "-", String.class),
                credentials == null ? "-" : credentials.label(), result.run(), result.httpStatus(), result.runText(),
                exchange.getProperty(ApiKeyGuard.PROPERTY, "-", String.class));
    }

    private static String taskId(Exchange exchange) {
        ActionFields fields = exchange.getProperty(ActionReader.PROPERTY, ActionFields.class);
        return fields == null ? ActionFields.DEFAULT_TASK_ID : fields.taskId();
    }
}
