package io.waticamel.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CachedValueTest {

    @Test
    void readsOncePerMaxAgeHoweverOftenAsked() {
        AtomicInteger reads = new AtomicInteger();
        CachedValue<Long> cached = new CachedValue<>("count", () -> (long) reads.incrementAndGet(), Duration.ofHours(1));
        assertThat(cached.get()).isEqualTo(1L);
        assertThat(cached.get()).isEqualTo(1L);
        assertThat(reads).hasValue(1);
    }

    @Test
    void readsEveryTimeWithAZeroMaxAge() {
        AtomicInteger reads = new AtomicInteger();
        CachedValue<Long> cached = new CachedValue<>("count", () -> (long) reads.incrementAndGet(), Duration.ZERO);
        cached.get();
        assertThat(cached.get()).isEqualTo(2L);
    }

    @Test
    void aFailedReadIsNullAndNotRetriedBeforeTheMaxAge() {
        AtomicInteger reads = new AtomicInteger();
        CachedValue<Long> cached = new CachedValue<>("count", () -> {
            reads.incrementAndGet();
            throw new SQLException("database down");
        }, Duration.ofHours(1));
        assertThat(cached.get()).isNull();
        assertThat(cached.get()).isNull();
        assertThat(reads).hasValue(1);
    }
}
