package io.waticamel.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.waticamel.metrics.WatiMetrics;
import io.waticamel.wati.WatiRetryableException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries of WATI calls, with Camel's redelivery: {@link #check} turns 429 and 5xx answers into a
 * {@link WatiRetryableException} (with {@code Retry-After} as the next delay, capped), the
 * {@link #policy redelivery policy} spaces the attempts (exponential backoff with jitter), and as
 * the {@code onRedelivery} processor this bean logs and counts every new attempt.
 */
public class WatiRetries implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(WatiRetries.class);
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final int maxAttempts;
    private final long initialDelayMs;
    private final double multiplier;
    private final long maxDelayMs;
    private final WatiMetrics metrics;

    public WatiRetries(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs) {
        this(maxAttempts, initialDelayMs, multiplier, maxDelayMs, WatiMetrics.discarding());
    }

    public WatiRetries(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, WatiMetrics metrics) {
        this.maxAttempts = Math.max(1, maxAttempts);
        this.initialDelayMs = initialDelayMs;
        this.multiplier = multiplier;
        this.maxDelayMs = maxDelayMs;
        this.metrics = metrics;
    }

    /** {@code wati.retry.*}: the defaults give the seed's 5 s, 15 s, 30 s (each varied by up to 15 %). */
    public RedeliveryPolicy policy() {
        RedeliveryPolicy policy = new RedeliveryPolicy();
        policy.setMaximumRedeliveries(maxAttempts - 1);
        policy.setRedeliveryDelay(initialDelayMs);
        policy.setUseExponentialBackOff(true);
        policy.setBackOffMultiplier(multiplier);
        policy.setMaximumRedeliveryDelay(maxDelayMs);
        policy.setUseCollisionAvoidance(true);
        policy.setCollisionAvoidanceFactor(0.15);
        // the backoff sleeps the calling thread, a virtual one for API calls: no platform thread is held, and the
        // retried call does not queue behind others on Camel's small scheduler pool (as asyncDelayedRedelivery would)
        policy.setAsyncDelayedRedelivery(false);
        policy.setLogRetryAttempted(false);
        policy.setLogExhausted(false);
        policy.setLogStackTrace(false);
        policy.setRetriesExhaustedLogLevel(org.apache.camel.LoggingLevel.DEBUG);
        return policy;
    }

    /** After the HTTP call: 429 and 5xx are retryable; everything else is WATI's final answer. */
    public void check(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        message.removeHeader(Exchange.REDELIVERY_DELAY);
        if (status != 429 && status < 500) {
            return;
        }
        byte[] body;
        try (InputStream in = message.getBody(InputStream.class)) {
            body = in == null ? new byte[0] : in.readNBytes(MAX_ANSWER_BYTES);
        }
        Long retryAfter = retryAfterMs(message.getHeader("Retry-After", String.class), maxDelayMs);
        if (retryAfter != null) {
            // Camel's redelivery takes this header as the delay of the next attempt
            message.setHeader(Exchange.REDELIVERY_DELAY, retryAfter);
        }
        throw new WatiRetryableException(status, body);
    }

    /** onRedelivery: one log line and one count per new attempt (no token, number masked). */
    @Override
    public void process(Exchange exchange) {
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Action action = Action.of(exchange);
        LOG.warn("Retrying WATI {} to {} via {}: attempt {} of {} after {}", action.call().operation(), action.recipient(),
                action.account(), attempt, maxAttempts, cause == null ? "a failure" : cause.getMessage());
        metrics.retry(WatiMetrics.account(action.credentials()), reason(cause));
    }

    /** Why a call is made again, as a label: WATI's 429, its 5xx, or no answer at all. */
    static String reason(Exception cause) {
        if (cause instanceof WatiRetryableException answered) {
            return answered.status() == 429 ? "wati_429" : "wati_5xx";
        }
        return "unreachable";
    }

    /** {@code Retry-After} in seconds or as an HTTP date, in milliseconds, capped; null when absent or unreadable. */
    static Long retryAfterMs(String value, long capMs) {
        if (value == null || value.isBlank()) {
            return null;
        }
        long ms;
        try {
            ms = Math.max(0, Long.parseLong(value.strip())) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                ms = Math.max(0, Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.strip(),
                        DateTimeFormatter.RFC_1123_DATE_TIME)).toMillis());
            } catch (RuntimeException notADate) {
                return null;
            }
        }
        return Math.min(ms, capMs);
    }
}
