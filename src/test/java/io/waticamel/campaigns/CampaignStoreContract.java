package io.waticamel.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import io.waticamel.campaigns.CampaignStore.BatchRef;
import io.waticamel.campaigns.CampaignStore.Outcome;
import io.waticamel.campaigns.CampaignStore.Pending;
import io.waticamel.testing.MutableClock;
import io.waticamel.wati.WatiCredentials;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The campaign tables on a real database, as two instances share it: a batch is claimed by one
 * worker only, a paused campaign sends nothing more, a stopped worker's sends become unknown and its
 * unsent recipients are sent by another, and a campaign finishes exactly once. Due times (send_at,
 * quiet hours) follow a clock the test moves; both instances share it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CampaignStoreContract {

    static final WatiCredentials SHOP = new WatiCredentials("shop", URI.create("http://127.0.0.1:9/shop"), "token-1");
    DataSource db;
    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    CampaignStore first;
    CampaignStore second;

    abstract DataSource dataSource() throws Exception;

    @BeforeAll
    void migrate() throws Exception {
        db = dataSource();
        Flyway.configure().dataSource(db).load().migrate();
        first = new CampaignStore(db, "instance-a", Duration.ofMinutes(5), clock);
        second = new CampaignStore(db, "instance-b", Duration.ofMinutes(5), clock);
    }

    String campaign(int recipients, int batchSize) throws Exception {
        return campaign(recipients, batchSize, null);
    }

    String campaign(int recipients, int batchSize, Instant sendAt) throws Exception {
        StringBuilder json = new StringBuilder("{\"account\":\"shop\",\"template_name\":\"t\",\"recipients\":[");
        for (int i = 0; i < recipients; i++) {
            json.append(i == 0 ? "" : ",").append("{\"whatsappNumber\":\"").append(27_900_000_000L + i).append("\",\"parameters\":{\"n\":\"")
                    .append(i).append("\"}}");
        }
        CampaignRequest request = CampaignRequest.fromJson(new ByteArrayInputStream(json.append("]}").toString().getBytes(StandardCharsets.UTF_8)),
                100_000);
        return first.create("caller-1", SHOP, null, request, new CampaignSchedule(sendAt, null, null), batchSize);
    }

    /** Claims until nothing is left for this campaign, releasing nothing (as workers busy with them would). */
    List<BatchRef> claimAll(CampaignStore store, String campaignId) throws Exception {
        List<BatchRef> mine = new ArrayList<>();
        for (List<BatchRef> got = store.claim(50); !got.isEmpty(); got = store.claim(50)) {
            got.stream().filter(b -> b.campaignId().equals(campaignId)).forEach(mine::add);
            got.stream().filter(b -> !b.campaignId().equals(campaignId)).forEach(b -> {
                try {
                    store.release(b);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            if (got.stream().noneMatch(b -> b.campaignId().equals(campaignId))) {
                break;
            }
        }
        return mine;
    }

    void sendAll(CampaignStore store, BatchRef batch) throws Exception {
        assertThat(store.beginSending(batch, null)).isTrue();
        store.outcomes(batch, List.of(), new Outcome(0, CampaignStore.SENT, null));
        store.release(batch);
    }

    @Test
    void twoInstancesClaimingAtOnceNeverShareABatch() throws Exception {
        String id = campaign(2000, 10);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<BatchRef>>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CampaignStore store = i % 2 == 0 ? first : second;
            claims.add(pool.submit((Callable<List<BatchRef>>) () -> {
                start.await();
                return claimAll(store, id);
            }));
        }
        start.countDown();
        Set<Integer> seen = new HashSet<>();
        int claimed = 0;
        for (Future<List<BatchRef>> f : claims) {
            for (BatchRef b : f.get()) {
                claimed++;
                seen.add(b.batchNo());
            }
        }
        pool.shutdown();
        assertThat(claimed).isEqualTo(200);
        assertThat(seen).hasSize(200);
    }

    @Test
    void aPausedCampaignSendsNothingMoreAndResumedItFinishesOnce() throws Exception {
        String id = campaign(30, 10);
        List<BatchRef> batches = claimAll(first, id);
        assertThat(batches).hasSize(3);
        sendAll(first, batches.get(0));
        assertThat(first.changeStatus(id, List.of("running"), "paused")).isTrue();
        assertThat(first.beginSending(batches.get(1), null)).isFalse();
        first.release(batches.get(1));
        first.release(batches.get(2));
        assertThat(second.claim(50)).noneMatch(b -> b.campaignId().equals(id));
        assertThat(first.summary(id, null)).containsEntry("status", "paused").containsEntry("sent", 10).containsEntry("pending", 20);

        assertThat(second.changeStatus(id, List.of("paused"), "running")).isTrue();
        for (BatchRef b : claimAll(second, id)) {
            sendAll(second, b);
        }
        assertThat(first.finishIfDone(id)).isTrue();
        assertThat(second.finishIfDone(id)).isFalse();
        assertThat(first.summary(id, "caller-1")).containsEntry("status", "finished").containsEntry("sent", 30).containsEntry("pending", 0);
        assertThat(first.summary(id, "caller-2")).isNull();
    }

    @Test
    void aStoppedWorkersSendsBecomeUnknownAndItsUnsentRecipientsGoToAnother() throws Exception {
        String id = campaign(10, 10);
        BatchRef batch = claimAll(first, id).get(0);
        List<Pending> pending = first.pending(batch);
        // single mode: two sent, the third under way when the instance dies
        for (int i = 0; i < 3; i++) {
            assertThat(first.beginSending(batch, pending.get(i).seq())).isTrue();
            if (i < 2) {
                first.outcomes(batch, List.of(new Outcome(pending.get(i).seq(), CampaignStore.SENT, null)), null);
            }
        }
        // its claim ran out: another instance's recovery takes the batch back
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE campaign_batches SET claimed_until = ? WHERE campaign_id = ?")) {
            s.setTimestamp(1, new java.sql.Timestamp(System.currentTimeMillis() - 1000));
            s.setString(2, id);
            s.executeUpdate();
        }
        assertThat(second.recover(false)).containsExactly(id);
        // the old worker can no longer send, settle or release anything of it
        assertThat(first.beginSending(batch, pending.get(3).seq())).isFalse();
        BatchRef again = claimAll(second, id).get(0);
        assertThat(second.pending(again)).extracting(Pending::seq).containsExactlyElementsOf(pending.subList(3, 10).stream().map(Pending::seq).toList());
        sendAll(second, again);
        first.release(batch);
        assertThat(second.finishIfDone(id)).isTrue();
        Map<String, Object> summary = second.summary(id, null);
        assertThat(summary).containsEntry("sent", 9).containsEntry("unknown", 1).containsEntry("pending", 0);
        // a status event shows the unknown one was sent after all
        String localId;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE campaign_recipients SET local_message_id = 'lm-1' WHERE campaign_id = ? AND status = 'unknown'")) {
            s.setString(1, id);
            assertThat(s.executeUpdate()).isOne();
            localId = "lm-1";
        }
        assertThat(second.statusEvent(localId, false, null)).isOne();
        assertThat(second.statusEvent(localId, true, "WATI: undeliverable")).isOne();
        assertThat(second.summary(id, null)).containsEntry("failed", 1).containsEntry("unknown", 0).containsEntry("sent", 9);
    }

    @Test
    void atStartAnInstanceTakesBackOnlyItsOwnClaims() throws Exception {
        String id = campaign(20, 10);
        List<BatchRef> batches = claimAll(first, id);
        first.beginSending(batches.get(0), null);
        BatchRef other = batches.get(1);
        // the other instance is alive and holds its claim: a restart of instance-b leaves instance-a's alone
        assertThat(second.recover(true)).isEmpty();
        // nor does a start-up recovery that runs after this life's first claims
        assertThat(first.recover(true)).isEmpty();
        assertThat(first.beginSending(other, null)).isTrue();
        // instance-a restarted: its earlier life's claims are taken back, what was being sent is unknown
        CampaignStore restarted = new CampaignStore(db, "instance-a", Duration.ofMinutes(5), clock);
        assertThat(restarted.recover(true)).containsExactlyInAnyOrder(id, id);
        assertThat(restarted.summary(id, null)).containsEntry("unknown", 20).containsEntry("pending", 0);
        assertThat(first.beginSending(other, null)).isFalse();
    }

    @Test
    void cancelSkipsWhatIsPendingAndNothingMoreIsSent() throws Exception {
        String id = campaign(30, 10);
        List<BatchRef> batches = claimAll(first, id);
        sendAll(first, batches.get(0));
        // a bulk call under way when the campaign is cancelled: its recipients are in it, and its answer settles them
        assertThat(first.beginSending(batches.get(1), null)).isTrue();
        assertThat(second.changeStatus(id, List.of("running", "paused"), "cancelled")).isTrue();
        assertThat(first.beginSending(batches.get(2), null)).isFalse();
        first.outcomes(batches.get(1), List.of(), new Outcome(0, CampaignStore.SENT, null));
        assertThat(second.changeStatus(id, List.of("paused"), "running")).isFalse();
        assertThat(first.summary(id, null)).containsEntry("status", "cancelled").containsEntry("sent", 20).containsEntry("skipped", 10)
                .containsEntry("pending", 0);
    }

    @Test
    void aSendThatWentAheadIsNeverRecordedAsCancelled() throws Exception {
        String id = campaign(400, 10);
        List<BatchRef> batches = claimAll(first, id);
        ExecutorService pool = Executors.newFixedThreadPool(9);
        Set<Integer> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int worker = w;
            workers.add(pool.submit((Callable<Void>) () -> {
                for (int b = worker; b < batches.size(); b += 8) {
                    BatchRef batch = batches.get(b);
                    for (Pending p : first.pending(batch)) {
                        if (!first.beginSending(batch, p.seq())) {
                            break;
                        }
                        sent.add(p.seq());
                        first.outcomes(batch, List.of(new Outcome(p.seq(), CampaignStore.SENT, null)), null);
                    }
                }
                return null;
            }));
        }
        // the cancel comes while the workers are sending
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sent.size() >= 40);
        assertThat(second.changeStatus(id, List.of("running", "paused"), "cancelled")).isTrue();
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();
        Map<String, Object> summary = first.summary(id, null);
        assertThat(summary).containsEntry("sent", sent.size()).containsEntry("skipped", 400 - sent.size()).containsEntry("pending", 0);
    }

    @Test
    void aScheduledCampaignIsNotClaimedBeforeItsSendAt() throws Exception {
        Instant sendAt = clock.instant().plus(Duration.ofHours(1));
        String id = campaign(20, 10, sendAt);
        assertThat(first.claim(50)).noneMatch(b -> b.campaignId().equals(id));
        assertThat(first.summary(id, null)).containsEntry("status", "scheduled").containsEntry("send_at", sendAt.toString())
                .containsEntry("next_send_at", sendAt.toString()).containsEntry("pending", 20);
        assertThat(first.list("caller-1", 0, 1000)).filteredOn(c -> id.equals(c.get("id"))).singleElement()
                .satisfies(c -> assertThat(c).containsEntry("status", "scheduled"));
        // paused and resumed before it is due: still scheduled, still not claimed
        assertThat(first.changeStatus(id, List.of("running"), "paused")).isTrue();
        assertThat(first.summary(id, null)).containsEntry("status", "paused").containsEntry("send_at", sendAt.toString());
        assertThat(second.changeStatus(id, List.of("paused"), "running")).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(second.claim(50)).noneMatch(b -> b.campaignId().equals(id));

        clock.advance(Duration.ofMinutes(1));
        assertThat(first.summary(id, null)).containsEntry("status", "running").containsEntry("next_send_at", null);
        List<BatchRef> batches = claimAll(second, id);
        assertThat(batches).hasSize(2);
        for (BatchRef b : batches) {
            sendAll(second, b);
        }
        assertThat(second.finishIfDone(id)).isTrue();
        assertThat(first.summary(id, null)).containsEntry("status", "finished").containsEntry("sent", 20);
    }

    @Test
    void deferredRecipientsStayOutOfTheBulkCallAndTheirBatchIsDueAtTheEarliestWindowEnd() throws Exception {
        String id = campaign(4, 10);
        BatchRef batch = claimAll(first, id).get(0);
        List<Pending> pending = first.pending(batch);
        Instant now = clock.instant();
        Instant soon = now.plus(Duration.ofHours(2));
        Instant later = now.plus(Duration.ofHours(5));
        first.defer(batch, Map.of(pending.get(2).seq(), later, pending.get(3).seq(), soon));
        // the bulk call takes the two due ones; a crash now would leave only those unknown
        assertThat(first.beginSending(batch, null)).isTrue();
        first.outcomes(batch, List.of(), new Outcome(0, CampaignStore.SENT, null));
        first.release(batch);
        assertThat(first.finishIfDone(id)).isFalse();
        assertThat(first.summary(id, null)).containsEntry("status", "running").containsEntry("sent", 2).containsEntry("pending", 2)
                .containsEntry("deferred", 2).containsEntry("next_send_at", soon.toString());
        assertThat(first.recipients(id, "deferred", 0, 10)).extracting(r -> r.get("deferred_until")).containsExactly(later.toString(),
                soon.toString());
        assertThat(first.recipients(id, "pending", 0, 10)).hasSize(2).allSatisfy(r -> assertThat(r).containsEntry("status", "pending"));

        // not claimed (no worker spins on it) until the first window ends
        clock.advance(Duration.ofHours(2).minusSeconds(1));
        assertThat(second.claim(50)).noneMatch(b -> b.campaignId().equals(id));
        clock.advance(Duration.ofSeconds(1));
        BatchRef again = claimAll(second, id).get(0);
        List<Pending> waiting = second.pending(again);
        assertThat(waiting).extracting(Pending::deferredUntil).containsExactly(later, soon);
        // the worker finds seq 4 due now, seq 3 still inside its window
        second.defer(again, java.util.Collections.singletonMap(waiting.get(1).seq(), (Instant) null));
        assertThat(second.beginSending(again, waiting.get(1).seq())).isTrue();
        second.outcomes(again, List.of(new Outcome(waiting.get(1).seq(), CampaignStore.SENT, null)), null);
        second.release(again);
        assertThat(second.summary(id, null)).containsEntry("sent", 3).containsEntry("deferred", 1).containsEntry("next_send_at", later.toString());

        clock.advance(Duration.ofHours(3));
        BatchRef last = claimAll(first, id).get(0);
        first.defer(last, java.util.Collections.singletonMap(waiting.get(0).seq(), (Instant) null));
        sendAll(first, last);
        assertThat(first.finishIfDone(id)).isTrue();
        assertThat(first.summary(id, null)).containsEntry("sent", 4).containsEntry("pending", 0).containsEntry("deferred", 0);
    }

    @Test
    void aCrashDuringABulkCallLeavesItsDeferredRecipientsPendingAndCancelSkipsThem() throws Exception {
        String id = campaign(3, 10);
        BatchRef batch = claimAll(first, id).get(0);
        List<Pending> pending = first.pending(batch);
        first.defer(batch, Map.of(pending.get(2).seq(), clock.instant().plus(Duration.ofHours(1))));
        assertThat(first.beginSending(batch, null)).isTrue();
        CampaignStore restarted = new CampaignStore(db, "instance-a", Duration.ofMinutes(5), clock);
        assertThat(restarted.recover(true)).contains(id);
        assertThat(restarted.summary(id, null)).containsEntry("unknown", 2).containsEntry("pending", 1).containsEntry("deferred", 1);

        assertThat(second.changeStatus(id, List.of("running", "paused"), "cancelled")).isTrue();
        assertThat(second.summary(id, null)).containsEntry("status", "cancelled").containsEntry("skipped", 1).containsEntry("pending", 0)
                .containsEntry("deferred", 0);
    }
}
