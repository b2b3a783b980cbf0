package io.waticamel.events;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * The {@code wati_events} table: an event is inserted once (its unique key recognises a
 * redelivery atomically, whatever instance receives it), claimed by one worker at a
 * time, and marked processed, retried later or failed. A claim holds for the lease; a crashed
 * instance's claims are taken back at its next start, or by anyone once the lease has passed.
 */
public class EventStore implements AutoCloseable {

    /** An event's states: received (to be processed, or retried later), processed, failed (attempts exhausted). */
    public static final List<String> STATES = List.of("received", "processed", "failed");
    /** SQLState of a unique key violation, on H2 and PostgreSQL alike. */
    private static final String DUPLICATE_KEY = "23505";

    /** A claimed event as the worker needs it. */
    public record Stored(long id, String account, String payload, String deliveredTo, String fileId, String fileUrl, int attempts,
            Instant receivedAt, String claimToken, Instant claimedUntil) {
    }

    /** Most events written in one transaction. */
    private static final int MAX_GROUP = 256;

    private final DataSource db;
    private final GroupCommit<Pending, Boolean> inserts;
    private final GroupCommit<Processed, Boolean> marks;
    private final String instanceId;
    private final Duration lease;
    private final int batchSize;

    public EventStore(DataSource db, String instanceId, Duration lease, int batchSize) {
        this.db = db;
        this.instanceId = instanceId;
        this.lease = lease;
        this.batchSize = batchSize;
        this.inserts = new GroupCommit<>("wati-event-writer", MAX_GROUP, this::writeGroup);
        this.marks = new GroupCommit<>("wati-event-marks", MAX_GROUP, this::markGroup);
    }

    /**
     * Stores the event; false when it is a redelivery of one already stored (then nothing is
     * written). Concurrent deliveries are written together, in one transaction.
     */
    public boolean insert(String account, WatiEvent event, byte[] body, Instant receivedAt) throws SQLException, InterruptedException {
        return inserts.submit(new Pending(account, event.dedupKey(body), event, new String(body, StandardCharsets.UTF_8), receivedAt));
    }

    /** An event for the writer. */
    private record Pending(String account, String dedupKey, WatiEvent event, String payload, Instant receivedAt) {
        String key() {
            return account + "\n" + dedupKey;
        }
    }

    private void writeGroup(List<GroupCommit.Item<Pending, Boolean>> group) {
        try {
            insertTogether(group);
        } catch (SQLException together) {
            // another instance stored one of them meanwhile (PostgreSQL), or one row is at fault: each on its own
            for (GroupCommit.Item<Pending, Boolean> item : group) {
                if (item.result().isDone()) {
                    continue;
                }
                try (Connection c = db.getConnection()) {
                    item.result().complete(insertOne(c, item.work()));
                } catch (SQLException e) {
                    item.result().completeExceptionally(e);
                }
            }
        }
    }

    /** One transaction: redeliveries (in the group, or already stored) are recognised, the rest inserted in one batch. */
    private void insertTogether(List<GroupCommit.Item<Pending, Boolean>> group) throws SQLException {
        Map<String, GroupCommit.Item<Pending, Boolean>> fresh = new LinkedHashMap<>();
        List<GroupCommit.Item<Pending, Boolean>> repeated = new ArrayList<>();
        for (GroupCommit.Item<Pending, Boolean> item : group) {
            if (fresh.putIfAbsent(item.work().key(), item) != null) {
                repeated.add(item);
            }
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String key : stored(c, fresh.values().stream().map(GroupCommit.Item::work).toList())) {
                    repeated.add(fresh.remove(key));
                }
                try (PreparedStatement s = c.prepareStatement(INSERT)) {
                    for (GroupCommit.Item<Pending, Boolean> item : fresh.values()) {
                        bind(s, item.work());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        fresh.values().forEach(item -> item.result().complete(true));
        repeated.forEach(item -> item.result().complete(false));
    }

    /** The keys ("account\ndedup_key") of the group's events that are already stored (one index lookup each). */
    private static List<String> stored(Connection c, Iterable<Pending> group) throws SQLException {
        List<String> stored = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM wati_events WHERE account = ? AND dedup_key = ?")) {
            for (Pending pending : group) {
                s.setString(1, pending.account());
                s.setString(2, pending.dedupKey());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        stored.add(pending.key());
                    }
                }
            }
        }
        return stored;
    }

    /** One event in its own statement: a unique key violation means another delivery stored it first. */
    private static boolean insertOne(Connection c, Pending pending) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            bind(s, pending);
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (DUPLICATE_KEY.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    private static final String INSERT = "INSERT INTO wati_events (account, dedup_key, event_type, wati_id, whatsapp_message_id, "
            + "local_message_id, wa_id, status_string, payload, received_at, state, attempts, next_attempt_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, ?)";

    private static void bind(PreparedStatement s, Pending pending) throws SQLException {
        WatiEvent event = pending.event();
        Timestamp received = Timestamp.from(pending.receivedAt());
        s.setString(1, pending.account());
        s.setString(2, pending.dedupKey());
        s.setString(3, Rows.cut(event.type(), 128));
        s.setString(4, Rows.cut(event.watiId(), 255));
        s.setString(5, Rows.cut(event.whatsappMessageId(), 255));
        s.setString(6, Rows.cut(event.localMessageId(), 255));
        s.setString(7, Rows.cut(event.waId(), 32));
        s.setString(8, Rows.cut(event.statusString(), 64));
        s.setString(9, pending.payload());
        s.setTimestamp(10, received);
        s.setTimestamp(11, received);
    }

    /** Stops the writers (with Camel): what is still queued fails its caller's wait. */
    @Override
    public void close() {
        inserts.close();
        marks.close();
    }

    /**
     * Claims up to a batch of events due for processing, oldest first; their ids. The candidates are
     * read first, then each is claimed by its id in one transaction (an UPDATE with a subquery had H2
     * run the subquery again for every row: minutes with 19 000 waiting); an event another instance
     * claimed meanwhile fails the condition and is skipped.
     */
    public List<Long> claim() throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        List<Long> candidates = new ArrayList<>();
        List<Long> claimed = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM wati_events WHERE state = 'received' AND next_attempt_at <= ? "
                    + "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?")) {
                s.setTimestamp(1, now);
                s.setTimestamp(2, now);
                s.setInt(3, batchSize);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getLong(1));
                    }
                }
            }
            if (candidates.isEmpty()) {
                return claimed;
            }
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("UPDATE wati_events SET claim_token = ?, claimed_until = ? WHERE id = ? "
                    + "AND state = 'received' AND (claimed_until IS NULL OR claimed_until < ?)")) {
                String token = tokenPrefix() + UUID.randomUUID();
                for (long id : candidates) {
                    s.setString(1, token);
                    s.setTimestamp(2, Timestamp.from(now.toInstant().plus(lease)));
                    s.setLong(3, id);
                    s.setTimestamp(4, now);
                    s.addBatch();
                }
                int[] counts = s.executeBatch();
                c.commit();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 1) {
                        claimed.add(candidates.get(i));
                    }
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return claimed;
    }

    public Stored load(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT e.id, e.account, e.payload, e.delivered_to, e.file_id, f.file_url, e.attempts, e.received_at, e.claim_token, "
                        + "e.claimed_until FROM wati_events e "
                        + "LEFT JOIN files f ON f.id = e.file_id WHERE e.id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getInt(7), rs.getTimestamp(8).toInstant(), rs.getString(9),
                        rs.getTimestamp(10) == null ? Instant.EPOCH : rs.getTimestamp(10).toInstant());
            }
        }
    }

    /** Media archived for the event: linked at once, so a retry of the event does not fetch it again. */
    public void linkFile(long id, String fileId) throws SQLException {
        update("UPDATE wati_events SET file_id = ? WHERE id = ?", fileId, id);
    }

    /** The event is done: marked processed, together with the other workers' marks of the moment (one transaction). */
    public boolean processed(long id, String token, String deliveredTo) throws SQLException, InterruptedException {
        return marks.submit(new Processed(id, token, Rows.cut(deliveredTo, 4096), Instant.now()));
    }

    private record Processed(long id, String token, String deliveredTo, Instant at) {
    }

    private void markGroup(List<GroupCommit.Item<Processed, Boolean>> group) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("UPDATE wati_events SET state = 'processed', processed_at = ?, delivered_to = ?, "
                    + "claim_token = NULL, claimed_until = NULL, error = NULL WHERE id = ? AND claim_token = ?")) {
                for (GroupCommit.Item<Processed, Boolean> item : group) {
                    s.setTimestamp(1, Timestamp.from(item.work().at()));
                    s.setString(2, item.work().deliveredTo());
                    s.setLong(3, item.work().id());
                    s.setString(4, item.work().token());
                    s.addBatch();
                }
                int[] counts = s.executeBatch();
                c.commit();
                for (int i = 0; i < counts.length; i++) {
                    group.get(i).result().complete(counts[i] == 1);
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            group.forEach(item -> item.result().completeExceptionally(e));
        }
    }

    /**
     * A failed attempt: the event is tried again at {@code next}, or {@code failed} for good once it
     * has had {@code maxAttempts}. Only while the claim holds ({@code token}; null for an event that
     * could not even be loaded, whose attempts are counted all the same).
     */
    public void attemptFailed(long id, String token, String deliveredTo, String error, int maxAttempts, Instant next) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET state = CASE WHEN "
                + "attempts + 1 >= ? THEN 'failed' ELSE 'received' END, attempts = attempts + 1, next_attempt_at = ?, "
                + "delivered_to = COALESCE(?, delivered_to), error = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? "
                + "AND state = 'received'" + (token == null ? "" : " AND claim_token = ?"))) {
            s.setInt(1, maxAttempts);
            s.setTimestamp(2, Timestamp.from(next));
            s.setString(3, deliveredTo == null ? null : Rows.cut(deliveredTo, 4096));
            s.setString(4, Rows.cut(error, 2048));
            s.setLong(5, id);
            if (token != null) {
                s.setString(6, token);
            }
            s.executeUpdate();
        }
    }

    /** This instance's claims start with its id (at most 200 characters of it, the column holds 255). */
    private String tokenPrefix() {
        return Rows.cut(instanceId, 200) + "/";
    }

    /**
     * Extends this worker's claim by a lease; false when the claim was lost (it outlived its lease and
     * another worker took the event), and the event must be left to that worker.
     */
    public boolean renew(long id, String token) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE wati_events SET claimed_until = ? WHERE id = ? AND claim_token = ?")) {
            s.setTimestamp(1, Timestamp.from(Instant.now().plus(lease)));
            s.setLong(2, id);
            s.setString(3, token);
            return s.executeUpdate() == 1;
        }
    }

    public Duration lease() {
        return lease;
    }

    /** At start: this instance's claims from before a crash are free again at once (not after the lease). */
    public int releaseOwnClaims() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET claim_token = NULL, "
                + "claimed_until = NULL WHERE state = 'received' AND claim_token LIKE ?")) {
            s.setString(1, tokenPrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            return s.executeUpdate();
        }
    }

    /** A page of events, newest first (for the events API); {@code state}, {@code account}, {@code type} optional. */
    public List<Map<String, Object>> list(String state, String account, String type, int page, int size) throws SQLException {
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("state = ?", state);
        conditions.put("account = ?", account);
        conditions.put("event_type = ?", type);
        return Rows.page(db, "SELECT " + SUMMARY + " FROM wati_events", conditions, "id DESC", page, size, rs -> summary(rs, false));
    }

    /** One event with its JSON, or null. */
    public Map<String, Object> find(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + SUMMARY + ", payload FROM wati_events "
                + "WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? summary(rs, true) : null;
            }
        }
    }

    /** A failed event is processed again (its attempts start over); false when it is not failed. */
    public boolean retry(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET state = 'received', "
                + "attempts = 0, next_attempt_at = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? AND state = 'failed'")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setLong(2, id);
            return s.executeUpdate() == 1;
        }
    }

    private static final String SUMMARY = "id, account, event_type, wati_id, whatsapp_message_id, local_message_id, status_string, state, "
            + "attempts, next_attempt_at, delivered_to, file_id, error, received_at, processed_at";

    private static Map<String, Object> summary(ResultSet rs, boolean withPayload) throws SQLException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", rs.getLong("id"));
        event.put("account", rs.getString("account"));
        event.put("event_type", rs.getString("event_type"));
        event.put("wati_id", rs.getString("wati_id"));
        event.put("whatsapp_message_id", rs.getString("whatsapp_message_id"));
        event.put("local_message_id", rs.getString("local_message_id"));
        event.put("status_string", rs.getString("status_string"));
        event.put("state", rs.getString("state"));
        event.put("attempts", rs.getInt("attempts"));
        event.put("delivered_to", rs.getString("delivered_to"));
        event.put("file_id", rs.getString("file_id"));
        event.put("error", rs.getString("error"));
        Rows.instants(rs, event, "received_at", "next_attempt_at", "processed_at");
        if (withPayload) {
            event.put("payload", rs.getString("payload"));
        }
        return event;
    }

    /** Processed and failed events older than {@code keep} are removed (received ones never). */
    public int removeOlderThan(Duration keep) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM wati_events WHERE state IN ('processed', 'failed') AND received_at < ?")) {
            s.setTimestamp(1, Timestamp.from(Instant.now().minus(keep)));
            return s.executeUpdate();
        }
    }

    private void update(String sql, String value, long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            s.setLong(2, id);
            s.executeUpdate();
        }
    }

}
