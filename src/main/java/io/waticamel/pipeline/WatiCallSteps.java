package io.waticamel.pipeline;

import java.io.IOException;
import java.io.InputStream;

import io.waticamel.action.ActionOutcome;
import io.waticamel.action.TaskResult;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiCall;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;

/**
 * The steps of {@code direct:wati-call} (bean {@code watiCall}): the request an action route built,
 * or the generic request its variables describe, is put on the message for camel-http before every
 * attempt, and WATI's final answer becomes the action's result.
 */
public class WatiCallSteps {

    /** Variables of the generic call: a route file's way to call a WATI operation the runtime does not wrap. */
    public static final String METHOD = "watiMethod";
    public static final String PATH = "watiPath";
    public static final String QUERY = "watiQuery";
    public static final String BODY = "watiBody";
    public static final String SUCCESS_TEXT = "watiSuccessText";
    static final int MAX_ANSWER_BYTES = 1024 * 1024;

    private final WatiRequests requests;
    private final WatiAnswerInterpreter interpreter = new WatiAnswerInterpreter();
    private final String userAgent;

    public WatiCallSteps(WatiRequests requests, String userAgent) {
        this.requests = requests;
        this.userAgent = userAgent;
    }

    /** With {@value #PATH} set, the generic request (variables removed, so a second call starts clean); else the action route's. */
    public void prepare(Exchange exchange) {
        Action action = Action.of(exchange);
        String path = exchange.getVariable(PATH, String.class);
        if (path != null) {
            WatiCall call = requests.generic(action.fields(), action.credentials(), exchange.getVariable(METHOD, String.class), path,
                    exchange.getVariable(QUERY, String.class), exchange.getVariable(BODY));
            action.call(call, exchange.getVariable(SUCCESS_TEXT, String.class));
            for (String variable : new String[] {METHOD, PATH, QUERY, BODY, SUCCESS_TEXT}) {
                exchange.removeVariable(variable);
            }
        } else if (action.call() == null) {
            throw new IllegalStateException("direct:wati-call needs the variable " + PATH
                    + " (the WATI operation, e.g. getContacts) or a request built by the action's route");
        }
    }

    /** The camel-http request of this attempt: every other header removed, so nothing else reaches WATI. */
    public void apply(Exchange exchange) {
        WatiCall call = Action.of(exchange).call();
        Message message = exchange.getMessage();
        // Camel keeps the redelivery counter in headers: keep those (camel-http never sends Camel* headers)
        message.removeHeaders("*", "CamelRedeliver*");
        // the enum itself: a String here costs a type-converter lookup on every call
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(call.method()));
        message.setHeader(Exchange.HTTP_URI, call.uri());
        if (call.rawQuery() != null) {
            message.setHeader(Exchange.HTTP_RAW_QUERY, call.rawQuery());
        }
        message.setHeader("Authorization", call.authorization());
        message.setHeader("User-Agent", userAgent);
        // WATI answers operations in JSON; a media download is whatever the file is
        message.setHeader("Accept", WatiRequests.SHOW_FILE.equals(call.operation()) ? "*/*" : "application/json");
        if (call.contentType() != null) {
            message.setHeader(Exchange.CONTENT_TYPE, call.contentType());
        }
        message.setBody(call.body());
    }

    /** WATI's final answer (after any retries): its status and body decide run and run_text. */
    public void interpret(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] body;
        try (InputStream in = message.getBody(InputStream.class)) {
            body = in == null ? new byte[0] : in.readNBytes(MAX_ANSWER_BYTES);
        }
        Action action = Action.of(exchange);
        WatiAnswer answer = interpreter.interpret(status, body);
        // WATI's own status and body, for a caller that reads more than run and run_text (a bulk call's receivers)
        action.attach(WatiAnswer.class, answer);
        String runText = answer.success() ? action.successText() : answer.reason();
        action.result(new TaskResult(action.taskId(), answer.success(), runText, answer.body(), answer.success() ? 200 : 502),
                answer.success() ? ActionOutcome.OK : ActionOutcome.WATI_REFUSED);
    }
}
