package io.waticamel.pipeline;

import java.time.Duration;
import java.util.function.Function;

import io.github.bucket4j.BandwidthBuilder.BandwidthBuilderBuildStage;
import io.github.bucket4j.BandwidthBuilder.BandwidthBuilderCapacityStage;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

/**
 * Where {@link WatiThrottle} keeps an account's turns: in this process ({@link #LOCAL}, one instance on its own
 * database), or in the database for every instance that shares it ({@link SharedRateBuckets}, PostgreSQL).
 */
public interface RateBuckets {

    /** Buckets in this process's memory: each instance would allow the whole rate. */
    RateBuckets LOCAL = (key, perSecond, periodMs) -> new LocalTurns(Bucket.builder().addLimit(limit(perSecond, periodMs)).build());

    /** The turns of {@code key}'s calls: one per periodMs/perSecond, no bursts. */
    Turns spaced(String key, int perSecond, long periodMs);

    /** One call per periodMs/perSecond, no bursts: a bucket of one token refilled at that pace. */
    static BucketConfiguration configuration(int perSecond, long periodMs) {
        return BucketConfiguration.builder().addLimit(limit(perSecond, periodMs)).build();
    }

    private static Function<BandwidthBuilderCapacityStage, BandwidthBuilderBuildStage> limit(int perSecond, long periodMs) {
        return limit -> limit.capacity(1).refillGreedy(perSecond, Duration.ofMillis(periodMs));
    }

    /** A line of evenly spaced turns; the calling thread parks until its turn comes (free on a virtual thread). */
    interface Turns {

        /** Reserves the next free turn if it comes within maxWaitNanos and parks until then; false, nothing reserved, when it is further away. */
        boolean tryTake(long maxWaitNanos) throws InterruptedException;

        /** Reserves the next free turn, however far away, and parks until then. */
        void take() throws InterruptedException;

        /** Nanoseconds until a turn is free. */
        long nanosUntilFree();
    }

    /** Turns of a bucket in this process. */
    record LocalTurns(Bucket bucket) implements Turns {

        @Override
        public boolean tryTake(long maxWaitNanos) throws InterruptedException {
            return bucket.asBlocking().tryConsume(1, maxWaitNanos, BlockingStrategy.PARKING);
        }

        @Override
        public void take() throws InterruptedException {
            bucket.asBlocking().consume(1, BlockingStrategy.PARKING);
        }

        @Override
        public long nanosUntilFree() {
            return bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        }
    }
}
