package io.waticamel.reliability;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import io.waticamel.http.JsonAnswer;
import io.waticamel.security.ApiKeyAuthentication;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Idempotency-Key} on POST /api/v1/actions, kept in the database so it holds across restarts
 * and across instances sharing one PostgreSQL: the first request with a key runs; a repeat with the
 * same body gets the stored answer ({@code Idempotent-Replayed: true}) without calling WATI, with
 * another body 422, while the first still runs 409. Keys are scoped to the API key that sent them.
 * A 429 (throttled) answer is not kept, so the caller's retry runs.
 */
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    static final String CLAIMED = "watiIdempotencyKey";
    private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);

    private final DataSource db;
    private final Duration ttl;
    private final Duration runningTimeout;

    public Idempotency(DataSource db, Duration ttl, Duration runningTimeout) {
        this.db = db;
        this.ttl = ttl;
        this.runningTimeout = runningTimeout;
    }

    /** Before the action: claim the key, or answer from what the key already holds and stop the route. */
    public void begin(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String key = in.getHeader(HEADER, String.class);
        if (key == null) {
            return;
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            stop(exchange, 400, "Idempotency-Key must be 1 to 255 visible ASCII characters");
            return;
        }
        byte[] body = in.getBody(byte[].class);
        in.setBody(body);
        String keyHash = sha256(in.getHeader(ApiKeyAuthentication.CALLER_HEADER, "", String.class) + "\n" + key);
        String requestHash = sha256(body == null ? "" : new String(body, StandardCharsets.UTF_8));
        Instant now = Instant.now();
        try (Connection c = db.getConnection()) {
            if (claim(c, keyHash, requestHash, now)) {
                exchange.setVariable(CLAIMED, keyHash);
                return;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT request_hash, state, response_status, response_body, created_at, "
                    + "expires_at FROM idempotency_keys WHERE key_hash = ?")) {
                s.setString(1, keyHash);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        // removed in between (expired or a 429): try once more
                        if (claim(c, keyHash, requestHash, now)) {
                            exchange.setVariable(CLAIMED, keyHash);
                            return;
                        }
                        stop(exchange, 409, "A request with this Idempotency-Key is still running");
                        return;
                    }
                    boolean expired = rs.getTimestamp("expires_at").toInstant().isBefore(now);
                    boolean stale = "running".equals(rs.getString("state"))
                            && rs.getTimestamp("created_at").toInstant().isBefore(now.minus(runningTimeout));
                    if (expired || stale) {
                        if (takeOver(c, keyHash, requestHash, now)) {
                            exchange.setVariable(CLAIMED, keyHash);
                            return;
                        }
                        stop(exchange, 409, "A request with this Idempotency-Key is still running");
                    } else if (!rs.getString("request_hash").equals(requestHash)) {
                        stop(exchange, 422, "This Idempotency-Key was used with a different request body");
                    } else if ("running".equals(rs.getString("state"))) {
                        stop(exchange, 409, "A request with this Idempotency-Key is still running");
                    } else {
                        Message message = exchange.getMessage();
                        message.removeHeaders("*");
                        message.setHeader(Exchange.HTTP_RESPONSE_CODE, rs.getInt("response_status"));
                        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
                        message.setHeader("Idempotent-Replayed", "true");
                        message.setBody(rs.getString("response_body").getBytes(StandardCharsets.UTF_8));
                        exchange.setRouteStop(true);
                    }
                }
            }
        }
    }

    /** After the answer is ready: keep it for repeats (a 429 releases the key instead). */
    public void complete(Exchange exchange) throws SQLException {
        String keyHash = exchange.getVariable(CLAIMED, String.class);
        if (keyHash == null) {
            return;
        }
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        try (Connection c = db.getConnection()) {
            if (status == 429) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM idempotency_keys WHERE key_hash = ?")) {
                    s.setString(1, keyHash);
                    s.executeUpdate();
                }
                return;
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ? WHERE key_hash = ?")) {
                s.setInt(1, status);
                s.setString(2, new String(message.getBody(byte[].class), StandardCharsets.UTF_8));
                s.setString(3, keyHash);
                s.executeUpdate();
            }
        }
    }

    private boolean claim(Connection c, String keyHash, String requestHash, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO idempotency_keys (key_hash, request_hash, state, created_at, "
                + "expires_at) VALUES (?, ?, 'running', ?, ?)")) {
            s.setString(1, keyHash);
            s.setString(2, requestHash);
            s.setTimestamp(3, Timestamp.from(now));
            s.setTimestamp(4, Timestamp.from(now.plus(ttl)));
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return false; // the key exists: a repeat
            }
            throw e;
        }
    }

    /** An expired key, or one whose first request died with its instance, is claimed again (one winner). */
    private boolean takeOver(Connection c, String keyHash, String requestHash, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE idempotency_keys SET request_hash = ?, state = 'running', "
                + "response_status = NULL, response_body = NULL, created_at = ?, expires_at = ? WHERE key_hash = ? "
                + "AND (expires_at < ? OR (state = 'running' AND created_at < ?))")) {
            s.setString(1, requestHash);
            s.setTimestamp(2, Timestamp.from(now));
            s.setTimestamp(3, Timestamp.from(now.plus(ttl)));
            s.setString(4, keyHash);
            s.setTimestamp(5, Timestamp.from(now));
            s.setTimestamp(6, Timestamp.from(now.minus(runningTimeout)));
            boolean won = s.executeUpdate() == 1;
            if (won) {
                LOG.info("Idempotency key taken over (expired, or its first request never finished)");
            }
            return won;
        }
    }

    private static void stop(Exchange exchange, int status, String error) throws Exception {
        JsonAnswer.error(exchange, status, error);
        exchange.setRouteStop(true);
    }

    /** "24h", "30m", "90s", "500ms", "2d" or ISO-8601 ("PT24H"). */
    public static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        }
        String number = t.replaceAll("[a-z]+$", "");
        long n = Long.parseLong(number.strip());
        return switch (t.substring(number.length()).strip()) {
            case "ms" -> Duration.ofMillis(n);
            case "s", "" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("not a duration: " + text);
        };
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
