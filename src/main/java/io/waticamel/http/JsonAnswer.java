package io.waticamel.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The HTTP answer of every API route: a status and a JSON body, and no other header, so nothing
 * of the request (API key) or of WATI's answer goes back to the caller.
 */
public final class JsonAnswer {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonAnswer() {
    }

    public static void send(Exchange exchange, int status, Object body) throws JsonProcessingException {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(MAPPER.writeValueAsBytes(body));
    }
}
