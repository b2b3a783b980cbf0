package io.waticamel.campaigns;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.campaigns.CampaignRequest.Mode;
import io.waticamel.campaigns.CampaignRequest.Recipient;
import io.waticamel.events.Rows;
import io.waticamel.wati.WatiCredentials;

/**
 * The campaign tables (migrations V8, V12): campaigns, their recipients, and the batches workers claim.
 * Every change a worker makes holds only while its claim does (the batch's claim_token), so a worker
 * whose claim ran out cannot undo what another instance did since; a recipient is marked
 * {@code sending} before WATI is called and is never sent again after that, whatever happens.
 * A batch is claimed only once it is due (its campaign's {@code send_at}, then the end of the quiet
 * hours its recipients wait out), judged by the runtime's clock; claim leases stay on the wall
 * clock, since other instances judge them.
 */
public class CampaignStore {

    /** A claimed batch: what one worker sends. */
    public record BatchRef(String campaignId, int batchNo, String token) {
    }

    /** A campaign's settings as stored (token still encrypted). */
    public record Campaign(String id, String caller, String account, String endpoint, String tokenEncrypted, String templateName,
            String broadcastName, Mode mode, String status, Instant sendAt, String quietHours, String timeZone) {
    }

    /**
     * A recipient still to be sent in a claimed batch: its own time zone (or null), and while it waits out quiet
     * hours, until when ({@code deferredUntil}, else null).
     */
    public record Pending(int seq, String number, Map<String, String> parameters, String localMessageId, String timeZone,
            Instant deferredUntil) {
    }

    /** What became of a recipient that was being sent. */
    public record Outcome(int seq, String status, String reason) {
    }

    static final String PENDING = "pending";
    /** Pending, waiting out quiet hours until deferred_until (shown as pending, and counted as deferred too). */
    static final String DEFERRED = "deferred";
    /** A running campaign whose send_at has not come yet, as its status shows it (stored as running). */
    static final String SCHEDULED = "scheduled";
    static final String SENDING = "sending";
    static final String SENT = "sent";
    static final String FAILED = "failed";
    static final String SKIPPED = "skipped";
    static final String UNKNOWN = "unknown";
    private static final int INSERT_BATCH = 1000;
    private static final TypeReference<LinkedHashMap<String, String>> PARAMETERS = new TypeReference<>() {
    };

    private final DataSource db;
    private final String instanceId;
    /** This process's life: its claims are "instance/life/uuid", so a restart frees the claims of its earlier lives only. */
    private final String life = UUID.randomUUID().toString();
    private final Duration lease;
    /** The runtime's clock (bean watiClock): what is due, and whether a campaign is still scheduled. */
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    public CampaignStore(DataSource db, String instanceId, Duration lease, Clock clock) {
        this.db = db;
        this.instanceId = instanceId;
        this.lease = lease;
        this.clock = clock;
    }

    /**
     * Stores the campaign, every recipient and the batches, in one transaction: when this returns, nothing of the
     * campaign can be lost. Recipients to send are numbered into batches of {@code batchSize} in the caller's order;
     * the batches are due at the schedule's send_at (none: now).
     */
    public String create(String caller, WatiCredentials credentials, String tokenEncrypted, CampaignRequest request, CampaignSchedule schedule,
            int batchSize) throws SQLException {
        String id = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        Timestamp due = Timestamp.from(schedule.sendAt() != null ? schedule.sendAt() : clock.instant());
        try (Connection c = db.getConnection()) {
            inTransaction(c, () -> {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO campaigns (id, caller, account, endpoint, token_encrypted, "
                        + "template_name, broadcast_name, mode, status, total, created_at, updated_at, send_at, quiet_hours, time_zone) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, id);
                    s.setString(2, caller);
                    s.setString(3, credentials.account());
                    s.setString(4, credentials.endpoint().toString());
                    s.setString(5, tokenEncrypted);
                    s.setString(6, request.templateName());
                    s.setString(7, request.broadcastName());
                    s.setString(8, request.mode().label());
                    s.setInt(9, request.recipients().size());
                    s.setTimestamp(10, now);
                    s.setTimestamp(11, now);
                    s.setTimestamp(12, schedule.sendAt() == null ? null : Timestamp.from(schedule.sendAt()));
                    s.setString(13, schedule.window());
                    s.setString(14, schedule.timeZone() == null ? null : schedule.timeZone().getId());
                    s.executeUpdate();
                }
                int batches = 0;
                int inBatch = 0;
                try (PreparedStatement s = c.prepareStatement("INSERT INTO campaign_recipients (campaign_id, seq, batch_no, number, "
                        + "parameters_json, status, reason, local_message_id, updated_at, time_zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    int queued = 0;
                    for (Recipient r : request.recipients()) {
                        boolean send = r.skipReason() == null;
                        if (send && (batches == 0 || inBatch == batchSize)) {
                            batches++;
                            inBatch = 0;
                        }
                        s.setString(1, id);
                        s.setInt(2, r.seq());
                        if (send) {
                            inBatch++;
                            s.setInt(3, batches);
                        } else {
                            s.setNull(3, java.sql.Types.INTEGER);
                        }
                        s.setString(4, r.number() == null ? "" : Rows.cut(r.number(), 64));
                        s.setString(5, json(r.parameters()));
                        s.setString(6, send ? PENDING : SKIPPED);
                        s.setString(7, send ? null : Rows.cut(r.skipReason(), 1024));
                        s.setString(8, send && request.mode() == Mode.BULK ? UUID.randomUUID().toString() : null);
                        s.setTimestamp(9, now);
                        s.setString(10, r.timeZone() == null ? null : Rows.cut(r.timeZone(), 64));
                        s.addBatch();
                        if (++queued % INSERT_BATCH == 0) {
                            s.executeBatch();
                        }
                    }
                    s.executeBatch();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO campaign_batches (campaign_id, batch_no, state, attempts, due_at) "
                        + "VALUES (?, ?, 'pending', 0, ?)")) {
                    for (int b = 1; b <= batches; b++) {
                        s.setString(1, id);
                        s.setInt(2, b);
                        s.setTimestamp(3, due);
                        s.addBatch();
                        if (b % INSERT_BATCH == 0) {
                            s.executeBatch();
                        }
                    }
                    s.executeBatch();
                }
                return null;
            });
        }
        return id;
    }

    /**
     * Up to {@code limit} pending batches of running campaigns that are due (by the runtime's clock), oldest campaign
     * first, each claimed for this worker.
     */
    public List<BatchRef> claim(int limit) throws SQLException {
        List<String[]> candidates = new ArrayList<>();
        List<BatchRef> claimed = new ArrayList<>();
        Timestamp dueBy = Timestamp.from(clock.instant());
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT b.campaign_id, b.batch_no FROM campaign_batches b JOIN campaigns c "
                    + "ON c.id = b.campaign_id WHERE b.state = 'pending' AND b.due_at <= ? AND c.status = 'running' ORDER BY c.created_at, "
                    + "b.campaign_id, b.batch_no LIMIT ?")) {
                s.setTimestamp(1, dueBy);
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(new String[] {rs.getString(1), Integer.toString(rs.getInt(2))});
                    }
                }
            }
            if (candidates.isEmpty()) {
                return claimed;
            }
            inTransaction(c, () -> {
                try (PreparedStatement s = c.prepareStatement("UPDATE campaign_batches SET state = 'claimed', claim_token = ?, "
                        + "claimed_until = ?, attempts = attempts + 1 WHERE campaign_id = ? AND batch_no = ? AND state = 'pending' "
                        + "AND due_at <= ?")) {
                    Timestamp until = Timestamp.from(Instant.now().plus(lease));
                    // another instance may have taken some: only the rows this update changed are this worker's
                    for (String[] candidate : candidates) {
                        String token = Rows.cut(instanceId, 200) + "/" + life + "/" + UUID.randomUUID();
                        s.setString(1, token);
                        s.setTimestamp(2, until);
                        s.setString(3, candidate[0]);
                        s.setInt(4, Integer.parseInt(candidate[1]));
                        s.setTimestamp(5, dueBy);
                        if (s.executeUpdate() == 1) {
                            claimed.add(new BatchRef(candidate[0], Integer.parseInt(candidate[1]), token));
                        }
                    }
                }
                return null;
            });
        }
        return claimed;
    }

    public Campaign campaign(String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, caller, account, endpoint, "
                + "token_encrypted, template_name, broadcast_name, mode, status, send_at, quiet_hours, time_zone FROM campaigns WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Campaign(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), Mode.of(rs.getString(8)), rs.getString(9), instant(rs.getTimestamp(10)), rs.getString(11),
                        rs.getString(12));
            }
        }
    }

    /** The batch's recipients not yet sent (also those deferred by quiet hours), in order. */
    public List<Pending> pending(BatchRef batch) throws SQLException {
        List<Pending> pending = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT seq, number, parameters_json, "
                + "local_message_id, time_zone, status, deferred_until FROM campaign_recipients WHERE campaign_id = ? AND batch_no = ? "
                + "AND status IN ('pending', 'deferred') ORDER BY seq")) {
            s.setString(1, batch.campaignId());
            s.setInt(2, batch.batchNo());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pending.add(new Pending(rs.getInt(1), rs.getString(2), readParameters(rs.getString(3)), rs.getString(4), rs.getString(5),
                            DEFERRED.equals(rs.getString(6)) ? instant(rs.getTimestamp(7)) : null));
                }
            }
        }
        return pending;
    }

    /**
     * While the claim is this worker's: each listed recipient waits out quiet hours until the given instant (status
     * deferred), or (null) is due again (pending). A deferred recipient is never in a bulk call, nor made unknown by a
     * crash: it is simply sent later.
     */
    public void defer(BatchRef batch, Map<Integer, Instant> until) throws SQLException {
        if (until.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = ?, "
                + "deferred_until = ?, updated_at = ? WHERE campaign_id = ? AND seq = ? AND status IN ('pending', 'deferred') AND "
                + CLAIM_HELD)) {
            for (Map.Entry<Integer, Instant> d : until.entrySet()) {
                s.setString(1, d.getValue() == null ? PENDING : DEFERRED);
                s.setTimestamp(2, d.getValue() == null ? null : Timestamp.from(d.getValue()));
                s.setTimestamp(3, now);
                s.setString(4, batch.campaignId());
                s.setInt(5, d.getKey());
                claimHeld(s, 6, batch);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private String json(Map<String, String> parameters) {
        try {
            return mapper.writeValueAsString(parameters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Parameters cannot be written as JSON", e);
        }
    }

    private Map<String, String> readParameters(String json) {
        try {
            return mapper.readValue(json, PARAMETERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored parameters are not JSON", e);
        }
    }

    /**
     * Just before WATI is called, after the account's throttle turn: while the campaign is still running and the claim
     * still this worker's, the claim is renewed and the recipient {@code seq} becomes {@code sending}, or (null) the
     * batch is marked as sending its bulk call. False when the campaign was paused or cancelled, or the claim lost:
     * nothing is sent.
     */
    public boolean beginSending(BatchRef batch, Integer seq) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection()) {
            return inTransaction(c, () -> {
                // the campaign's row is locked first, as pause and cancel lock it: a cancel either comes before (and this
                // sees it) or waits for this mark (and leaves what it marks to this send)
                try (PreparedStatement s = c.prepareStatement("SELECT status FROM campaigns WHERE id = ? FOR UPDATE")) {
                    s.setString(1, batch.campaignId());
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next() || !"running".equals(rs.getString(1))) {
                            return false;
                        }
                    }
                }
                // a bulk call marks its batch (its pending recipients are all in the call), a single send its recipient
                try (PreparedStatement s = c.prepareStatement("UPDATE campaign_batches SET claimed_until = ?"
                        + (seq == null ? ", sending = TRUE" : "") + " WHERE campaign_id = ? AND batch_no = ? AND claim_token = ? "
                        + "AND state = 'claimed'")) {
                    s.setTimestamp(1, Timestamp.from(now.toInstant().plus(lease)));
                    s.setString(2, batch.campaignId());
                    s.setInt(3, batch.batchNo());
                    s.setString(4, batch.token());
                    if (s.executeUpdate() != 1) {
                        return false;
                    }
                }
                if (seq != null) {
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = 'sending', updated_at = ? "
                            + "WHERE campaign_id = ? AND seq = ? AND status = 'pending'")) {
                        s.setTimestamp(1, now);
                        s.setString(2, batch.campaignId());
                        s.setInt(3, seq);
                        if (s.executeUpdate() != 1) {
                            return false; // settled meanwhile: not sent
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE campaigns SET started_at = ?, updated_at = ? WHERE id = ? "
                        + "AND started_at IS NULL")) {
                    s.setTimestamp(1, now);
                    s.setTimestamp(2, now);
                    s.setString(3, batch.campaignId());
                    s.executeUpdate();
                }
                return true;
            });
        }
    }

    /**
     * The outcomes of recipients that were being sent, while the claim is this worker's: each listed one gets its own,
     * and with {@code rest} every other recipient of the batch not yet settled gets that status (a bulk call's
     * receivers WATI did not refuse).
     */
    public void outcomes(BatchRef batch, List<Outcome> outcomes, Outcome rest) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection()) {
            inTransaction(c, () -> {
                if (!outcomes.isEmpty()) {
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = ?, reason = ?, updated_at = ? "
                            + "WHERE campaign_id = ? AND seq = ? AND status IN ('sending', 'pending') AND " + CLAIM_HELD)) {
                        for (Outcome o : outcomes) {
                            s.setString(1, o.status());
                            s.setString(2, Rows.cut(o.reason(), 1024));
                            s.setTimestamp(3, now);
                            s.setString(4, batch.campaignId());
                            s.setInt(5, o.seq());
                            claimHeld(s, 6, batch);
                            s.addBatch();
                        }
                        s.executeBatch();
                    }
                }
                if (rest != null) {
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = ?, reason = ?, updated_at = ? "
                            + "WHERE campaign_id = ? AND batch_no = ? AND status IN ('sending', 'pending') AND " + CLAIM_HELD)) {
                        s.setString(1, rest.status());
                        s.setString(2, Rows.cut(rest.reason(), 1024));
                        s.setTimestamp(3, now);
                        s.setString(4, batch.campaignId());
                        s.setInt(5, batch.batchNo());
                        claimHeld(s, 6, batch);
                        s.executeUpdate();
                    }
                }
                return null;
            });
        }
    }

    /** Database work of one connection, done as one transaction. */
    private interface Work<T> {
        T run() throws SQLException;
    }

    /** The work as one transaction of {@code c}: committed when it returns (also early, having changed nothing), rolled back when it throws. */
    private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** A condition on a recipient row: its batch is still claimed by this worker. */
    private static final String CLAIM_HELD = "EXISTS (SELECT 1 FROM campaign_batches b WHERE b.campaign_id = ? AND b.batch_no = ? "
            + "AND b.claim_token = ?)";

    private static void claimHeld(PreparedStatement s, int first, BatchRef batch) throws SQLException {
        s.setString(first, batch.campaignId());
        s.setInt(first + 1, batch.batchNo());
        s.setString(first + 2, batch.token());
    }

    /** A recipient refused before WATI was called (opted out since, invalid for WATI's rules): its final status. */
    public void settle(BatchRef batch, int seq, String status, String reason) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = ?, "
                + "reason = ?, updated_at = ? WHERE campaign_id = ? AND seq = ? AND status IN ('pending', 'deferred') AND " + CLAIM_HELD)) {
            s.setString(1, status);
            s.setString(2, Rows.cut(reason, 1024));
            s.setTimestamp(3, Timestamp.from(Instant.now()));
            s.setString(4, batch.campaignId());
            s.setInt(5, seq);
            claimHeld(s, 6, batch);
            s.executeUpdate();
        }
    }

    /**
     * The worker is through with the batch: {@code done} when none of its recipients is pending any more, else
     * pending again for a later claim, due when its first recipient is: at once (paused, throttled) or at the earliest
     * end of the quiet hours its deferred recipients wait out. Only while the claim is this worker's.
     */
    public void release(BatchRef batch) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE campaign_batches SET state = "
                + "CASE WHEN EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = ? AND r.batch_no = ? "
                + "AND r.status IN ('pending', 'deferred')) THEN 'pending' ELSE 'done' END, "
                + "due_at = COALESCE((SELECT MIN(CASE WHEN r.status = 'deferred' THEN r.deferred_until ELSE ? END) FROM campaign_recipients r "
                + "WHERE r.campaign_id = ? AND r.batch_no = ? AND r.status IN ('pending', 'deferred')), due_at), "
                + "claim_token = NULL, claimed_until = NULL, sending = FALSE WHERE campaign_id = ? AND batch_no = ? AND claim_token = ?")) {
            s.setString(1, batch.campaignId());
            s.setInt(2, batch.batchNo());
            s.setTimestamp(3, Timestamp.from(clock.instant()));
            s.setString(4, batch.campaignId());
            s.setInt(5, batch.batchNo());
            s.setString(6, batch.campaignId());
            s.setInt(7, batch.batchNo());
            s.setString(8, batch.token());
            s.executeUpdate();
        }
    }

    /** Whether this call finished the campaign (all batches done while it ran): exactly one caller gets true. */
    public boolean finishIfDone(String campaignId) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE campaigns SET status = 'finished', "
                + "finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND NOT EXISTS (SELECT 1 FROM campaign_batches "
                + "WHERE campaign_id = ? AND state <> 'done')")) {
            s.setTimestamp(1, now);
            s.setTimestamp(2, now);
            s.setString(3, campaignId);
            s.setString(4, campaignId);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Claims of a dead worker: this instance's from before a restart ({@code atStart}: its earlier lives'), or any whose
     * lease ran out.
     * Recipients that were being sent become {@code unknown} (WATI may have sent them: never again); the batch goes
     * back to pending for its recipients not yet sent. The campaigns touched, for a finish check.
     */
    public List<String> recover(boolean atStart) throws SQLException {
        List<String[]> lost = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT campaign_id, batch_no, claim_token, sending FROM campaign_batches WHERE state = "
                    + "'claimed' AND " + (atStart ? "claim_token LIKE ? AND claim_token NOT LIKE ?" : "claimed_until < ?"))) {
                if (atStart) {
                    // this instance's earlier lives, not claims this life may already have made
                    String own = Rows.cut(instanceId, 200).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/";
                    s.setString(1, own + "%");
                    s.setString(2, own + life + "/%");
                } else {
                    s.setTimestamp(1, Timestamp.from(Instant.now()));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        lost.add(new String[] {rs.getString(1), Integer.toString(rs.getInt(2)), rs.getString(3), Boolean.toString(rs.getBoolean(4))});
                    }
                }
            }
            List<String> campaigns = new ArrayList<>();
            Timestamp now = Timestamp.from(Instant.now());
            for (String[] batch : lost) {
                boolean taken = inTransaction(c, () -> {
                    int batchNo = Integer.parseInt(batch[1]);
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_batches SET state = 'pending', claim_token = NULL, "
                            + "claimed_until = NULL, sending = FALSE WHERE campaign_id = ? AND batch_no = ? AND claim_token = ?")) {
                        s.setString(1, batch[0]);
                        s.setInt(2, batchNo);
                        s.setString(3, batch[2]);
                        if (s.executeUpdate() != 1) {
                            return false; // taken back by another instance meanwhile
                        }
                    }
                    // a single send under way, or every recipient of a bulk call that may have reached WATI
                    boolean bulkSending = Boolean.parseBoolean(batch[3]);
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = 'unknown', reason = ?, "
                            + "updated_at = ? WHERE campaign_id = ? AND batch_no = ? AND status "
                            + (bulkSending ? "IN ('sending', 'pending')" : "= 'sending'"))) {
                        s.setString(1, "The runtime stopped while this was being sent: WATI may or may not have sent it, so it is not "
                                + "sent again (its status events, if any, still count)");
                        s.setTimestamp(2, now);
                        s.setString(3, batch[0]);
                        s.setInt(4, batchNo);
                        s.executeUpdate();
                    }
                    return true;
                });
                if (taken) {
                    campaigns.add(batch[0]);
                }
            }
            return campaigns;
        }
    }

    /**
     * A status event for a bulk receiver (matched by its localMessageId, which only a call that reached WATI carries): a
     * failure makes the recipient failed; any other status shows it was sent (also when WATI's answer to its call is
     * not in yet, or a crash left it unknown).
     */
    public int statusEvent(String localMessageId, boolean failed, String reason) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(failed
                ? "UPDATE campaign_recipients SET status = 'failed', reason = ?, updated_at = ? WHERE local_message_id = ? "
                        + "AND status IN ('sent', 'unknown', 'sending', 'pending')"
                : "UPDATE campaign_recipients SET status = 'sent', reason = ?, updated_at = ? WHERE local_message_id = ? "
                        + "AND status IN ('unknown', 'sending', 'pending')")) {
            s.setString(1, Rows.cut(reason, 1024));
            s.setTimestamp(2, Timestamp.from(Instant.now()));
            s.setString(3, localMessageId);
            return s.executeUpdate();
        }
    }

    /** Running or paused to {@code to}; false when the campaign is not in {@code from}. Cancel also skips what is pending. */
    public boolean changeStatus(String id, List<String> from, String to) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.getConnection()) {
            return inTransaction(c, () -> {
                try (PreparedStatement s = c.prepareStatement("UPDATE campaigns SET status = ?, updated_at = ?"
                        + ("cancelled".equals(to) ? ", finished_at = ?" : ", finished_at = finished_at") + " WHERE id = ? AND status IN ("
                        + String.join(", ", from.stream().map(f -> "?").toList()) + ")")) {
                    int i = 1;
                    s.setString(i++, to);
                    s.setTimestamp(i++, now);
                    if ("cancelled".equals(to)) {
                        s.setTimestamp(i++, now);
                    }
                    s.setString(i++, id);
                    for (String f : from) {
                        s.setString(i++, f);
                    }
                    if (s.executeUpdate() != 1) {
                        return false;
                    }
                }
                if ("cancelled".equals(to)) {
                    // not those of a bulk call under way: they are in it, and its answer settles them (deferred ones never are)
                    try (PreparedStatement s = c.prepareStatement("UPDATE campaign_recipients SET status = 'skipped', reason = "
                            + "'Campaign cancelled', updated_at = ? WHERE campaign_id = ? AND (status = 'deferred' OR status = 'pending' "
                            + "AND NOT EXISTS (SELECT 1 FROM campaign_batches b WHERE b.campaign_id = campaign_recipients.campaign_id "
                            + "AND b.batch_no = campaign_recipients.batch_no AND b.sending = TRUE))")) {
                        s.setTimestamp(1, now);
                        s.setString(2, id);
                        s.executeUpdate();
                    }
                }
                return true;
            });
        }
    }

    /** A campaign's status as the caller sees it: a running one whose send_at has not come yet is {@code scheduled}. */
    String shownStatus(String status, Timestamp sendAt) {
        return "running".equals(status) && sendAt != null && sendAt.toInstant().isAfter(clock.instant()) ? SCHEDULED : status;
    }

    /** The campaign as GET /api/v1/campaigns/{id} shows it, or null when it is not there (or not this caller's). */
    public Map<String, Object> summary(String id, String caller) throws SQLException {
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            Instant started;
            Instant finished;
            String status;
            try (PreparedStatement s = c.prepareStatement("SELECT id, caller, account, template_name, broadcast_name, mode, status, total, "
                    + "created_at, started_at, finished_at, send_at, quiet_hours, time_zone FROM campaigns WHERE id = ?"
                    + (caller == null ? "" : " AND caller = ?"))) {
                s.setString(1, id);
                if (caller != null) {
                    s.setString(2, caller);
                }
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    summary.put("id", rs.getString("id"));
                    summary.put("caller", rs.getString("caller"));
                    summary.put("account", rs.getString("account"));
                    summary.put("template_name", rs.getString("template_name"));
                    summary.put("broadcast_name", rs.getString("broadcast_name"));
                    summary.put("mode", rs.getString("mode"));
                    status = rs.getString("status");
                    summary.put("status", shownStatus(status, rs.getTimestamp("send_at")));
                    summary.put("send_at", Rows.instant(rs.getTimestamp("send_at")));
                    summary.put("quiet_hours", rs.getString("quiet_hours"));
                    summary.put("time_zone", rs.getString("time_zone"));
                    summary.put("total", rs.getInt("total"));
                    summary.put("created_at", Rows.instant(rs.getTimestamp("created_at")));
                    started = rs.getTimestamp("started_at") == null ? null : rs.getTimestamp("started_at").toInstant();
                    finished = rs.getTimestamp("finished_at") == null ? null : rs.getTimestamp("finished_at").toInstant();
                    summary.put("started_at", Rows.instant(rs.getTimestamp("started_at")));
                    summary.put("finished_at", Rows.instant(rs.getTimestamp("finished_at")));
                }
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String name : new String[] {PENDING, SENT, FAILED, SKIPPED, UNKNOWN}) {
                counts.put(name, 0);
            }
            int deferred = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT status, COUNT(*) FROM campaign_recipients WHERE campaign_id = ? GROUP BY status")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        // a recipient being sent has no outcome yet, a deferred one waits: both are still pending for the caller
                        String shown = SENDING.equals(rs.getString(1)) || DEFERRED.equals(rs.getString(1)) ? PENDING : rs.getString(1);
                        counts.merge(shown, rs.getInt(2), Integer::sum);
                        deferred += DEFERRED.equals(rs.getString(1)) ? rs.getInt(2) : 0;
                    }
                }
            }
            summary.putAll(counts);
            // of the pending, those waiting out quiet hours; and when the next of what waits is due
            summary.put("deferred", deferred);
            summary.put("next_send_at", "running".equals(status) || "paused".equals(status) ? nextDue(c, id) : null);
            int done = counts.get(SENT) + counts.get(FAILED) + counts.get(UNKNOWN);
            Instant until = finished != null ? finished : Instant.now();
            double seconds = started == null ? 0 : Math.max(0.001, Duration.between(started, until).toMillis() / 1000.0);
            summary.put("rate_per_second", seconds == 0 ? 0 : Math.round(done / seconds * 10) / 10.0);
        }
        return summary;
    }

    /** The earliest due time of a campaign's pending batches when it is still to come (scheduled, or all deferred); else null. */
    private String nextDue(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT MIN(due_at) FROM campaign_batches WHERE campaign_id = ? AND state = 'pending'")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                Timestamp due = rs.next() ? rs.getTimestamp(1) : null;
                return due != null && due.toInstant().isAfter(clock.instant()) ? Rows.instant(due) : null;
            }
        }
    }

    /** Campaign ids of a caller (null: all), newest first. */
    public List<Map<String, Object>> list(String caller, int page, int size) throws SQLException {
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("caller = ?", caller);
        return Rows.page(db, "SELECT id, account, template_name, mode, status, send_at, total, created_at, finished_at FROM campaigns", conditions,
                "created_at DESC, id DESC", page, size, rs -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", rs.getString("id"));
                    row.put("account", rs.getString("account"));
                    row.put("template_name", rs.getString("template_name"));
                    row.put("mode", rs.getString("mode"));
                    row.put("status", shownStatus(rs.getString("status"), rs.getTimestamp("send_at")));
                    row.put("send_at", Rows.instant(rs.getTimestamp("send_at")));
                    row.put("total", rs.getInt("total"));
                    row.put("created_at", Rows.instant(rs.getTimestamp("created_at")));
                    row.put("finished_at", Rows.instant(rs.getTimestamp("finished_at")));
                    return row;
                });
    }

    /**
     * A page of a campaign's recipients in order, optionally of one status ({@code deferred}: the pending ones waiting out
     * quiet hours), with the delivery status its sends reached.
     */
    public List<Map<String, Object>> recipients(String campaignId, String status, int page, int size) throws SQLException {
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("r.campaign_id = ?", campaignId);
        // a recipient being sent has no outcome yet, a deferred one waits: both are still pending for the caller
        conditions.put(PENDING.equals(status) ? "r.status IN ('pending', 'deferred', ?)" : "r.status = ?", PENDING.equals(status) ? SENDING : status);
        return Rows.page(db, "SELECT r.seq, r.number, r.status, r.reason, r.local_message_id, r.parameters_json, r.updated_at, "
                + "r.time_zone, r.deferred_until, "
                + "(SELECT MAX(m.status) FROM messages m WHERE m.local_message_id = r.local_message_id) AS delivery "
                + "FROM campaign_recipients r", conditions, "r.seq", page, size, rs -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("seq", rs.getInt("seq"));
                    row.put("whatsappNumber", rs.getString("number"));
                    row.put("status", SENDING.equals(rs.getString("status")) || DEFERRED.equals(rs.getString("status")) ? PENDING
                            : rs.getString("status"));
                    row.put("reason", rs.getString("reason"));
                    row.put("parameters", readParameters(rs.getString("parameters_json")));
                    row.put("local_message_id", rs.getString("local_message_id"));
                    row.put("delivery_status", rs.getString("delivery"));
                    row.put("time_zone", rs.getString("time_zone"));
                    row.put("deferred_until", DEFERRED.equals(rs.getString("status")) ? Rows.instant(rs.getTimestamp("deferred_until")) : null);
                    row.put("updated_at", Rows.instant(rs.getTimestamp("updated_at")));
                    return row;
                });
    }
}
