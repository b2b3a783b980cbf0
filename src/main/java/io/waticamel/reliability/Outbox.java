package io.waticamel.reliability;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionException;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionReader;
import io.waticamel.action.TaskResult;
import io.waticamel.files.UrlGuard;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.RecordOwners;
import io.waticamel.security.SecretBox;
import io.waticamel.security.UndecryptableSecretException;
import io.waticamel.pipeline.Action;
import io.waticamel.http.JsonAnswer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Async actions that survive a crash: accepted into the {@code outbox} table before the 202 is
 * sent, claimed by workers, sent through the same routes (retries, throttle), answered at
 * {@code GET /api/v1/actions/{id}} and to an optional {@code callback_url} (delivered, with retries, by the notifications route). A row is marked
 * {@code sending} just before WATI is called; after a crash such a row becomes a dead letter instead
 * of being sent again (nothing accepted is lost, nothing is sent twice), while rows that were only
 * claimed go back to the queue.
 * <p>
 * An action may wait for its time ({@link SendTimes}: {@code send_at}, an account's quiet hours): its row
 * is queued with that due time ({@code send_at}) and claimed only once the runtime's clock has reached
 * it; until then {@code GET} shows it as {@code scheduled}. A requeued row keeps its due time.
 * <p>
 * An action belongs to the API key that sent it ({@code caller}): it is sent as that caller's, and
 * another key asking for its state gets 404 (the keys of wati.api-admins see all).
 */
public class Outbox {

    /** Exchange variable: the outbox row of the async action being sent. */
    public static final String VARIABLE = "watiOutboxId";
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final DataSource db;
    private final SecretBox secrets;
    private final DeadLetters deadLetters;
    private final UrlGuard callbackGuard;
    private final Notifications notifications;
    private final String instanceId;
    private final Duration lease;
    private final int batchSize;
    private final RecordOwners owners;
    private final SendTimes sendTimes;
    private final ActionReader reader = new ActionReader();
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param lease     how long a claim holds, in real time (the system clock, not the runtime's: a claim is about a
     *                  worker being alive, a due time about the business's calendar)
     * @param sendTimes when an action is due, by the runtime's clock
     */
    public Outbox(DataSource db, SecretBox secrets, DeadLetters deadLetters, UrlGuard callbackGuard, Notifications notifications,
            String instanceId, Duration lease, int batchSize, RecordOwners owners, SendTimes sendTimes) {
        this.db = db;
        this.secrets = secrets;
        this.deadLetters = deadLetters;
        this.callbackGuard = callbackGuard;
        this.notifications = notifications;
        this.instanceId = instanceId;
        this.lease = lease;
        this.batchSize = batchSize;
        this.owners = owners;
        this.sendTimes = sendTimes;
    }

    /** {@code "async": true} (or "true") anywhere in the body. */
    private static final Pattern ASYNC_IN_BODY = Pattern.compile("\"async\"\\s*:\\s*(true|\"true\")");
    private static final String SEND_AT_KEY = "\"" + SendTimes.FIELD + "\"";

    /**
     * post-action: whether the request goes to the outbox, answered 202: asked to be async ({@code Prefer:
     * respond-async}, or {@code "async": true} in the body), or due later than now ({@link SendTimes#later}: a
     * send_at, or a template of an account inside its quiet hours, synchronous calls included). A body that cannot be
     * read goes the synchronous way, which answers it.
     */
    public boolean viaOutbox(Exchange exchange) {
        String prefer = exchange.getMessage().getHeader("Prefer", "", String.class).toLowerCase(Locale.ROOT);
        if (prefer.contains("respond-async")) {
            return true;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(body);
        if (body == null) {
            return false;
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        if (ASYNC_IN_BODY.matcher(text).find()) {
            return true;
        }
        // most synchronous actions name no send_at where no account has quiet hours: not read a second time then
        if (!sendTimes.anyQuietHours() && !text.contains(SEND_AT_KEY)) {
            return false;
        }
        ActionFields fields;
        try {
            fields = reader.read(body);
        } catch (ActionException e) {
            return false;
        }
        return sendTimes.later(fields);
    }

    /**
     * Stores the action durably, then answers 202 with its id. The action was checked as a
     * synchronous one is before it calls out (post-action); only the callback_url is checked here.
     * Its due time is the variable {@value SendTimes#VARIABLE} (post-action's plan; now when absent):
     * one later than now is answered {@code scheduled} with its {@code send_at} (and why it was
     * deferred, if it was).
     */
    public void accept(Exchange exchange) throws Exception {
        Action action = Action.of(exchange);
        ActionFields fields = action.fields();
        String callback = fields.get("callback_url");
        if (callback != null) {
            callbackGuard.check("callback_url", callback.strip());
        }
        Map<String, String> kept = new LinkedHashMap<>(fields.asMap());
        String token = kept.remove("access_token");
        kept.remove("async");
        // when to send is the outbox's, not a task field of the action's route
        kept.remove(SendTimes.FIELD);
        SendTimes.Due due = exchange.getVariable(SendTimes.VARIABLE, SendTimes.Due.class);
        if (due == null) {
            due = new SendTimes.Due(sendTimes.now(), null);
        }
        String id = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO outbox (id, caller, action, "
                + "fields_json, token_encrypted, callback_url, state, created_at, updated_at, send_at, deferred) "
                + "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, action.caller());
            s.setString(3, fields.action());
            s.setString(4, mapper.writeValueAsString(kept));
            s.setString(5, token == null || token.isBlank() ? null : secrets.encrypt(token));
            s.setString(6, callback == null ? null : callback.strip());
            s.setTimestamp(7, now);
            s.setTimestamp(8, now);
            s.setTimestamp(9, Timestamp.from(due.at()));
            s.setString(10, due.deferred());
            s.executeUpdate();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("action_id", id);
        answer.put("state", state("queued", due.at()));
        if (fields.get(SendTimes.FIELD) != null || due.deferred() != null) {
            answer.put("send_at", DateTimeFormatter.ISO_INSTANT.format(due.at()));
        }
        if (due.deferred() != null) {
            answer.put("deferred", due.deferred());
        }
        answer.put("status_url", "/api/v1/actions/" + id);
        JsonAnswer.send(exchange, 202, answer);
        exchange.getMessage().setHeader("Location", "/api/v1/actions/" + id);
    }

    /**
     * Worker: claims up to a batch of queued actions that are due by the runtime's clock, the
     * longest due first, for this instance; the body becomes their ids.
     */
    public List<String> claim() throws SQLException {
        List<String> candidates = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id FROM outbox WHERE state = 'queued' AND send_at <= ? ORDER BY send_at, id LIMIT ?")) {
                s.setTimestamp(1, Timestamp.from(sendTimes.now()));
                s.setInt(2, batchSize);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getString(1));
                    }
                }
            }
            List<String> claimed = new ArrayList<>();
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'claimed', claimed_by = ?, claimed_until = ?, "
                    + "updated_at = ? WHERE id = ? AND state = 'queued'")) {
                for (String id : candidates) {
                    s.setString(1, instanceId);
                    s.setTimestamp(2, Timestamp.from(Instant.now().plus(lease)));
                    s.setTimestamp(3, now);
                    s.setString(4, id);
                    if (s.executeUpdate() == 1) {
                        claimed.add(id);
                    }
                }
            }
            return claimed;
        }
    }

    /**
     * Worker: the claimed action's fields (token decrypted) as the body for wati-action, sent as its
     * caller's. An action whose token no key decrypts cannot be sent: it becomes a dead letter (the
     * token kept, so adding its key to wati.secret-key.previous makes it replayable) and the body null.
     */
    public void prepare(Exchange exchange) throws Exception {
        String id = exchange.getMessage().getBody(String.class);
        String fieldsJson;
        String tokenEncrypted;
        String caller;
        String action;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT fields_json, token_encrypted, caller, action FROM outbox WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                fieldsJson = rs.getString(1);
                tokenEncrypted = rs.getString(2);
                caller = rs.getString(3);
                action = rs.getString(4);
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>(mapper.readValue(fieldsJson, new TypeReference<Map<String, Object>>() {
        }));
        exchange.getMessage().removeHeaders("*");
        if (tokenEncrypted != null) {
            try {
                fields.put("access_token", secrets.decrypt(tokenEncrypted));
            } catch (UndecryptableSecretException e) {
                undecryptable(id, caller, action, fieldsJson, tokenEncrypted, e);
                exchange.getMessage().setBody(null);
                return;
            }
        }
        exchange.setVariable(VARIABLE, id);
        exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, caller);
        exchange.getMessage().setBody(fields);
    }

    /** The row is dead, with the reason as its result (409), and kept as a dead letter of its caller. */
    private void undecryptable(String id, String caller, String action, String fieldsJson, String tokenEncrypted,
            UndecryptableSecretException e) throws Exception {
        String taskId = new ActionFields(mapper.readValue(fieldsJson, new TypeReference<Map<String, String>>() {
        })).taskId();
        TaskResult result = new TaskResult(taskId, false, e.getMessage(), null, 409);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'dead', "
                + "result_status = ?, result_json = ?, updated_at = ? WHERE id = ? AND state = 'claimed'")) {
            s.setInt(1, result.httpStatus());
            s.setString(2, mapper.writeValueAsString(result.variables()));
            s.setTimestamp(3, Timestamp.from(Instant.now()));
            s.setString(4, id);
            if (s.executeUpdate() == 1) {
                deadLetters.insert(caller, action, "outbox", fieldsJson, tokenEncrypted, "Async action " + id + " not sent: "
                        + e.getMessage(), result.httpStatus(), 0);
            }
        }
    }

    /**
     * Worker, after prepare: a template of an account inside its quiet hours now (the runtime was
     * down until the window began, or the row was requeued into it) goes back to the queue, due at
     * the window's end: not sent now, not dropped. The body becomes null (nothing to send).
     */
    public void deferIfQuiet(Exchange exchange) throws SQLException {
        String id = exchange.getVariable(VARIABLE, String.class);
        Map<?, ?> body = exchange.getMessage().getBody(Map.class);
        if (id == null || body == null) {
            return;
        }
        ActionFields fields = reader.read(withoutSendAt(body));
        SendTimes.Due due = sendTimes.due(fields, fields.get("account"));
        if (!due.laterThan(sendTimes.now())) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'queued', "
                + "claimed_by = NULL, claimed_until = NULL, send_at = ?, deferred = ?, updated_at = ? WHERE id = ? AND state = 'claimed'")) {
            s.setTimestamp(1, Timestamp.from(due.at()));
            s.setString(2, due.deferred());
            s.setTimestamp(3, Timestamp.from(Instant.now()));
            s.setString(4, id);
            s.executeUpdate();
        }
        LOG.info("Async action {} deferred to {}: {}", id, DateTimeFormatter.ISO_INSTANT.format(due.at()), due.deferred());
        exchange.getMessage().setBody(null);
    }

    /** The kept fields have no send_at (accept removed it): a route file's own field of that name is not read as one. */
    private static Map<?, ?> withoutSendAt(Map<?, ?> fields) {
        Map<Object, Object> copy = new LinkedHashMap<>(fields);
        copy.remove(SendTimes.FIELD);
        return copy;
    }

    /**
     * The async actions not done, by state (the metrics' gauge): {@code scheduled} (queued, not due yet by the runtime's
     * clock), {@code queued} (due), {@code claimed}, {@code sending}. One query on the index by state and send_at;
     * done and dead rows are not read.
     */
    public Map<String, Long> backlog() throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT state, COUNT(*), "
                + "SUM(CASE WHEN send_at > ? THEN 1 ELSE 0 END) FROM outbox WHERE state IN ('queued', 'claimed', 'sending') GROUP BY state")) {
            s.setTimestamp(1, Timestamp.from(sendTimes.now()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String state = rs.getString(1);
                    long notDue = "queued".equals(state) ? rs.getLong(3) : 0;
                    counts.put(state, rs.getLong(2) - notDue);
                    if (notDue > 0) {
                        counts.put("scheduled", notDue);
                    }
                }
            }
        }
        return counts;
    }

    /** The state shown for a row in {@code state} due at {@code sendAt}: a queued one not due yet is {@code scheduled}. */
    private String state(String state, Instant sendAt) {
        return "queued".equals(state) && sendAt.isAfter(sendTimes.now()) ? "scheduled" : state;
    }

    /** In wati-http, just before WATI is called: from here on a crash means "outcome unknown". */
    public void markSending(Exchange exchange) throws SQLException {
        String id = exchange.getVariable(VARIABLE, String.class);
        if (id == null) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE outbox SET state = 'sending', updated_at = ? WHERE id = ? AND state = 'claimed'")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setString(2, id);
            s.executeUpdate();
        }
    }

    /** Worker: the task result is stored (state done) and sent to the callback URL, if any. */
    public void finish(Exchange exchange) throws Exception {
        String id = exchange.getVariable(VARIABLE, String.class);
        TaskResult result = Action.of(exchange).result();
        String callback;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'done', result_status = ?, result_json = ?, "
                    + "updated_at = ? WHERE id = ?")) {
                s.setInt(1, result.httpStatus());
                s.setString(2, mapper.writeValueAsString(result.variables()));
                s.setTimestamp(3, Timestamp.from(Instant.now()));
                s.setString(4, id);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT callback_url FROM outbox WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    callback = rs.next() ? rs.getString(1) : null;
                }
            }
        }
        if (callback != null) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("action_id", id);
            payload.putAll(result.variables());
            notifications.send("Callback for action " + id, URI.create(callback), payload);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    /** The outbox-recovery route: the first run recovers this instance's previous life, later runs expired leases. */
    public void recoverNow() throws SQLException {
        recover(started.compareAndSet(false, true));
    }

    /**
     * At start (rows of this instance's previous life) and periodically (expired leases of any
     * instance): claimed rows go back to the queue, sending rows become dead letters.
     */
    public int recover(boolean atStart) throws SQLException {
        int recovered = 0;
        String condition = atStart ? "claimed_by = ?" : "claimed_until < ?";
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'queued', claimed_by = NULL, claimed_until = NULL "
                    + "WHERE state = 'claimed' AND " + condition)) {
                bindCondition(s, atStart);
                recovered += s.executeUpdate();
            }
            List<String[]> unknown = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, action, fields_json, token_encrypted, caller FROM outbox "
                    + "WHERE state = 'sending' AND " + condition)) {
                bindCondition(s, atStart);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        unknown.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
                    }
                }
            }
            for (String[] row : unknown) {
                try (PreparedStatement s = c.prepareStatement("UPDATE outbox SET state = 'dead', updated_at = ? WHERE id = ? AND state = 'sending'")) {
                    s.setTimestamp(1, Timestamp.from(Instant.now()));
                    s.setString(2, row[0]);
                    if (s.executeUpdate() == 1) {
                        deadLetters.insert(row[4], row[1], "outbox", row[2], row[3],
                                "Outcome unknown: the runtime stopped while sending async action " + row[0]
                                        + "; check WATI before replaying", 502, 1);
                        recovered++;
                    }
                }
            }
        }
        if (recovered > 0) {
            LOG.warn("Outbox recovery: {} action(s) requeued or dead-lettered", recovered);
        }
        return recovered;
    }

    private void bindCondition(PreparedStatement s, boolean atStart) throws SQLException {
        if (atStart) {
            s.setString(1, instanceId);
        } else {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
        }
    }

    /**
     * GET /api/v1/actions/{id}: state ({@code scheduled} while a queued action is not due yet), when it is due
     * ({@code send_at}) and why later than asked ({@code deferred}), and once done the three task variables;
     * another caller's action is not found.
     */
    public void status(Exchange exchange) throws Exception {
        String id = exchange.getMessage().getHeader("id", String.class);
        boolean seesAll = owners.seesAll(exchange);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, caller, action, state, result_status, result_json, created_at, updated_at, send_at, deferred FROM outbox WHERE id = ?"
                        + (seesAll ? "" : " AND caller = ?"))) {
            s.setString(1, id);
            if (!seesAll) {
                s.setString(2, owners.caller(exchange));
            }
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    JsonAnswer.error(exchange, 404, "No action with this id");
                    return;
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("action_id", rs.getString("id"));
                answer.put("caller", rs.getString("caller"));
                answer.put("wati_action", rs.getString("action"));
                Instant sendAt = rs.getTimestamp("send_at").toInstant();
                answer.put("state", state(rs.getString("state"), sendAt));
                answer.put("send_at", DateTimeFormatter.ISO_INSTANT.format(sendAt));
                answer.put("deferred", rs.getString("deferred"));
                answer.put("http_status", rs.getObject("result_status"));
                answer.put("result", rs.getString("result_json") == null ? null : mapper.readTree(rs.getString("result_json")));
                answer.put("created_at", DateTimeFormatter.ISO_INSTANT.format(rs.getTimestamp("created_at").toInstant()));
                answer.put("updated_at", DateTimeFormatter.ISO_INSTANT.format(rs.getTimestamp("updated_at").toInstant()));
                JsonAnswer.send(exchange, 200, answer);
            }
        }
    }

}
