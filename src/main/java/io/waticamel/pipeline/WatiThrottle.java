package io.waticamel.pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
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
 * 0 means unthrottled.
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
    private final Map<String, Integer> rates = new ConcurrentHashMap<>();
    private final Map<String, Turns> turnsByAccount = new ConcurrentHashMap<>();

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration) {
        this.defaultPerSecond = defaultPerSecond;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.configuration = configuration;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        WatiCredentials credentials = Action.of(exchange).credentials();
        String key = credentials.throttleKey();
        int perSecond = rate(key, credentials.account());
        if (perSecond == UNLIMITED) {
            return;
        }
        Turns turns = turnsByAccount.computeIfAbsent(key, k -> new Turns(spaced(perSecond, 1000), spaced(perSecond, EXIT_PERIOD_MS)));
        // the call's turn is reserved in arrival order (or refused when too far away); the thread parks until it comes,
        // for free on a virtual thread
        if (!turns.queue().asBlocking().tryConsume(1, maxWaitNanos, BlockingStrategy.PARKING)) {
            throw refusal(turns.queue(), perSecond);
        }
        // a thread that woke late must not leave right behind the one before it: spaced again as it really leaves
        turns.exit().asBlocking().consume(1, BlockingStrategy.PARKING);
    }

    /** One call per periodMs/rate, no bursts: a bucket of one token refilled at that pace. */
    private static Bucket spaced(int perSecond, long periodMs) {
        return Bucket.builder().addLimit(limit -> limit.capacity(1).refillGreedy(perSecond, Duration.ofMillis(periodMs))).build();
    }

    /** An account's queue (turns reserved on arrival) and its exit (turns taken when the call really leaves). */
    private record Turns(Bucket queue, Bucket exit) {
    }

    private Throttled refusal(Bucket bucket, int perSecond) {
        long waitNanos = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
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
