package io.waticamel.sandbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

/**
 * The runtime's stored event of an account by its dedup key ({@code WatiEvent.dedupKey}), for an
 * inbound call that waits until its event is processed: one lookup on the unique key
 * {@code wati_events_once (account, dedup_key)} (V6__wati_events.sql), polled every 50 ms, however
 * many events the account received after it. Only the summary the inbound answer shows.
 */
public final class StoredEventLookup {

    private final DataSource db;

    public StoredEventLookup(DataSource db) {
        this.db = db;
    }

    /** {@code id, state, attempts, file_id, error}, or null when no such event is stored (yet). */
    public Map<String, Object> find(String account, String dedupKey) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, state, attempts, file_id, error "
                + "FROM wati_events WHERE account = ? AND dedup_key = ?")) {
            s.setString(1, account);
            s.setString(2, dedupKey);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("id", rs.getLong("id"));
                event.put("state", rs.getString("state"));
                event.put("attempts", rs.getInt("attempts"));
                event.put("file_id", rs.getString("file_id"));
                event.put("error", rs.getString("error"));
                return event;
            }
        }
    }
}
