package io.waticamel.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Semaphore;

import javax.sql.DataSource;

import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.BucketTableSettings;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.jdbc.SQLProxyConfigurationBuilder;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

/**
 * Turns kept in PostgreSQL (table {@code rate_buckets}, migration V7) by bucket4j, so every instance on the database
 * draws from one budget per account. A turn is reserved in one short transaction (SELECT ... FOR UPDATE of the
 * bucket's row, then UPDATE); its pooled connection goes back before the thread parks until the turn comes.
 * <p>
 * Times are each instance's wall clock (bucket4j's default for SQL buckets, in milliseconds): instances need
 * synchronised clocks (NTP). A clock δ ahead of the others gets its turns up to δ early; the exit's 5 % margin
 * (50 ms in any second) absorbs that together with network jitter, so δ must stay well under 50 ms.
 * <p>
 * A row's id is the throttle key with its limit ({@code account:main|5/1000ms}): a changed rate starts a fresh
 * bucket instead of keeping the stored one (bucket4j keeps a stored bucket's configuration). Instances configured
 * with different rates for one account therefore do not share a budget while they differ.
 */
public final class SharedRateBuckets implements RateBuckets {

    /** The width of {@code rate_buckets.id}. */
    static final int MAX_ID_LENGTH = 255;

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    public SharedRateBuckets(DataSource dataSource) {
        this.buckets = new PostgreSQLSelectForUpdateBasedProxyManager<>(SQLProxyConfigurationBuilder.builder()
                .withPrimaryKeyMapper(PrimaryKeyMapper.STRING)
                .withTableSettings(BucketTableSettings.customSettings("rate_buckets", "id", "state"))
                .build(dataSource));
    }

    @Override
    public Turns spaced(String key, int perSecond, long periodMs) {
        BucketProxy bucket = buckets.builder().build(rowId(key, perSecond, periodMs), () -> RateBuckets.configuration(perSecond, periodMs));
        return new SharedTurns(bucket, new Semaphore(1, true));
    }

    /** The throttle key and its limit; a key too long for the column (a very long api_endpoint) as its SHA-256. */
    static String rowId(String key, int perSecond, long periodMs) {
        String id = key + "|" + perSecond + "/" + periodMs + "ms";
        if (id.length() <= MAX_ID_LENGTH) {
            return id;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This instance's callers of one bucket reserve one at a time (in arrival order), each releasing the next as soon
     * as its turn is reserved, before it parks: one pooled connection waits on the bucket's row lock, not one per
     * caller, so a burst for one account cannot take the small pool from the rest of the runtime.
     */
    private record SharedTurns(BucketProxy bucket, Semaphore reserving) implements Turns {

        @Override
        public boolean tryTake(long maxWaitNanos) throws InterruptedException {
            NextMayReserve parking = reserve();
            try {
                return bucket.asBlocking().tryConsume(1, maxWaitNanos, parking);
            } finally {
                parking.release();
            }
        }

        @Override
        public void take() throws InterruptedException {
            NextMayReserve parking = reserve();
            try {
                bucket.asBlocking().consume(1, parking);
            } finally {
                parking.release();
            }
        }

        @Override
        public long nanosUntilFree() {
            return bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        }

        private NextMayReserve reserve() throws InterruptedException {
            reserving.acquire();
            return new NextMayReserve(reserving);
        }
    }

    /** Parks like {@link BlockingStrategy#PARKING}, after letting the next caller reserve (bucket4j parks after the commit). */
    private static final class NextMayReserve implements BlockingStrategy {

        private final Semaphore reserving;
        private boolean released;

        NextMayReserve(Semaphore reserving) {
            this.reserving = reserving;
        }

        @Override
        public void park(long nanosToPark) throws InterruptedException {
            release();
            BlockingStrategy.PARKING.park(nanosToPark);
        }

        void release() {
            if (!released) {
                released = true;
                reserving.release();
            }
        }
    }
}
