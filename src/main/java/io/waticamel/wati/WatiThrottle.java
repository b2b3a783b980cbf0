package io.waticamel.wati;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.Optional;

import io.waticamel.action.ActionRejectedException;
import org.apache.camel.Exchange;

/**
 * Per-account rates for the throttle EIP in wati-http, and its admission: a call that would wait
 * longer than {@code wati.throttle.max-wait-ms} for its turn is answered 429 with Retry-After
 * instead of queueing. Rates: {@code wati.throttle.per-second}, per named account
 * {@code wati.throttle.accounts.<name>.per-second}; 0 means unthrottled.
 */
public class WatiThrottle {

    /** Exchange property: seconds a refused caller should wait (Retry-After of the 429). */
    public static final String RETRY_AFTER = "watiRetryAfterSeconds";
    static final int UNLIMITED = Integer.MAX_VALUE;

    private final int defaultPerSecond;
    private final long maxWaitMs;
    private final Function<String, Optional<String>> configuration;
    private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
    private final Map<String, Integer> rates = new ConcurrentHashMap<>();

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration) {
        this.defaultPerSecond = defaultPerSecond;
        this.maxWaitMs = maxWaitMs;
        this.configuration = configuration;
    }

    /** The throttle's rate for this exchange's account, requests per second. */
    public int rate(Exchange exchange) {
        String key = exchange.getProperty(WatiRequests.THROTTLE_KEY, String.class);
        return rates.computeIfAbsent(key, k -> {
            int perSecond = defaultPerSecond;
            if (k.startsWith("account:")) {
                perSecond = configuration.apply("wati.throttle.accounts." + k.substring("account:".length()) + ".per-second")
                        .map(String::strip).map(Integer::valueOf).orElse(defaultPerSecond);
            }
            return perSecond <= 0 ? UNLIMITED : perSecond;
        });
    }

    /** Whether this exchange's account has a rate at all (the throttle EIP is skipped for 0 = unthrottled). */
    public boolean isThrottled(Exchange exchange) {
        return rate(exchange) != UNLIMITED;
    }

    /** Before the throttle: refuse (429) when the calls already waiting for this account need longer than the max wait. */
    public void admit(Exchange exchange) {
        int perSecond = rate(exchange);
        String key = exchange.getProperty(WatiRequests.THROTTLE_KEY, String.class);
        AtomicInteger queue = waiting.computeIfAbsent(key, k -> new AtomicInteger());
        int ahead = queue.incrementAndGet() - 1;
        long expectedWaitMs = ahead * 1000L / perSecond;
        if (expectedWaitMs > maxWaitMs) {
            queue.decrementAndGet();
            long retryAfter = Math.max(1, (expectedWaitMs - maxWaitMs + 999) / 1000);
            exchange.setProperty(RETRY_AFTER, retryAfter);
            throw new ActionRejectedException("Too many calls for this WATI account: " + ahead
                    + " are waiting at " + perSecond + " per second; retry after " + retryAfter + " s", 429);
        }
        exchange.setProperty("watiThrottleAdmitted", Boolean.TRUE);
    }

    /** After the throttle let the call through. */
    public void passed(Exchange exchange) {
        if (exchange.getProperty("watiThrottleAdmitted", false, Boolean.class)) {
            exchange.removeProperty("watiThrottleAdmitted");
            waiting.get(exchange.getProperty(WatiRequests.THROTTLE_KEY, String.class)).decrementAndGet();
        }
    }
}
