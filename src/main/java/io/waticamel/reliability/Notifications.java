package io.waticamel.reliability;

import java.net.URI;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the runtime tells others: async-action callbacks ({@code callback_url}) and account alerts
 * ({@code wati.alerts.webhook-url}), each a JSON POST. {@link #send} queues one for the
 * notifications route (the action does not wait for it), which POSTs it with the runtime's one
 * HTTP client and retries 429, 5xx and connection failures ({@code wati.notifications.*}); a
 * refusal (other 4xx) or the last failure is logged, naming the host only (a callback URL may carry
 * the caller's secret).
 */
public class Notifications {

    /** The queue the notifications route consumes. */
    public static final String QUEUE = "seda:wati-notifications";
    /** Exchange variable of the notifications route: the one being delivered. */
    static final String VARIABLE = "watiNotification";
    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);

    /** One notification: what it is (for logs), where it goes, and its JSON body. */
    public record Notification(String what, URI url, byte[] json) {
    }

    /** The notification could not be delivered yet: retried by the route. */
    public static class RetryableNotificationException extends Exception {
        public RetryableNotificationException(String message) {
            super(message, null, false, false);
        }
    }

    private final ProducerTemplate producer;
    private final ObjectMapper mapper = new ObjectMapper();

    public Notifications(ProducerTemplate producer) {
        this.producer = producer;
    }

    /** Queues {@code body} as JSON for {@code url}; never fails the caller (a full queue is logged). */
    public void send(String what, URI url, Object body) {
        try {
            producer.sendBody(QUEUE, new Notification(what, url, mapper.writeValueAsBytes(body)));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("{} to {} not queued: {}", what, url.getHost(), e.toString());
        }
    }

    /** Before each attempt: the POST for camel-http, nothing else on the message. */
    public void request(Exchange exchange) {
        Notification notification = notification(exchange);
        Message message = exchange.getMessage();
        message.removeHeaders("*", "CamelRedeliver*");
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader(Exchange.HTTP_URI, notification.url().toString());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(notification.json());
    }

    /** After each attempt: 2xx delivered, 429 and 5xx retried, any other answer is final. */
    public void answered(Exchange exchange) throws RetryableNotificationException {
        Notification notification = exchange.getVariable(VARIABLE, Notification.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 429 || status >= 500) {
            throw new RetryableNotificationException("HTTP " + status);
        }
        if (status < 200 || status > 299) {
            LOG.warn("{} to {} refused with HTTP {}: not retried", notification.what(), notification.url().getHost(), status);
        } else {
            LOG.debug("{} delivered to {}", notification.what(), notification.url().getHost());
        }
    }

    /** The attempts are exhausted: one WARN line (the host, never the full URL). */
    public void failed(Exchange exchange) {
        Notification notification = exchange.getVariable(VARIABLE, Notification.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int attempts = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        // our own texts name no more than host and port; another exception's message may hold the whole URL
        String reason = e instanceof RetryableNotificationException || e instanceof ActionException ? e.getMessage()
                : e == null ? "unknown" : e.getClass().getSimpleName();
        LOG.warn("{} to {} failed after {} attempt(s): {}", notification == null ? "Notification" : notification.what(),
                notification == null ? "-" : notification.url().getHost(), attempts, reason);
    }

    /** The queued notification, kept as a variable so every attempt rebuilds the same request. */
    private static Notification notification(Exchange exchange) {
        Notification notification = exchange.getVariable(VARIABLE, Notification.class);
        if (notification == null) {
            notification = exchange.getMessage().getBody(Notification.class);
            exchange.setVariable(VARIABLE, notification);
        }
        return notification;
    }
}
