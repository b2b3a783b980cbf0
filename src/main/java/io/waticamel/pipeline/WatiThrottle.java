package io.waticamel.pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.bucket4j.Bucket;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Each WATI account's rate, as a bucket4j token bucket that holds one call and refills at the rate:
 * calls leave evenly spaced, so no one-second window (WATI counts windows) sees more than the rate,
 * plus one at its edge. A call waits for its turn without holding a thread (the turn is reserved
 * and the exchange resumes from a scheduler); one whose turn is further away than
 * {@code wati.throttle.max-wait-ms} is answered 429 with Retry-After instead of queueing. Rates:
 * {@code wati.throttle.per-second}, per named account {@code wati.throttle.accounts.<name>.per-second};
 * 0 means unthrottled.
 */
public class WatiThrottle extends AsyncProcessorSupport {

    private static final int UNLIMITED = 0;

    private final int defaultPerSecond;
    private final long maxWaitNanos;
    private final Function<String, Optional<String>> configuration;
    private final Map<String, Integer> rates = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService turns = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "wati-throttle");
        thread.setDaemon(true);
        return thread;
    });

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration) {
        this.defaultPerSecond = defaultPerSecond;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.configuration = configuration;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        WatiCredentials credentials = Action.of(exchange).credentials();
        String key = credentials.throttleKey();
        int perSecond = rate(key, credentials.account());
        if (perSecond == UNLIMITED) {
            callback.done(true);
            return true;
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(1).refillGreedy(perSecond, Duration.ofSeconds(1))).build());
        if (bucket.tryConsume(1)) {
            callback.done(true);
            return true;
        }
        bucket.asScheduler().tryConsume(1, maxWaitNanos, turns).whenComplete((admitted, error) -> {
            if (error != null) {
                exchange.setException(error);
            } else if (!admitted) {
                exchange.setException(refusal(bucket, perSecond));
            }
            callback.done(false);
        });
        return false;
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

    @Override
    protected void doStop() {
        turns.shutdownNow();
    }
}
