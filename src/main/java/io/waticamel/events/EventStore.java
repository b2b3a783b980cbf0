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
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * The {@code wati_events} table: an event is inserted once (its unique key recognises a
 * redelivery atomically, in one INSERT, whatever instance receives it), claimed by one worker at a
 * time, and marked processed, retried later or failed. A claim holds for the lease; a crashed
 * instance's claims are taken back at its next start, or by anyone once the lease has passed.
 */
public class EventStore {

    /** SQLState of a unique key violation, on H2 and PostgreSQL alike. */
    private static final String DUPLICATE_KEY = "23505";

    /** A claimed event as the worker needs it. */
    public record Stored(long id, String account, String payload, String deliveredTo, String fileId, String fileUrl, int attempts,
            Instant receivedAt) {
    }

    private final DataSource db;
    private final String instanceId;
    private final Duration lease;
    private final int batchSize;

    public EventStore(DataSource db, String instanceId, Duration lease, int batchSize) {
        this.db = db;
        this.instanceId = instanceId;
        this.lease = lease;
        this.batchSize = batchSize;
    }

    /** Stores the event; empty when it is a redelivery of one already stored (then nothing is written). */
    public OptionalLong insert(String account, WatiEvent event, byte[] body, Instant receivedAt) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO wati_events (account, dedup_key, "
                + "event_type, wati_id, whatsapp_message_id, local_message_id, wa_id, status_string, payload, received_at, state, attempts, "
                + "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, ?)", new String[] {"id"})) {
            Timestamp now = Timestamp.from(receivedAt);
            s.setString(1, account);
            s.setString(2, event.dedupKey(body));
            s.setString(3, cut(event.type(), 128));
            s.setString(4, cut(event.watiId(), 255));
            s.setString(5, cut(event.whatsappMessageId(), 255));
            s.setString(6, cut(event.localMessageId(), 255));
            s.setString(7, cut(event.waId(), 32));
            s.setString(8, cut(event.statusString(), 64));
            s.setString(9, new String(body, StandardCharsets.UTF_8));
            s.setTimestamp(10, now);
            s.setTimestamp(11, now);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                return OptionalLong.of(keys.getLong(1));
            }
        } catch (SQLException e) {
            if (DUPLICATE_KEY.equals(e.getSQLState())) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    /** Claims up to a batch of events due for processing, oldest first; their ids. */
    public List<Long> claim() throws SQLException {
        String token = instanceId + "/" + UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        List<Long> claimed = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            String due = "state = 'received' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)";
            try (PreparedStatement s = c.prepareStatement("UPDATE wati_events SET claim_token = ?, claimed_until = ? WHERE " + due
                    + " AND id IN (SELECT id FROM wati_events WHERE " + due + " ORDER BY id LIMIT ?)")) {
                s.setString(1, token);
                s.setTimestamp(2, Timestamp.from(now.toInstant().plus(lease)));
                s.setTimestamp(3, now);
                s.setTimestamp(4, now);
                s.setTimestamp(5, now);
                s.setTimestamp(6, now);
                s.setInt(7, batchSize);
                if (s.executeUpdate() == 0) {
                    return claimed;
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM wati_events WHERE claim_token = ? ORDER BY id")) {
                s.setString(1, token);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(rs.getLong(1));
                    }
                }
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
