package io.waticamel.reliability;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.pipeline.Action;
import io.waticamel.action.TaskResult;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.RecordOwners;
import io.waticamel.security.SecretBox;
import io.waticamel.security.UndecryptableSecretException;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter store: actions whose retries were exhausted or that failed unexpectedly, with
 * their fields (the token encrypted, never in clear), the error and the attempts; listed, shown,
 * replayed through the same routes and deleted by the dead-letters API.
 * <p>
 * status: open -> replaying (one replay has claimed it) -> resolved (the replay succeeded), or back
 * to open (it failed). The claim is one UPDATE that only an open letter passes, so two replays at
 * once send once and a resolved letter is never sent again (409). A claim older than the replay
 * timeout is taken as left by an instance that died mid-replay: a replay may claim it again.
 * <p>
 * A letter belongs to the API key that sent the action ({@code caller}): another key's letter is
 * not found (404), for every operation; the keys of wati.api-admins see all ({@link RecordOwners}).
 * A replay runs as the letter's caller, with its stored credentials, whoever asked for it.
 */
public class DeadLetters {

    /** Exchange variable: the dead letter being replayed (a new failure updates it instead of adding one). */
    public static final String REPLAY_OF = "watiReplayOf";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final String COLUMNS = "id, caller, action, account, fields_json, token_encrypted, error, http_status, attempts, status, replays, created_at, updated_at";

    private final DataSource db;
    private final SecretBox secrets;
    private final Duration replayTimeout;
    private final RecordOwners owners;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeadLetters(DataSource db, SecretBox secrets, Duration replayTimeout, RecordOwners owners) {
        this.db = db;
        this.secrets = secrets;
        this.replayTimeout = replayTimeout;
        this.owners = owners;
    }

    /** The key that encrypts kept tokens: the outbox keeps its tokens with it too. */
    public SecretBox secrets() {
        return secrets;
    }

    /** In wati-action, after the task result of a failure that may succeed later: keep the action. */
    public void store(Exchange exchange) throws SQLException, JsonProcessingException {
        Action action = exchange.getVariable(Action.VARIABLE, Action.class);
        if (action == null || action.result() == null) {
            return;
        }
        ActionFields fields = action.fields();
        TaskResult result = action.result();
        WatiCredentials credentials = action.credentials();
        Map<String, String> kept = new LinkedHashMap<>(fields.asMap());
        String token = kept.remove("access_token");
        String encrypted = token == null || token.isBlank() ? null : secrets.encrypt(token);
        String account = credentials != null ? credentials.label() : String.valueOf(fields.get("account"));
        int attempts = action.attempts();
        Timestamp now = Timestamp.from(Instant.now());
        String replayOf = exchange.getVariable(REPLAY_OF, String.class);
        try (Connection c = db.getConnection()) {
            if (replayOf != null) {
                try (PreparedStatement s = c.prepareStatement("UPDATE dead_letters SET error = ?, http_status = ?, attempts = ?, "
                        + "status = 'open', replays = replays + 1, updated_at = ? WHERE id = ?")) {
                    s.setString(1, truncate(result.runText()));
                    s.setInt(2, result.httpStatus());
                    s.setInt(3, attempts);
                    s.setTimestamp(4, now);
                    s.setString(5, replayOf);
                    s.executeUpdate();
                }
                LOG.warn("Dead letter {} replayed and failed again: {}", replayOf, result.runText());
                return;
            }
            String id = insert(c, action.caller(), String.valueOf(fields.action()), account, mapper.writeValueAsString(kept), encrypted,
                    result.runText(), result.httpStatus(), attempts);
            LOG.warn("Dead letter {}: {} via {} after {} attempt(s): {} (caller {})", id, fields.action(), account, attempts,
                    result.runText(), action.caller());
        }
    }

    /** A dead letter from elsewhere (the outbox), of the caller that sent the action; returns its id. */
    public String insert(String caller, String action, String account, String fieldsJson, String tokenEncrypted, String error, int status,
            int attempts) throws SQLException {
        try (Connection c = db.getConnection()) {
            String id = insert(c, caller, action, account, fieldsJson, tokenEncrypted, error, status, attempts);
            LOG.warn("Dead letter {}: {} via {}: {} (caller {})", id, action, account, error, caller);
            return id;
        }
    }

    private static String insert(Connection c, String caller, String action, String account, String fieldsJson, String tokenEncrypted,
            String error, int status, int attempts) throws SQLException {
        String id = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO dead_letters (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, caller);
            s.setString(3, action);
            s.setString(4, truncate(account));
            s.setString(5, fieldsJson);
            s.setString(6, tokenEncrypted);
            s.setString(7, truncate(error));
            s.setInt(8, status);
            s.setInt(9, attempts);
            s.setTimestamp(10, now);
            s.setTimestamp(11, now);
            s.executeUpdate();
        }
        return id;
    }

    /**
     * Before a replay: claims the letter and puts the stored action as the body (token decrypted),
     * as its own caller's; 404 when there is no such letter (or it is another caller's), 409 with its
     * state when it is resolved or being replayed, or when no key decrypts its token.
     */
    public void prepareReplay(Exchange exchange) throws SQLException, JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        String onlyOf = onlyOf(exchange);
        boolean claimed = claim(id, onlyOf);
        Map<String, Object> row = find(id, onlyOf);
        if (row == null) {
            JsonAnswer.error(exchange, 404, "No dead letter with this id");
            exchange.setRouteStop(true);
            return;
        }
        if (!claimed) {
            Map<String, Object> letter = new LinkedHashMap<>();
            letter.put("state", row.get("status"));
            letter.put("dead_letter", record(row));
            JsonAnswer.error(exchange, 409, "resolved".equals(row.get("status"))
                    ? "Dead letter already resolved: it is not sent again"
                    : "Dead letter is being replayed: one replay at a time (one that has not ended after "
                            + "wati.dead-letters.replay-timeout may be started again)", letter);
            exchange.setRouteStop(true);
            return;
        }
        Map<String, Object> fields;
        try {
            fields = new LinkedHashMap<>(mapper.readValue((String) row.get("fields_json"), new TypeReference<Map<String, Object>>() {
            }));
            if (row.get("token_encrypted") != null) {
                fields.put("access_token", secrets.decrypt((String) row.get("token_encrypted")));
            }
        } catch (UndecryptableSecretException e) {
            // a key change without wati.secret-key.previous: the operator can fix it, the letter stays replayable
            reopen(id, null);
            LOG.warn("Dead letter {} not replayed: {}", id, e.getMessage());
            Map<String, Object> letter = new LinkedHashMap<>();
            letter.put("dead_letter", record(find(id, onlyOf)));
            JsonAnswer.error(exchange, 409, e.getMessage(), letter);
            exchange.setRouteStop(true);
            return;
        } catch (JsonProcessingException | RuntimeException e) {
            // nothing was sent: the letter stays replayable
            reopen(id, null);
            throw e;
        }
        String caller = (String) row.get("caller");
        LOG.info("Dead letter {} replayed by {} as its caller {}", id, owners.caller(exchange), caller);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        // the action runs as the letter's caller: its log lines, and a new failure, are that caller's
        message.setHeader(ApiKeyAuthentication.CALLER_HEADER, caller);
        message.setBody(fields);
        exchange.setVariable(REPLAY_OF, id);
    }

    /**
     * Open, or claimed longer ago than the replay timeout (its instance died mid-replay): now replaying, by this
     * request only; only a letter of {@code onlyOf} unless that is null.
     */
    private boolean claim(String id, String onlyOf) throws SQLException {
        if (id == null) {
            return false;
        }
        Instant now = Instant.now();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE dead_letters SET status = 'replaying', "
                + "updated_at = ? WHERE id = ? AND (status = 'open' OR (status = 'replaying' AND updated_at < ?))"
                + (onlyOf == null ? "" : " AND caller = ?"))) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setString(2, id);
            s.setTimestamp(3, Timestamp.from(now.minus(replayTimeout)));
            if (onlyOf != null) {
                s.setString(4, onlyOf);
            }
            return s.executeUpdate() == 1;
        }
    }

    /**
     * A replay that failed, or could not start: open again. A failure {@link #store} kept (retried,
     * or unexpected) opened it already; a refusal (WATI's, or a 400) is recorded here.
     */
    private void reopen(String id, TaskResult failure) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE dead_letters SET status = 'open', "
                + "updated_at = ?, replays = replays + ?, error = COALESCE(?, error), http_status = COALESCE(?, http_status) "
                + "WHERE id = ? AND status = 'replaying'")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setInt(2, failure == null ? 0 : 1);
            s.setString(3, failure == null ? null : truncate(failure.runText()));
            s.setObject(4, failure == null ? null : failure.httpStatus(), Types.INTEGER);
            s.setString(5, id);
            s.executeUpdate();
        }
    }

    /** After a replay: a success resolves the letter, a failure opens it again; the answer reports the outcome. */
    public void replayed(Exchange exchange) throws SQLException, JsonProcessingException {
        String id = exchange.getVariable(REPLAY_OF, String.class);
        TaskResult result = Action.of(exchange).result();
        if (result.run()) {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "UPDATE dead_letters SET status = 'resolved', replays = replays + 1, updated_at = ? WHERE id = ? AND status = 'replaying'")) {
                s.setTimestamp(1, Timestamp.from(Instant.now()));
                s.setString(2, id);
                s.executeUpdate();
            }
            LOG.info("Dead letter {} replayed successfully: resolved", id);
        } else {
            reopen(id, result);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        // checked when the replay claimed it (the headers are the letter's caller's by now)
        answer.put("dead_letter", record(find(id, null)));
        answer.put("result", result.variables());
        JsonAnswer.send(exchange, result.httpStatus(), answer);
    }

    public void one(Exchange exchange) throws SQLException, JsonProcessingException {
        Map<String, Object> row = find(exchange.getMessage().getHeader("id", String.class), onlyOf(exchange));
        if (row == null) {
            JsonAnswer.error(exchange, 404, "No dead letter with this id");
        } else {
            JsonAnswer.send(exchange, 200, record(row));
        }
    }

    public void delete(Exchange exchange) throws SQLException, JsonProcessingException {
        String onlyOf = onlyOf(exchange);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM dead_letters WHERE id = ?"
                + (onlyOf == null ? "" : " AND caller = ?"))) {
            s.setString(1, exchange.getMessage().getHeader("id", String.class));
            if (onlyOf != null) {
                s.setString(2, onlyOf);
            }
            if (s.executeUpdate() == 0) {
                JsonAnswer.error(exchange, 404, "No dead letter with this id");
                return;
            }
        }
        JsonAnswer.send(exchange, 200, Map.of("deleted", exchange.getMessage().getHeader("id", String.class)));
    }

    /** The open dead letters, all callers' (the metrics' gauge): one COUNT on the index by status. */
    public long countOpen() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM dead_letters WHERE status = 'open'");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** GET /api/v1/dead-letters?action=&account=&status=&page=&size= (newest first): the caller's own, or all for an admin. */
    public void list(Exchange exchange) throws SQLException, JsonProcessingException {
        int page;
        int size;
        Map<String, String> filters = new LinkedHashMap<>();
        try {
            QueryParameters query = QueryParameters.of(exchange, "action", "account", "status", "page", "size");
            page = query.page();
            size = query.size(50);
            filters.put("action", query.text("action"));
            filters.put("account", query.text("account") == null ? null : query.text("account").toLowerCase(java.util.Locale.ROOT));
            filters.put("status", query.oneOf("status", List.of("open", "replaying", "resolved")));
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dead_letters WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        String onlyOf = onlyOf(exchange);
        if (onlyOf != null) {
            sql.append(" AND caller = ?");
            args.add(onlyOf);
        }
        filters.forEach((column, value) -> {
            if (value != null) {
                sql.append(" AND ").append(column).append(" = ?");
                args.add(value);
            }
        });
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
        List<Map<String, Object>> letters = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String arg : args) {
                s.setString(i++, arg);
            }
            s.setInt(i++, size);
            s.setLong(i, (long) page * size);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    letters.add(record(row(rs)));
                }
            }
        }
        JsonAnswer.send(exchange, 200, Map.of("page", page, "size", size, "dead_letters", letters));
    }

    /** The caller whose letters this request may touch; null when it sees every caller's. */
    private String onlyOf(Exchange exchange) {
        return owners.seesAll(exchange) ? null : owners.caller(exchange);
    }

    /** The letter, if it is {@code onlyOf}'s (any caller's when null). */
    private Map<String, Object> find(String id, String onlyOf) throws SQLException {
        if (id == null) {
            return null;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM dead_letters WHERE id = ?"
                + (onlyOf == null ? "" : " AND caller = ?"))) {
            s.setString(1, id);
            if (onlyOf != null) {
                s.setString(2, onlyOf);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String column : COLUMNS.split(", ")) {
            row.put(column, rs.getObject(column));
        }
        row.put("created_at", rs.getTimestamp("created_at").toInstant());
        row.put("updated_at", rs.getTimestamp("updated_at").toInstant());
        return row;
    }

    /** What the API shows: never the token, only whether one is kept for replay. */
    private Map<String, Object> record(Map<String, Object> row) throws JsonProcessingException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", row.get("id"));
        record.put("caller", row.get("caller"));
        record.put("action", row.get("action"));
        record.put("account", row.get("account"));
        record.put("fields", mapper.readTree((String) row.get("fields_json")));
        record.put("credentials_kept", row.get("token_encrypted") != null);
        record.put("error", row.get("error"));
        record.put("http_status", ((Number) row.get("http_status")).intValue());
        record.put("attempts", ((Number) row.get("attempts")).intValue());
        record.put("status", row.get("status"));
        record.put("replays", ((Number) row.get("replays")).intValue());
        record.put("created_at", DateTimeFormatter.ISO_INSTANT.format((Instant) row.get("created_at")));
        record.put("updated_at", DateTimeFormatter.ISO_INSTANT.format((Instant) row.get("updated_at")));
        return record;
    }

    private static String truncate(String text) {
        return text == null ? "" : text.length() > 4000 ? text.substring(0, 4000) : text;
    }
}
