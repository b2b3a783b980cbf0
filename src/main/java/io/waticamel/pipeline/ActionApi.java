package io.waticamel.pipeline;

import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.TaskResult;
import io.waticamel.http.JsonAnswer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The HTTP edge of actions (bean {@code actionApi}): what a request must look like, and the
 * answer: the task variables as JSON with the result's status, and no header of the request or of
 * WATI's answer.
 */
public class ActionApi {

    /** The task fields come from the JSON body only: refuse forms (415) and empty bodies with a reason. */
    public void requireJsonBody(Exchange exchange) {
        Message in = exchange.getMessage();
        if (parsedAsForm(in.getHeader(Exchange.CONTENT_TYPE, "", String.class))) {
            // the HTTP server would have parsed the JSON as a form: say what to send instead of a puzzling error
            throw new ActionRejectedException("Send the task fields as a JSON object with Content-Type: application/json", 415);
        }
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new ActionRejectedException("Request body is empty: send a JSON object of task fields");
        }
        in.setBody(body);
    }

    /** A form or multipart Content-Type: the HTTP server parses such a body into form fields, so a JSON body sent with it is lost. */
    public static boolean parsedAsForm(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
    }

    /** The last action's result as the HTTP answer (a 429 says when to retry). */
    public void answer(Exchange exchange) throws JsonProcessingException {
        Action action = Action.of(exchange);
        TaskResult result = action.result();
        JsonAnswer.send(exchange, result.httpStatus(), result.variables());
        Throttled throttled = action.attached(Throttled.class);
        if (throttled != null) {
            exchange.getMessage().setHeader("Retry-After", throttled.retryAfterSeconds());
        }
    }
}
