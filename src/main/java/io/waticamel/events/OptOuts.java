package io.waticamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.pipeline.Action;
import io.waticamel.security.RecordOwners;
import io.waticamel.wati.PhoneNumbers;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-outs (bean {@code optOuts}, table {@code opt_outs}) per account and number. A customer who
 * writes exactly one of the opt-out keywords ({@code wati.opt-out.keywords}) is opted out for that
 * account, one who writes an opt-in keyword is back in; Meta's code 131050 in a failed status opts
 * out too. A template to an opted-out number is refused before WATI is called; session replies
 * (the customer wrote first) are not. Each change carries when it happened, so webhooks arriving
 * out of order cannot undo a newer change.
 */
public class OptOuts {

    /** Meta: "user stopped marketing messages" (in a failed status event). */
    static final String META_STOPPED = "131050";
    private static final Logger LOG = LoggerFactory.getLogger(OptOuts.class);

    private final DataSource db;
    private final Set<String> outKeywords;
    private final Set<String> inKeywords;
    private final Function<String, String> endpoints;
    private final RecordOwners owners;

    /**
     * @param endpoints an account name's configured endpoint (normalised), or null for an unknown account
     */
    public OptOuts(DataSource db, String outKeywords, String inKeywords, Function<String, String> endpoints, RecordOwners owners) {
        this.db = db;
        this.owners = owners;
        this.outKeywords = keywords(outKeywords);
        this.inKeywords = keywords(inKeywords);
        this.endpoints = endpoints;
    }

    static Set<String> keywords(String list) {
        return java.util.Arrays.stream(list == null ? new String[0] : list.split(",")).map(k -> k.strip().toUpperCase(Locale.ROOT))
                .filter(k -> !k.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * In send-template-message (and before an async one is accepted): refused, 403, when the
     * recipient has opted out of the action's account, or of any account with the endpoint the
     * action brings.
     */
    public void check(Exchange exchange) {
        Action action = Action.of(exchange);
        WatiCredentials credentials = action.credentials();
        String number = PhoneNumbers.normalise(action.fields().get("whatsappNumber"));
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT account FROM opt_outs WHERE number = ? "
                + "AND opted_out = TRUE AND (account = ? OR endpoint = ?)")) {
            s.setString(1, number);
            s.setString(2, credentials.account() == null ? "" : credentials.account());
            s.setString(3, credentials.endpoint().toString());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    throw new ActionRejectedException("The recipient has opted out of messages from account '" + rs.getString(1)
                            + "': no template is sent (session replies still are; DELETE /api/v1/opt-outs/{number}?account= to undo)", 403,
                            ActionOutcome.OPTED_OUT);
                }
            }
        } catch (SQLException e) {
            // not knowing is not "allowed": the template is not sent rather than sent to someone who said STOP
            throw new ActionRejectedException("Opt-outs could not be read (database unavailable): no template sent; try again later", 503, ActionOutcome.UNAVAILABLE);
        }
    }

    /**
     * For a campaign: every number opted out of the credentials' account (or of any account with their endpoint),
     * with that account's name, read once instead of once per recipient.
     */
    public Map<String, String> optedOut(WatiCredentials credentials) throws SQLException {
        Map<String, String> numbers = new java.util.HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT number, account FROM opt_outs "
                + "WHERE opted_out = TRUE AND (account = ? OR endpoint = ?)")) {
            s.setString(1, credentials.account() == null ? "" : credentials.account());
            s.setString(2, credentials.endpoint().toString());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    numbers.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return numbers;
    }

    /** In wati-event: an opt-out or opt-in keyword from the customer, or Meta's 131050 in a failed status. */
    public void fromEvent(Exchange exchange) throws SQLException {
        InboundEvent inbound = InboundEvent.of(exchange);
        WatiEvent event = inbound.event();
        Instant at = event.happenedAt(inbound.receivedAt());
        if (event.isCustomerMessage() && event.waId() != null && event.messageText() != null) {
            String word = event.messageText().toUpperCase(Locale.ROOT);
            if (outKeywords.contains(word)) {
                change(inbound.account(), event.waId(), true, "keyword " + word, at);
            } else if (inKeywords.contains(word)) {
                change(inbound.account(), event.waId(), false, "keyword " + word, at);
            }
        } else if (META_STOPPED.equals(event.failedCode()) && event.waId() != null) {
            change(inbound.account(), event.waId(), true, "Meta " + META_STOPPED, at);
        }
    }

    /** Records the change unless a newer one is already recorded; whether it was recorded. */
    boolean change(String account, String number, boolean optedOut, String source, Instant at) throws SQLException {
        Timestamp when = Timestamp.from(at);
        String endpoint = endpoints.apply(account);
        boolean changed;
        try (Connection c = db.getConnection()) {
            // a row that exists is newer than this change when the UPDATE leaves it: nothing to record
            changed = Rows.updateElseInsert(c, u -> {
                try (PreparedStatement s = u.prepareStatement("UPDATE opt_outs SET opted_out = ?, source = ?, changed_at = ?, endpoint = ? "
                        + "WHERE account = ? AND number = ? AND changed_at <= ?")) {
                    s.setBoolean(1, optedOut);
                    s.setString(2, Rows.cut(source, 255));
                    s.setTimestamp(3, when);
                    s.setString(4, endpoint);
                    s.setString(5, account);
                    s.setString(6, number);
                    s.setTimestamp(7, when);
                    return s.executeUpdate();
                }
            }, i2 -> {
                try (PreparedStatement s = i2.prepareStatement("INSERT INTO opt_outs (account, number, endpoint, opted_out, source, changed_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, account);
                    s.setString(2, number);
                    s.setString(3, endpoint);
                    s.setBoolean(4, optedOut);
                    s.setString(5, Rows.cut(source, 255));
                    s.setTimestamp(6, when);
                    return s.executeUpdate();
                }
            });
        }
        if (changed) {
            logChange(account, number, optedOut, source);
        }
        return changed;
    }

    private static void logChange(String account, String number, boolean optedOut, String source) {
        LOG.info("{} {} for account {} ({})", PhoneNumbers.mask(number), optedOut ? "opted out" : "opted in", account, source);
    }

    /** GET /api/v1/opt-outs/{number}?account=: whether the number is opted out, and since when. */
    public void get(Exchange exchange) throws Exception {
        Target target = target(exchange);
        if (target == null) {
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("account", target.account());
        answer.put("number", target.number());
        answer.put("opted_out", false);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT opted_out, source, changed_at FROM opt_outs WHERE account = ? AND number = ?")) {
            s.setString(1, target.account());
            s.setString(2, target.number());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    answer.put("opted_out", rs.getBoolean(1));
                    answer.put("source", rs.getString(2));
                    answer.put("changed_at", DateTimeFormatter.ISO_INSTANT.format(rs.getTimestamp(3).toInstant()));
                }
            }
        }
        JsonAnswer.send(exchange, 200, answer);
    }

    /** PUT: opts the number out (as of now); DELETE: opts it back in. */
    public void put(Exchange exchange) throws Exception {
        set(exchange, true);
    }

    /** Undoing a customer's STOP is for the keys of wati.api-admins (or the only key): 403 for others. */
    public void delete(Exchange exchange) throws Exception {
        if (!owners.seesAll(exchange)) {
            JsonAnswer.error(exchange, 403, "Opting a number back in is for the API keys named in wati.api-admins; "
                    + "the customer can also write START");
            return;
        }
        set(exchange, false);
    }

    private void set(Exchange exchange, boolean optedOut) throws Exception {
        Target target = target(exchange);
        if (target == null) {
            return;
        }
        String caller = exchange.getMessage().getHeader(io.waticamel.security.ApiKeyAuthentication.CALLER_HEADER, "-", String.class);
        change(target.account(), target.number(), optedOut, "API (" + caller + ")", Instant.now());
        get(exchange);
    }

    private record Target(String account, String number) {
    }

    /** The path's number and the query's account, checked; null after a 400 or 404 has been answered. */
    private Target target(Exchange exchange) throws Exception {
        String account;
        String number;
        try {
            account = QueryParameters.of(exchange, "account").text("account");
            number = PhoneNumbers.normalise(exchange.getMessage().getHeader("number", String.class));
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return null;
        }
        if (account == null) {
            JsonAnswer.error(exchange, 400, "account is required (?account=<name>): opt-outs are per named account");
            return null;
        }
        String name = account.strip().toLowerCase(Locale.ROOT);
        if (!WatiAccounts.isValidName(name) || endpoints.apply(name) == null) {
            JsonAnswer.error(exchange, 404, "Unknown account: configure wati.accounts.<name>.endpoint");
            return null;
        }
        return new Target(name, number);
    }
}
