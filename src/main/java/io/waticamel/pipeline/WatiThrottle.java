package io.waticamel.pipeline;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.waticamel.pipeline.RateBuckets.Turns;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Each WATI account's rate, as bucket4j token buckets that hold one call and refill at the rate:
 * calls leave evenly spaced (5 % under the rate), so no one-second window (WATI counts windows)
 * sees more than the rate, plus one at its edge. A call's turn is reserved and its thread parks until then (API calls run on
 * virtual threads, so no platform thread is held); one whose turn is further away than
 * {@code wati.throttle.max-wait-ms} is answered 429 with Retry-After instead of queueing. Rates:
 * {@code wati.throttle.per-second}, per named account {@code wati.throttle.accounts.<name>.per-second};
 * 0 means unthrottled. The buckets are this process's ({@link RateBuckets#LOCAL}), or on PostgreSQL one per account
 * for all instances sharing the database ({@link SharedRateBuckets}).
 */
public class WatiThrottle implements Processor {

    private static final int UNLIMITED = 0;
    /**
     * Calls leave 5 % slower than the rate: WATI counts them when they arrive, and the few milliseconds a call may be
     * held up on its way (a busy CPU, a new connection) would otherwise put one more into a window.
     */
    private static final long EXIT_PERIOD_MS = 1050;

    private final int defaultPerSecond;
    private final long maxWaitNanos;
    private final Function<String, Optional<String>> configuration;
    private final RateBuckets buckets;
    private final Map<String, Integer> rates = new ConcurrentHashMap<>();
    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration) {
        this(defaultPerSecond, maxWaitMs, configuration, RateBuckets.LOCAL);
    }

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration, RateBuckets buckets) {
        this.defaultPerSecond = defaultPerSecond;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.configuration = configuration;
        this.buckets = buckets;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        awaitTurn(Action.of(exchange).credentials());
    }

    /** Returns when the account's call may leave; Throttled when its turn is further away than the max wait. */
    void awaitTurn(WatiCredentials credentials) throws InterruptedException {
        String key = credentials.throttleKey();
        int perSecond = rate(key, credentials.account());
        if (perSecond == UNLIMITED) {
            return;
        }
        Line line = lines.computeIfAbsent(key,
                k -> new Line(buckets.spaced(k, perSecond, 1000), buckets.spaced(k, perSecond, EXIT_PERIOD_MS)));
        // the call's turn is reserved in arrival order (or refused when too far away); the thread parks until it comes,
        // for free on a virtual thread
        if (!line.queue().tryTake(maxWaitNanos)) {
            throw refusal(line.queue(), perSecond);
        }
        // a thread that woke late must not leave right behind the one before it: spaced again as it really leaves
        line.exit().take();
    }

    /** An account's queue (turns reserved on arrival) and its exit (turns taken when the call really leaves). */
    private record Line(Turns queue, Turns exit) {
    }

    private Throttled refusal(Turns queue, int perSecond) {
        long waitNanos = queue.nanosUntilFree();
        long ahead = Math.max(1, waitNanos * perSecond / 1_000_000_000L);
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos - maxWaitNanos + 999_999_999L));
        return new Throttled("Too many calls for this WATI account: " + ahead + " are waiting at " + perSecond
                + " per second; retry after " + retryAfter + " s", retryAfter);
    }

    /** Calls per second for this account; {@value #UNLIMITED} when unthrottled. */
    int rate(String key, String account) {
        return rates.computeIfAbsent(key, k -> {
            int perSecond = account == null ? defaultPerSecond
                    : configuration.apply("wati.throttle.accounts." + account + ".per-second").map(String::strip)
                            .map(Integer::valueOf).orElse(defaultPerSecond);
            return Math.max(UNLIMITED, perSecond);
        });
    }

}
