package io.waticamel.metrics;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value read from the database for a gauge, kept for {@code maxAge}: Prometheus scrapes every 15 s or so, maybe from
 * several servers, and every instance on one database would otherwise run the same query for each scrape. A read that
 * fails answers null (the gauge shows NaN) and is not tried again before {@code maxAge} either; the first failure of a
 * run of failures is logged.
 */
public final class CachedValue<T> {

    /** A read that may fail (a SQL query). */
    @FunctionalInterface
    public interface Query<T> {
        T read() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CachedValue.class);

    private final String name;
    private final Query<T> query;
    private final long maxAgeNanos;
    private T value;
    private long readAt;
    private boolean read;
    private boolean failing;

    public CachedValue(String name, Query<T> query, Duration maxAge) {
        this.name = name;
        this.query = query;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** The value, read again when the last read is older than the max age; null when that read failed. */
    public synchronized T get() {
        long now = System.nanoTime();
        if (read && now - readAt < maxAgeNanos) {
            return value;
        }
        try {
            value = query.read();
            failing = false;
        } catch (Exception e) {
            value = null;
            if (!failing) {
                LOG.warn("Metrics: the {} could not be read ({}); the gauge shows NaN until it can", name, e.toString());
            }
            failing = true;
        }
        readAt = now;
        read = true;
        return value;
    }
}
