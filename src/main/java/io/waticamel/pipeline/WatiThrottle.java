package io.waticamel.pipeline;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.waticamel.metrics.WatiMetrics;
import io.waticamel.pipeline.RateBuckets.Turns;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;

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
public class WatiThrottle {

    private static final int UNLIMITED = 0;
    /**
     * Calls leave 5 % slower than the rate: WATI counts them when they arrive, and the few milliseconds a call may be
     * held up on its way (a busy CPU, a new connection) would otherwise put one more into a window.
     */
    private static final long EXIT_PERIOD_MS = 1050;
    /** What turn() and leave() answer for an unthrottled account: no turn taken, nothing to count. */
    private static final long NO_TURN = -1;

    private final int defaultPerSecond;
    private final long maxWaitNanos;
    private final Function<String, Optional<String>> configuration;
    private final RateBuckets buckets;
    private final WatiMetrics metrics;
    private final Map<String, Integer> rates = new ConcurrentHashMap<>();
    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration) {
        this(defaultPerSecond, maxWaitMs, configuration, RateBuckets.LOCAL);
    }

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration, RateBuckets buckets) {
        this(defaultPerSecond, maxWaitMs, configuration, buckets, WatiMetrics.discarding());
    }

    public WatiThrottle(int defaultPerSecond, long maxWaitMs, Function<String, Optional<String>> configuration, RateBuckets buckets,
            WatiMetrics metrics) {
        this.defaultPerSecond = defaultPerSecond;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.configuration = configuration;
        this.buckets = buckets;
        this.metrics = metrics;
    }

    /** In wati-http, first: the call's turn in its account's queue; Throttled when it is further away than the max wait. */
    public void turn(Exchange exchange) throws InterruptedException {
        Action action = Action.of(exchange);
        action.attach(Waited.class, new Waited(turn(action.credentials())));
    }

    /**
     * In wati-http, last before the HTTP call: what was done since the turn (the database marks of async actions and
     * campaigns) may have held the call up, so it is spaced again as it really leaves. The call's wait (turn and exit)
     * is counted here.
     */
    public void leave(Exchange exchange) throws InterruptedException {
        Action action = Action.of(exchange);
        Waited turn = action.attached(Waited.class);
        waited(action.credentials(), turn == null ? NO_TURN : turn.nanos(), leave(action.credentials()));
    }

    /** Returns when the account's call may leave: its turn, then its exit. */
    void awaitTurn(WatiCredentials credentials) throws InterruptedException {
        long turn = turn(credentials);
        waited(credentials, turn, leave(credentials));
    }

    /** How long the call's turn took to come, in this attempt. */
    private record Waited(long nanos) {
    }

    /** Every call of a throttled account is timed, a turn that was free at once too: the histogram tells them apart. */
    private void waited(WatiCredentials credentials, long turnNanos, long leaveNanos) {
        if (turnNanos != NO_TURN || leaveNanos != NO_TURN) {
            metrics.throttleWait(WatiMetrics.account(credentials), Math.max(0, turnNanos) + Math.max(0, leaveNanos));
        }
    }

    /** Nanoseconds from asking for the turn to having it (reserving it, then parked until it comes); NO_TURN when unthrottled. */
    private long turn(WatiCredentials credentials) throws InterruptedException {
        Line line = line(credentials);
        if (line == null) {
            return NO_TURN;
        }
        long start = System.nanoTime();
        // the call's turn is reserved in arrival order (or refused when too far away); the thread parks until it comes,
        // for free on a virtual thread
        if (!line.queue().tryTake(maxWaitNanos)) {
            metrics.throttleRefused(WatiMetrics.account(credentials));
            throw refusal(line.queue(), line.perSecond());
        }
        return System.nanoTime() - start;
    }

    /** Nanoseconds until the exit; NO_TURN when unthrottled. */
    private long leave(WatiCredentials credentials) throws InterruptedException {
        Line line = line(credentials);
        if (line == null) {
            return NO_TURN;
        }
        long start = System.nanoTime();
        // a thread that woke late (or was held up after its turn) must not leave right behind the one before it
        line.exit().take();
        return System.nanoTime() - start;
    }

    /** The account's buckets; null when it is unthrottled. */
    private Line line(WatiCredentials credentials) {
        String key = credentials.throttleKey();
        int perSecond = rate(key, credentials.account());
        if (perSecond == UNLIMITED) {
            return null;
        }
        return lines.computeIfAbsent(key,
                k -> new Line(perSecond, buckets.spaced(k, perSecond, 1000), buckets.spaced(k, perSecond, EXIT_PERIOD_MS)));
    }

    /** An account's queue (turns reserved on arrival) and its exit (turns taken when the call really leaves). */
    private record Line(int perSecond, Turns queue, Turns exit) {
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
