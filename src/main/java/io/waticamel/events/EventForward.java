package io.waticamel.events;

import java.net.URI;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;

/**
 * The forward subscriber (bean {@code watiEventForward}): each event POSTed as it came from WATI
 * to {@code wati.events.forward-url} (a CRM's own webhook trigger), with what the runtime added as
 * headers ({@code X-Wati-Event-Id}, {@code -Event-Type}, {@code -Account}, {@code -File-Id},
 * {@code -File-Url}). Anything but a 2xx fails the attempt: the event is tried again later.
 */
public class EventForward {

    private final URI url;

    public EventForward(URI url) {
        this.url = url;
    }

    /** The POST for camel-http, nothing else of the exchange's headers. */
    public void request(Exchange exchange) {
        Message message = exchange.getMessage();
        Object id = message.getHeader(EventSteps.EVENT_ID);
        Object type = message.getHeader(EventSteps.EVENT_TYPE);
        Object account = message.getHeader(EventSteps.ACCOUNT);
        Object fileId = message.getHeader(EventSteps.FILE_ID);
        Object fileUrl = message.getHeader(EventSteps.FILE_URL);
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader(Exchange.HTTP_URI, url.toString());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("X-Wati-Event-Id", id);
        setIfPresent(message, "X-Wati-Event-Type", type);
        message.setHeader("X-Wati-Account", account);
        setIfPresent(message, "X-Wati-File-Id", fileId);
        setIfPresent(message, "X-Wati-File-Url", fileUrl);
    }

    /** 2xx: delivered; any other answer fails this attempt (host only in the text: the URL may hold a secret). */
    public void answered(Exchange exchange) throws ForwardFailedException {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status < 200 || status > 299) {
            throw new ForwardFailedException("wati.events.forward-url (" + url.getHost() + ") answered HTTP " + status);
        }
    }

    private static void setIfPresent(Message message, String name, Object value) {
        if (value != null) {
            message.setHeader(name, value);
        }
    }

    public static class ForwardFailedException extends Exception {
        public ForwardFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
