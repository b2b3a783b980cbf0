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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

/**
 * The {@code wati_events} table: an event is inserted once (its unique key recognises a
 * redelivery atomically, whatever instance receives it), claimed by one worker at a
 * time, and marked processed, retried later or failed. A claim holds for the lease; a crashed
 * instance's claims are taken back at its next start, or by anyone once the lease has passed.
 */
public class EventStore implements AutoCloseable {

    /** SQLState of a unique key violation, on H2 and PostgreSQL alike. */
    private static final String DUPLICATE_KEY = "23505";

    /** A claimed event as the worker needs it. */
    public record Stored(long id, String account, String payload, String deliveredTo, String fileId, String fileUrl, int attempts,
            Instant receivedAt) {
    }

    private static final int QUEUE_CAPACITY = 10_000;
    /** Most events written in one transaction. */
    private static final int MAX_GROUP = 256;

    private final DataSource db;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private final String instanceId;
    private final Duration lease;
    private final int batchSize;

    public EventStore(DataSource db, String instanceId, Duration lease, int batchSize) {
        this.db = db;
        this.instanceId = instanceId;
        this.lease = lease;
        this.batchSize = batchSize;
        this.writer = Thread.ofPlatform().name("wati-event-writer").daemon().start(this::write);
    }

    /**
     * Stores the event; false when it is a redelivery of one already stored (then nothing is
     * written). Concurrent deliveries are written together, one transaction for all (group commit):
     * a commit is what an event costs, and on H2 every commit is written to the file at once.
     */
    public boolean insert(String account, WatiEvent event, byte[] body, Instant receivedAt) throws SQLException, InterruptedException {
        Pending pending = new Pending(account, event.dedupKey(body), event, new String(body, StandardCharsets.UTF_8), receivedAt);
        if (!queue.offer(pending, 5, TimeUnit.SECONDS)) {
            throw new SQLException("WATI events are arriving faster than they can be stored (" + QUEUE_CAPACITY + " waiting)");
        }
        try {
            return pending.stored.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getCause());
        } catch (TimeoutException e) {
            throw new SQLException("WATI event not stored within 30 s", e);
        }
    }

    /** An event waiting for the writer; {@code stored} completes with false for a redelivery. */
    private record Pending(String account, String dedupKey, WatiEvent event, String payload, Instant receivedAt,
            CompletableFuture<Boolean> stored) {
        Pending(String account, String dedupKey, WatiEvent event, String payload, Instant receivedAt) {
            this(account, dedupKey, event, payload, receivedAt, new CompletableFuture<>());
        }

        String key() {
            return account + "\n" + dedupKey;
        }
    }

    /** The writer thread: takes what has arrived (up to {@value #MAX_GROUP}) and writes it in one transaction. */
    private void write() {
        List<Pending> group = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                group.clear();
                group.add(queue.take());
                queue.drainTo(group, MAX_GROUP - 1);
                writeGroup(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                group.forEach(p -> p.stored().completeExceptionally(e));
            }
        }
    }

    private void writeGroup(List<Pending> group) {
        try {
            insertTogether(group);
        } catch (SQLException together) {
            // another instance stored one of them meanwhile (PostgreSQL), or one row is at fault: each on its own
            for (Pending pending : group) {
                if (pending.stored().isDone()) {
                    continue;
                }
                try (Connection c = db.getConnection()) {
                    pending.stored().complete(insertOne(c, pending));
                } catch (SQLException e) {
                    pending.stored().completeExceptionally(e);
                }
            }
        }
    }

    /** One transaction: redeliveries (in the group, or already stored) are recognised, the rest inserted in one batch. */
    private void insertTogether(List<Pending> group) throws SQLException {
        Map<String, Pending> fresh = new LinkedHashMap<>();
        List<Pending> repeated = new ArrayList<>();
        for (Pending pending : group) {
            if (fresh.putIfAbsent(pending.key(), pending) != null) {
                repeated.add(pending);
            }
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String key : stored(c, fresh.values())) {
                    repeated.add(fresh.remove(key));
                }
                try (PreparedStatement s = c.prepareStatement(INSERT)) {
                    for (Pending pending : fresh.values()) {
                        bind(s, pending);
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
        fresh.values().forEach(p -> p.stored().complete(true));
        repeated.forEach(p -> p.stored().complete(false));
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
        s.setString(3, cut(event.type(), 128));
        s.setString(4, cut(event.watiId(), 255));
        s.setString(5, cut(event.whatsappMessageId(), 255));
        s.setString(6, cut(event.localMessageId(), 255));
        s.setString(7, cut(event.waId(), 32));
        s.setString(8, cut(event.statusString(), 64));
        s.setString(9, pending.payload());
        s.setTimestamp(10, received);
        s.setTimestamp(11, received);
    }

    /** Stops the writer (with Camel): what is queued has been answered or fails its request. */
    @Override
    public void close() {
        writer.interrupt();
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
                String token = instanceId + "/" + UUID.randomUUID();
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
                "SELECT e.id, e.account, e.payload, e.delivered_to, e.file_id, f.file_url, e.attempts, e.received_at FROM wati_events e "
                        + "LEFT JOIN files f ON f.id = e.file_id WHERE e.id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getInt(7), rs.getTimestamp(8).toInstant());
            }
        }
    }

    /** Media archived for the event: linked at once, so a retry of the event does not fetch it again. */
    public void linkFile(long id, String fileId) throws SQLException {
        update("UPDATE wati_events SET file_id = ? WHERE id = ?", fileId, id);
    }

    public void processed(long id, String deliveredTo) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET state = 'processed', "
                + "processed_at = ?, delivered_to = ?, claim_token = NULL, claimed_until = NULL, error = NULL WHERE id = ?")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setString(2, cut(deliveredTo, 4096));
            s.setLong(3, id);
            s.executeUpdate();
        }
    }

    /** A failed attempt: tried again at {@code next}, or {@code failed} for good when {@code next} is null. */
    public void attemptFailed(long id, String deliveredTo, String error, Instant next) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET state = ?, "
                + "attempts = attempts + 1, next_attempt_at = ?, delivered_to = ?, error = ?, claim_token = NULL, claimed_until = NULL "
                + "WHERE id = ?")) {
            s.setString(1, next == null ? "failed" : "received");
            s.setTimestamp(2, Timestamp.from(next == null ? Instant.now() : next));
            s.setString(3, cut(deliveredTo, 4096));
            s.setString(4, cut(error, 2048));
            s.setLong(5, id);
            s.executeUpdate();
        }
    }

    /** At start: this instance's claims from before a crash are free again at once (not after the lease). */
    public int releaseOwnClaims() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE wati_events SET claim_token = NULL, "
                + "claimed_until = NULL WHERE state = 'received' AND claim_token LIKE ?")) {
            s.setString(1, instanceId.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%");
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

    static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
