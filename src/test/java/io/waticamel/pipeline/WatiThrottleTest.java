package io.waticamel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.waticamel.testing.PostgresServer;
import io.waticamel.wati.WatiCredentials;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * WatiThrottle's rate, in this process (H2, one instance) and shared through a real PostgreSQL by two throttles on one
 * pool, as two instances would have: no one-second window sees more than the rate (plus one at its edge), the whole
 * takes calls/rate seconds, and a turn too far away is refused whichever instance took the turns before it. The pool
 * holds 2 connections and gives up after 1 s: a caller that kept its connection while parked would fail the others.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatiThrottleTest {

    static final String TOKEN = "throttle-token-0123456789";

    PostgresServer postgres;
    HikariDataSource db;

    @BeforeAll
    void startPostgres() throws Exception {
        postgres = PostgresServer.start();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(1000);
        db = new HikariDataSource(config);
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    void stopPostgres() throws Exception {
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static WatiThrottle throttle(long maxWaitMs, Map<String, String> rates, RateBuckets buckets) {
        return new WatiThrottle(5, maxWaitMs, key -> Optional.ofNullable(rates.get(key)), buckets);
    }

    static WatiCredentials account(String name) {
        return new WatiCredentials(name, URI.create("https://live-mt-server.wati.io/123456"), TOKEN);
    }

    /** The most calls in any one-second window of these times. */
    static int mostInOneSecond(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        int most = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (j < sorted.size() && sorted.get(j) - sorted.get(i) < 1_000_000_000L) {
                j++;
            }
            most = Math.max(most, j - i);
        }
        return most;
    }

    /** Calls spread over the throttles from 16 threads at once; each call's exit time and the throttle it used. */
    static List<Long> burst(int calls, WatiCredentials account, List<WatiThrottle> throttles, AtomicInteger[] perThrottle) throws Exception {
        List<Long> exits = Collections.synchronizedList(new ArrayList<>());
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int n = i % throttles.size();
                done.add(callers.submit(() -> {
                    throttles.get(n).awaitTurn(account);
                    exits.add(System.nanoTime());
                    perThrottle[n].incrementAndGet();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        return exits.stream().sorted().toList();
    }

    @Test
    void oneInstanceKeepsItsRateInMemory() throws Exception {
        WatiThrottle local = throttle(60_000, Map.of(), RateBuckets.LOCAL);
        AtomicInteger[] used = {new AtomicInteger()};
        List<Long> exits = burst(12, account("local"), List.of(local), used);
        assertThat(mostInOneSecond(exits)).isLessThanOrEqualTo(5 + 1);
        // 11 gaps of 210 ms
        assertThat((exits.get(11) - exits.get(0)) / 1e9).isBetween(2.1, 3.3);
    }

    @Test
    void twoInstancesOnOnePostgresShareOneRatePerAccount() throws Exception {
        Map<String, String> rates = Map.of("wati.throttle.accounts.shared.per-second", "5");
        List<WatiThrottle> instances = List.of(throttle(60_000, rates, new SharedRateBuckets(db)), throttle(60_000, rates, new SharedRateBuckets(db)));
        AtomicInteger[] used = {new AtomicInteger(), new AtomicInteger()};
        ConcurrentLinkedQueue<Integer> activeConnections = new ConcurrentLinkedQueue<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                activeConnections.add(db.getHikariPoolMXBean().getActiveConnections());
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
        });
        long start = System.nanoTime();
        List<Long> exits;
        try {
            exits = burst(30, account("shared"), instances, used);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        double seconds = (exits.get(29) - exits.get(0)) / 1e9;
        int most = mostInOneSecond(exits);
        long idle = activeConnections.stream().filter(n -> n == 0).count();
        System.out.printf("shared 5/s over 2 instances: 30 calls, most in one second %d, first to last %.2f s (start to last %.2f s), "
                + "calls per instance %d/%d, pool idle in %d of %d samples%n", most, seconds, (exits.get(29) - start) / 1e9, used[0].get(),
                used[1].get(), idle, activeConnections.size());
        assertThat(used[0].get()).isEqualTo(15);
        assertThat(used[1].get()).isEqualTo(15);
        assertThat(most).as("most calls in any one-second window").isLessThanOrEqualTo(5 + 1);
        // 29 gaps of 210 ms: about 30/5 s, not half of it (each instance with its own rate would take 3 s)
        assertThat(seconds).isBetween(5.5, 7.5);
        // parked callers hold no connection: the pool is idle most of the time though 30 callers wait up to 6 s
        assertThat(idle).isGreaterThan(activeConnections.size() * 8L / 10);
    }

    @Test
    void aTurnFurtherThanTheMaxWaitIsRefusedWhicheverInstanceTookTheTurnsBefore() throws Exception {
        Map<String, String> rates = Map.of("wati.throttle.accounts.tiny.per-second", "1");
        WatiThrottle first = throttle(500, rates, new SharedRateBuckets(db));
        WatiThrottle second = throttle(500, rates, new SharedRateBuckets(db));
        first.awaitTurn(account("tiny"));
        // the second instance has taken nothing, but the account's next turn is a second away: more than 500 ms
        assertThatThrownBy(() -> second.awaitTurn(account("tiny"))).isInstanceOfSatisfying(Throttled.class, refused -> {
            assertThat(refused.getMessage()).startsWith("Too many calls for this WATI account: 1 are waiting at 1 per second; retry after 1 s");
            assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        });
        // in memory each instance has its own: the same two calls both pass at once
        WatiThrottle alone = throttle(500, rates, RateBuckets.LOCAL);
        WatiThrottle other = throttle(500, rates, RateBuckets.LOCAL);
        alone.awaitTurn(account("tiny"));
        long start = System.nanoTime();
        other.awaitTurn(account("tiny"));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(200);
    }

    @Test
    void aChangedRateTakesEffectInsteadOfTheStoredBucket() throws Exception {
        WatiThrottle before = throttle(5_000, Map.of("wati.throttle.accounts.changed.per-second", "1"), new SharedRateBuckets(db));
        before.awaitTurn(account("changed"));
        // restarted with 50/s: bucket4j would keep a stored bucket's 1/s, so the limit is part of the row's id
        WatiThrottle after = throttle(5_000, Map.of("wati.throttle.accounts.changed.per-second", "50"), new SharedRateBuckets(db));
        long start = System.nanoTime();
        after.awaitTurn(account("changed"));
        after.awaitTurn(account("changed"));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
    }

    @Test
    void theStoredKeysCarryNoToken() throws Exception {
        WatiThrottle throttle = throttle(5_000, Map.of(), new SharedRateBuckets(db));
        throttle.awaitTurn(new WatiCredentials(null, URI.create("https://live-mt-server.wati.io/654321"), TOKEN));
        throttle.awaitTurn(new WatiCredentials(null, URI.create("https://live-mt-server.wati.io/" + "7".repeat(300)), TOKEN));
        List<String> ids = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM rate_buckets")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        assertThat(ids).noneMatch(id -> id.contains(TOKEN));
        assertThat(ids).anyMatch(id -> id.matches("endpoint:https://live-mt-server\\.wati\\.io/654321#[0-9a-f]{16}\\|5/1000ms"));
        // the long endpoint's key is stored as its hash
        assertThat(ids).anyMatch(id -> id.matches("sha256:[0-9a-f]{64}"));
        assertThat(ids).allMatch(id -> id.length() <= SharedRateBuckets.MAX_ID_LENGTH);
    }
}
