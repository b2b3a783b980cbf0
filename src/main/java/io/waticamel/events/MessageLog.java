package io.waticamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.TaskResult;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.pipeline.Action;
import io.waticamel.security.RecordOwners;
import io.waticamel.wati.PhoneNumbers;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message log (bean {@code messageLog}, table {@code messages}): every send the runtime makes
 * (actions, replays, async actions) with WATI's ids from its answer, and how far each message got
 * as WATI's status events report it. {@code GET /api/v1/messages} answers "did this customer get
 * it, and when was it read?".
 * <p>
 * A status event finds its message by WATI's ids. sendTemplateMessage (V1) answers without a
 * message id: a template's first status event then takes the newest template sent to that number
 * from that account in the last day that has no ids yet, and gives it the event's ids, which its
 * later events match.
 */
public class MessageLog {

    /** The actions that send a message. */
    static final Set<String> SENDS = Set.of("send_session_message", "send_template_message", "send_session_file");
    private static final Duration TEMPLATE_MATCH_WINDOW = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(MessageLog.class);
    private static final String COLUMNS = "id, caller, account, endpoint, number, action, template_name, wati_id, whatsapp_message_id, "
            + "local_message_id, run, http_status, run_text, status, sent_at, delivered_at, read_at, replied_at, failed_at, failed_code, "
            + "failed_detail, created_at, updated_at";

    private final DataSource db;
    private final RecordOwners owners;

    public MessageLog(DataSource db, RecordOwners owners) {
        this.db = db;
        this.owners = owners;
    }

    /** In wati-action, after the answer: a send whose WATI request was built is recorded with its outcome. */
    public void record(Exchange exchange) {
        Action action = exchange.getVariable(Action.VARIABLE, Action.class);
        if (action == null || action.call() == null || !SENDS.contains(action.name()) || action.result() == null) {
            return;
        }
        try {
            insert(action);
        } catch (SQLException | RuntimeException e) {
            // the message went (or not) whatever the log says: the caller gets its answer
            LOG.warn("Message log: {} to {} not recorded: {}", action.name(), action.recipient(), e.toString());
        }
    }

    private void insert(Action action) throws SQLException {
        TaskResult result = action.result();
        WatiCredentials credentials = action.credentials();
        JsonNode answer = result.response();
        JsonNode message = answer == null ? null : answer.path("message");
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO messages (id, caller, account, "
                + "endpoint, number, action, template_name, wati_id, whatsapp_message_id, local_message_id, run, http_status, run_text, "
                + "status, status_rank, sent_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, UUID.randomUUID().toString());
            s.setString(2, action.caller());
            s.setString(3, credentials.account());
            s.setString(4, credentials.endpoint().toString());
            s.setString(5, PhoneNumbers.normalise(action.fields().get("whatsappNumber")));
            s.setString(6, action.name());
            s.setString(7, Rows.cut(action.fields().get("template_name"), 512));
            s.setString(8, Rows.cut(id(answer, message, "id"), 255));
            s.setString(9, Rows.cut(id(answer, message, "whatsappMessageId"), 255));
            s.setString(10, Rows.cut(id(answer, message, "localMessageId"), 255));
            s.setBoolean(11, result.run());
            s.setInt(12, result.httpStatus());
            s.setString(13, Rows.cut(result.runText(), 1024));
            s.setString(14, result.run() ? DeliveryStatus.SENT.name() : null);
            s.setInt(15, result.run() ? DeliveryStatus.SENT.rank() : 0);
            s.setTimestamp(16, result.run() ? now : null);
            s.setTimestamp(17, now);
            s.setTimestamp(18, now);
            s.executeUpdate();
            String whatsappMessageId = id(answer, message, "whatsappMessageId");
            String watiId = id(answer, message, "id");
            if (credentials.account() != null && (whatsappMessageId != null || watiId != null)) {
                // a status event faster than this record (processed while WATI's answer was on its way)
                applyUnmatched(c, credentials.account(), credentials.endpoint().toString(), whatsappMessageId, watiId);
            }
        }
    }

    /** One receiver of a bulk send as the message log keeps it. */
    public record BulkSend(String number, String localMessageId, boolean run, String runText) {
    }

    /**
     * A campaign's sendTemplateMessages call: one record per receiver, with the localMessageId its status events
     * carry, in one batch of inserts. Logged, not thrown, when it fails: the messages went whatever the log says.
     */
    public void recordBulk(String caller, WatiCredentials credentials, String templateName, int httpStatus, List<BulkSend> sends) {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO messages (id, caller, account, "
                + "endpoint, number, action, template_name, local_message_id, run, http_status, run_text, status, status_rank, sent_at, "
                + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'send_template_message', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (BulkSend send : sends) {
                s.setString(1, UUID.randomUUID().toString());
                s.setString(2, caller);
                s.setString(3, credentials.account());
                s.setString(4, credentials.endpoint().toString());
                s.setString(5, send.number());
                s.setString(6, Rows.cut(templateName, 512));
                s.setString(7, send.localMessageId());
                s.setBoolean(8, send.run());
                s.setInt(9, send.run() ? 200 : httpStatus);
                s.setString(10, Rows.cut(send.runText(), 1024));
                s.setString(11, send.run() ? DeliveryStatus.SENT.name() : null);
                s.setInt(12, send.run() ? DeliveryStatus.SENT.rank() : 0);
                s.setTimestamp(13, send.run() ? now : null);
                s.setTimestamp(14, now);
                s.setTimestamp(15, now);
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Message log: {} sends of template {} not recorded: {}", sends.size(), templateName, e.toString());
        }
    }

    /** WATI's id field from its answer: in {@code message} (session sends), else at the top. */
    private static String id(JsonNode answer, JsonNode message, String field) {
        for (JsonNode node : new JsonNode[] {message, answer}) {
            if (node != null && node.hasNonNull(field) && node.get(field).isValueNode() && !node.get(field).asText().isEmpty()) {
                return node.get(field).asText();
            }
        }
        return null;
    }

    /**
     * In wati-event: a status event moves its message forward (never back); other events change
     * nothing. One that matches no message yet is kept aside, and applied when a message gets its ids.
     */
    public void fromEvent(Exchange exchange) throws SQLException {
        InboundEvent inbound = InboundEvent.of(exchange);
        WatiEvent event = inbound.event();
        DeliveryStatus status = DeliveryStatus.of(event);
        if (status == null) {
            return;
        }
        String endpoint = inbound.endpoint() == null ? "" : inbound.endpoint();
        try (Connection c = db.getConnection()) {
            if (applyById(c, inbound.account(), endpoint, event, status, inbound.receivedAt()) > 0) {
                return;
            }
            Instant at = event.happenedAt(inbound.receivedAt());
            if (event.waId() != null && event.type().startsWith("templateMessage")) {
                String id = newestTemplateWithoutIds(c, inbound.account(), endpoint, event.waId(), at);
                if (id != null) {
                    apply(c, "id = ?", event, status, at, (s, i) -> s.setString(i + 1, id));
                    applyUnmatched(c, inbound.account(), endpoint, event.whatsappMessageId(), event.watiId());
                    return;
                }
            }
            keepUnmatched(c, inbound, event);
        }
    }

    /** The status applied to the message with one of the event's ids (one indexed id at a time); how many rows moved. */
    private int applyById(Connection c, String account, String endpoint, WatiEvent event, DeliveryStatus status, Instant receivedAt)
            throws SQLException {
        Instant at = event.happenedAt(receivedAt);
        // one id at a time, each by its own index (an OR of the three would scan the table); WATI's
        // message ids first: a localMessageId is the sender's and need not be unique
        int updated = 0;
        for (String[] id : new String[][] {{"whatsapp_message_id", event.whatsappMessageId()}, {"wati_id", event.watiId()},
                {"local_message_id", event.localMessageId()}}) {
            if (updated == 0 && id[1] != null) {
                updated = apply(c, id[0] + " = ? AND (account = ? OR endpoint = ?)", event, status, at, (s, i) -> {
                    s.setString(i + 1, id[1]);
                    s.setString(i + 2, account);
                    s.setString(i + 3, endpoint);
                });
            }
        }
        return updated;
    }

    private static void keepUnmatched(Connection c, InboundEvent inbound, WatiEvent event) throws SQLException {
        if (event.whatsappMessageId() == null && event.watiId() == null) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO unmatched_statuses (event_id, account, whatsapp_message_id, wati_id, "
                + "received_at) VALUES (?, ?, ?, ?, ?)")) {
            s.setLong(1, inbound.id());
            s.setString(2, inbound.account());
            s.setString(3, Rows.cut(event.whatsappMessageId(), 255));
            s.setString(4, Rows.cut(event.watiId(), 255));
            s.setTimestamp(5, Timestamp.from(inbound.receivedAt()));
            s.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            // kept by an earlier attempt of the same event
        }
    }

    /** The statuses kept aside for these ids, applied now that a message has them. */
    private void applyUnmatched(Connection c, String account, String endpoint, String whatsappMessageId, String watiId) throws SQLException {
        Map<Long, String> kept = new LinkedHashMap<>();
        for (String[] id : new String[][] {{"whatsapp_message_id", whatsappMessageId}, {"wati_id", watiId}}) {
            if (id[1] == null) {
                continue;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT u.event_id, e.payload, e.received_at FROM unmatched_statuses u JOIN "
                    + "wati_events e ON e.id = u.event_id WHERE u." + id[0] + " = ? AND u.account = ?")) {
                s.setString(1, id[1]);
                s.setString(2, account);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        kept.put(rs.getLong(1), rs.getString(2) + "\n" + rs.getTimestamp(3).toInstant());
                    }
                }
            }
        }
        for (Map.Entry<Long, String> entry : kept.entrySet()) {
            String[] parts = entry.getValue().split("\n(?=[^\n]*$)");
            WatiEvent event = WatiEvent.stored(parts[0]);
            applyById(c, account, endpoint, event, DeliveryStatus.of(event), Instant.parse(parts[1]));
            try (PreparedStatement s = c.prepareStatement("DELETE FROM unmatched_statuses WHERE event_id = ?")) {
                s.setLong(1, entry.getKey());
                s.executeUpdate();
            }
        }
    }

    /** Statuses kept aside for more than a day are dropped (their messages were not sent by the runtime). */
    public void removeOldUnmatched() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM unmatched_statuses WHERE received_at < ?")) {
            s.setTimestamp(1, Timestamp.from(Instant.now().minus(TEMPLATE_MATCH_WINDOW)));
            s.executeUpdate();
        }
    }

    /** Binds a WHERE clause's parameters after the first {@code offset} of the statement. */
    private interface Binder {
        void bind(PreparedStatement s, int offset) throws SQLException;
    }

    private int apply(Connection c, String where, WatiEvent event, DeliveryStatus status, Instant at, Binder whereBinder) throws SQLException {
        Timestamp when = Timestamp.from(at);
        String sql = "UPDATE messages SET status = CASE WHEN status_rank < ? THEN ? ELSE status END, "
                + "status_rank = CASE WHEN status_rank < ? THEN ? ELSE status_rank END, "
                + "sent_at = COALESCE(sent_at, ?), delivered_at = COALESCE(delivered_at, ?), read_at = COALESCE(read_at, ?), "
                + "replied_at = COALESCE(replied_at, ?), failed_at = COALESCE(failed_at, ?), "
                + "failed_code = COALESCE(failed_code, ?), failed_detail = COALESCE(failed_detail, ?), "
                + "wati_id = COALESCE(wati_id, ?), whatsapp_message_id = COALESCE(whatsapp_message_id, ?), "
                + "local_message_id = COALESCE(local_message_id, ?), updated_at = ? WHERE " + where;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setInt(1, status.rank());
            s.setString(2, status.name());
            s.setInt(3, status.rank());
            s.setInt(4, status.rank());
            s.setTimestamp(5, status == DeliveryStatus.SENT ? when : null);
            s.setTimestamp(6, status == DeliveryStatus.DELIVERED ? when : null);
            s.setTimestamp(7, status == DeliveryStatus.READ ? when : null);
            s.setTimestamp(8, status == DeliveryStatus.REPLIED ? when : null);
            s.setTimestamp(9, status == DeliveryStatus.FAILED ? when : null);
            s.setString(10, status == DeliveryStatus.FAILED ? Rows.cut(event.failedCode(), 32) : null);
            s.setString(11, status == DeliveryStatus.FAILED ? Rows.cut(event.failedDetail(), 1024) : null);
            s.setString(12, Rows.cut(event.watiId(), 255));
            s.setString(13, Rows.cut(event.whatsappMessageId(), 255));
            s.setString(14, Rows.cut(event.localMessageId(), 255));
            s.setTimestamp(15, Timestamp.from(Instant.now()));
            whereBinder.bind(s, 15);
            return s.executeUpdate();
        }
    }

    private String newestTemplateWithoutIds(Connection c, String account, String endpoint, String number, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM messages WHERE number = ? AND action = 'send_template_message' "
                + "AND run = TRUE AND (account = ? OR endpoint = ?) AND wati_id IS NULL AND whatsapp_message_id IS NULL "
                + "AND local_message_id IS NULL AND created_at > ? ORDER BY created_at DESC LIMIT 1")) {
            s.setString(1, number);
            s.setString(2, account);
            s.setString(3, endpoint);
            s.setTimestamp(4, Timestamp.from(at.minus(TEMPLATE_MATCH_WINDOW)));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * GET /api/v1/messages?number=&account=&since=&page=&size=: the caller's sends (an admin's: all),
     * newest first. {@code since} is an instant ({@code 2026-11-29T10:00:00Z}) or a date (UTC).
     */
    public void list(Exchange exchange) throws Exception {
        String number;
        String account;
        Instant since;
        int page;
        int size;
        try {
            QueryParameters query = QueryParameters.of(exchange, "number", "account", "since", "page", "size");
            String rawNumber = query.text("number");
            number = rawNumber == null ? null : PhoneNumbers.normalise(rawNumber);
            account = query.text("account") == null ? null : query.text("account").toLowerCase(java.util.Locale.ROOT);
            since = instant(query.text("since"));
            page = query.page();
            size = query.size(50);
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("caller = ?", owners.seesAll(exchange) ? null : owners.caller(exchange));
        conditions.put("number = ?", number);
        conditions.put("account = ?", account);
        conditions.put("created_at >= ?", since == null ? null : Timestamp.from(since));
        List<Map<String, Object>> messages = Rows.page(db, "SELECT " + COLUMNS + " FROM messages", conditions, "created_at DESC, id DESC",
                page, size, MessageLog::record);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", page);
        answer.put("size", size);
        answer.put("messages", messages);
        JsonAnswer.send(exchange, 200, answer);
    }

    private static Map<String, Object> record(ResultSet rs) throws SQLException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", rs.getString("id"));
        record.put("caller", rs.getString("caller"));
        record.put("account", rs.getString("account"));
        record.put("number", rs.getString("number"));
        record.put("wati_action", rs.getString("action"));
        record.put("template_name", rs.getString("template_name"));
        record.put("run", rs.getBoolean("run"));
        record.put("http_status", rs.getInt("http_status"));
        record.put("run_text", rs.getString("run_text"));
        record.put("status", rs.getString("status"));
        record.put("wati_id", rs.getString("wati_id"));
        record.put("whatsapp_message_id", rs.getString("whatsapp_message_id"));
        record.put("local_message_id", rs.getString("local_message_id"));
        Rows.instants(rs, record, "created_at", "sent_at", "delivered_at", "read_at", "replied_at", "failed_at");
        record.put("failed_code", rs.getString("failed_code"));
        record.put("failed_detail", rs.getString("failed_detail"));
        return record;
    }

    static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ActionRejectedException("since must be an ISO-8601 instant (2026-11-29T10:00:00Z) or a date (2026-11-29)");
        }
    }

}
