package io.waticamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The events table on a real database: a redelivery is recognised however concurrently it arrives
 * (one writer, or two instances' writers on one database), and two instances never claim the same
 * event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventStoreContract {

    DataSource db;
    EventStore first;
    EventStore second;

    abstract DataSource dataSource() throws Exception;

    @BeforeAll
    void migrate() throws Exception {
        db = dataSource();
        Flyway.configure().dataSource(db).load().migrate();
        first = new EventStore(db, "instance-a", Duration.ofMinutes(10), 50);
        second = new EventStore(db, "instance-b", Duration.ofMinutes(10), 50);
    }

    @AfterAll
    void stop() {
        first.close();
        second.close();
    }

    static byte[] body(String id) {
        return ("{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"" + id + "\",\"statusString\":\"Delivered\"}").getBytes(StandardCharsets.UTF_8);
    }

    boolean insert(EventStore store, String id) throws Exception {
        byte[] body = body(id);
        return store.insert("main", WatiEvent.parse(body), body, Instant.now());
    }

    @Test
    void oneEventDeliveredAtOnceToTwoInstancesIsStoredOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            String id = "same-" + round;
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> stored = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                EventStore store = i % 2 == 0 ? first : second;
                stored.add(pool.submit((Callable<Boolean>) () -> {
                    start.await();
                    return insert(store, id);
                }));
            }
            start.countDown();
            int fresh = 0;
            for (Future<Boolean> f : stored) {
                fresh += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertThat(fresh).as("round %d", round).isEqualTo(1);
        }
        assertThat(insert(first, "same-0")).isFalse();
        assertThat(insert(first, "other-account-same-id")).isTrue();
        byte[] body = body("other-account-same-id");
        assertThat(first.insert("second", WatiEvent.parse(body), body, Instant.now())).isTrue();
    }

    @Test
    void twoInstancesClaimEachEventOnce() throws Exception {
        for (int i = 0; i < 200; i++) {
            assertThat(insert(i % 2 == 0 ? first : second, "claim-" + i)).isTrue();
        }
        Set<Long> seen = new HashSet<>();
        int duplicates = 0;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        while (true) {
            Future<List<Long>> a = pool.submit(first::claim);
            Future<List<Long>> b = pool.submit(second::claim);
            List<Long> claimed = new ArrayList<>(a.get());
            claimed.addAll(b.get());
            if (claimed.isEmpty()) {
                break;
            }
            for (long id : claimed) {
                duplicates += seen.add(id) ? 0 : 1;
                assertThat(first.processed(id, first.load(id).claimToken(), "")).isTrue();
            }
        }
        pool.shutdown();
        assertThat(duplicates).isZero();
        assertThat(seen.size()).isGreaterThanOrEqualTo(200);
    }

    @Test
    void aWorkerWhoseClaimRanOutCannotMarkTheEventAndAKubernetesLongIdClaims() throws Exception {
        String podName = "wati-camel-production-eu-west-1-7d9f8c6b5d-x2x7k-with-a-long-suffix";
        EventStore slow = new EventStore(db, podName, Duration.ZERO, 1000);
        EventStore other = new EventStore(db, "other-worker", Duration.ofMinutes(10), 1000);
        try {
            assertThat(insert(slow, "lease-1")).isTrue();
            long id = slow.claim().stream().filter(i -> {
                try {
                    return slow.load(i).payload().contains("lease-1");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).findFirst().orElseThrow();
            String slowToken = slow.load(id).claimToken();
            assertThat(slowToken).startsWith(podName + "/");
            Instant claimedUntil = slow.load(id).claimedUntil();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(claimedUntil));
            // the lease (zero here) ran out: another worker takes it, the first can neither renew nor mark it
            assertThat(other.claim()).contains(id);
            assertThat(slow.renew(id, slowToken)).isFalse();
            assertThat(slow.processed(id, slowToken, "")).isFalse();
            slow.attemptFailed(id, slowToken, null, "late", 3, Instant.now());
            EventStore.Stored now = other.load(id);
            assertThat(now.claimToken()).startsWith("other-worker/");
            assertThat(now.attempts()).isZero();
            assertThat(other.processed(id, now.claimToken(), "")).isTrue();
        } finally {
            slow.close();
            other.close();
        }
    }

    @Test
    void aCrashedInstancesClaimsAreFreedAtItsNextStart() throws Exception {
        EventStore crashed = new EventStore(db, "crashing", Duration.ofMinutes(10), 1000);
        EventStore other = new EventStore(db, "other", Duration.ofMinutes(10), 1000);
        try {
            assertThat(insert(crashed, "crash-1")).isTrue();
            List<Long> claimed = crashed.claim();
            assertThat(claimed).isNotEmpty();
            assertThat(other.claim()).doesNotContainAnyElementsOf(claimed);
            EventStore restarted = new EventStore(db, "crashing", Duration.ofMinutes(10), 1000);
            try {
                assertThat(restarted.releaseOwnClaims()).isEqualTo(claimed.size());
                assertThat(restarted.claim()).containsAll(claimed);
            } finally {
                restarted.close();
            }
        } finally {
            crashed.close();
            other.close();
        }
    }
}
