package io.waticamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.pipeline.Action;
import io.waticamel.wati.PhoneNumbers;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WhatsApp's 24-hour customer service window (bean {@code sessionWindow}, table {@code contact_windows}):
 * a session message or file reaches a contact only within 24 hours of the contact's last message. The
 * time of each contact's last message is kept from inbound {@code message} events (the event's own
 * timestamp, so a late webhook cannot move it back). A session send to a contact whose window is known
 * to be closed is not sent; when the action names a {@code fallback_template_name}, that template is
 * sent instead, and also when WATI itself refuses the session message because the window is closed
 * ("Ticket has been expired", Meta 131047). A contact never heard from is not known closed: WATI decides.
 */
public class SessionWindow {

    /** Why the fallback template is sent (the window known closed, or WATI's refusal), kept on the session action. */
    record FallbackReason(String text) {
    }

    static final Duration WINDOW = Duration.ofHours(24);
    private static final Pattern FALLBACK_NAME = Pattern.compile("fallback_parameter_name_([1-9][0-9]{0,3})");
    private static final Logger LOG = LoggerFactory.getLogger(SessionWindow.class);

    private final DataSource db;
    private final Function<String, String> endpoints;
    private final Clock clock;
    private final boolean check;

    /**
     * @param endpoints an account name's configured endpoint (normalised), or null
     * @param check     wati.session-window.check: whether a send to a known-closed window is stopped
     */
    public SessionWindow(DataSource db, Function<String, String> endpoints, Clock clock, boolean check) {
        this.db = db;
        this.endpoints = endpoints;
        this.clock = clock;
        this.check = check;
    }

    /** In wati-event: a customer's message opens (or keeps open) their window with the account. */
    public void fromEvent(Exchange exchange) throws SQLException {
        InboundEvent inbound = InboundEvent.of(exchange);
        WatiEvent event = inbound.event();
        if (!event.isCustomerMessage() || event.waId() == null) {
            return;
        }
        String number;
        try {
            number = PhoneNumbers.normalise(event.waId());
        } catch (ActionRejectedException e) {
            return;
        }
        record(inbound.account(), number, event.happenedAt(inbound.receivedAt()));
    }

    /** Keeps {@code at} as the contact's last message unless a later one is kept already. */
    void record(String account, String number, Instant at) throws SQLException {
        Timestamp when = Timestamp.from(at);
        String endpoint = endpoints.apply(account);
        try (Connection c = db.getConnection()) {
            // a row the UPDATE leaves is as late or later: it stays
            Rows.updateElseInsert(c, u -> {
                try (PreparedStatement s = u.prepareStatement("UPDATE contact_windows SET last_customer_message_at = ?, endpoint = ? "
                        + "WHERE account = ? AND number = ? AND last_customer_message_at < ?")) {
                    s.setTimestamp(1, when);
                    s.setString(2, endpoint);
                    s.setString(3, account);
                    s.setString(4, number);
                    s.setTimestamp(5, when);
                    return s.executeUpdate();
                }
            }, i -> {
                try (PreparedStatement s = i.prepareStatement("INSERT INTO contact_windows (account, number, endpoint, last_customer_message_at) "
                        + "VALUES (?, ?, ?, ?)")) {
                    s.setString(1, account);
                    s.setString(2, number);
                    s.setString(3, endpoint);
                    s.setTimestamp(4, when);
                    return s.executeUpdate();
                }
            });
        }
    }

    /** The contact's last message to the credentials' account (or to any account with their endpoint), or null. */
    Instant lastCustomerMessage(WatiCredentials credentials, String number) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT MAX(last_customer_message_at) "
                + "FROM contact_windows WHERE number = ? AND (account = ? OR endpoint = ?)")) {
            s.setString(1, number);
            s.setString(2, credentials.account() == null ? "" : credentials.account());
            s.setString(3, credentials.endpoint().toString());
            try (ResultSet rs = s.executeQuery()) {
                Timestamp last = rs.next() ? rs.getTimestamp(1) : null;
                return last == null ? null : last.toInstant();
            }
        }
    }

    /**
     * In send-session-message and send-session-file, before anything is sent or downloaded: whether the action's
     * fallback template goes instead (the window is known closed and the action names one). A known-closed window
     * without a fallback is refused, 409.
     */
    public boolean closed(Exchange exchange) {
        if (!check) {
            return false;
        }
        Action action = Action.of(exchange);
        String number = PhoneNumbers.normalise(action.fields().get("whatsappNumber"));
        Instant last;
        try {
            last = lastCustomerMessage(action.credentials(), number);
        } catch (SQLException e) {
            // not knowing the window is not knowing it closed: WATI decides
            LOG.warn("24-hour windows could not be read ({}): session message sent unchecked", e.toString());
            return false;
        }
        Instant now = clock.instant();
        if (last == null || last.plus(WINDOW).isAfter(now)) {
            return false;
        }
        String since = "the contact last wrote at " + DateTimeFormatter.ISO_INSTANT.format(last) + ", "
                + Duration.between(last, now).toHours() + " h ago";
        if (action.fields().get("fallback_template_name") == null) {
            throw new ActionRejectedException("The 24-hour window is closed (" + since + "): WATI would refuse a session message. "
                    + "Send a template, or add fallback_template_name (and fallback_parameter_name_N / fallback_parameter_value_N) "
                    + "to send one instead", 409, ActionOutcome.WINDOW_CLOSED);
        }
        // on the action, not the exchange: a predicate's bean works on a copy of the exchange
        action.attach(FallbackReason.class, new FallbackReason("The 24-hour window is closed (" + since + ")"));
        return true;
    }

    /** After WATI's answer to a session send: WATI refused it because the window is closed, and the action names a fallback. */
    public boolean refusedByWati(Exchange exchange) {
        Action action = Action.of(exchange);
        WatiAnswer answer = action.attached(WatiAnswer.class);
        if (action.result() == null || action.result().run() || answer == null || action.fields().get("fallback_template_name") == null
                || !isWindowRefusal(answer)) {
            return false;
        }
        action.attach(FallbackReason.class, new FallbackReason("WATI refused the session message (" + answer.reason() + ")"));
        return true;
    }

    /** WATI's "Ticket has been expired" (ticketStatus CLOSED), or Meta's 131047 in its reason. */
    static boolean isWindowRefusal(WatiAnswer answer) {
        String reason = answer.reason() == null ? "" : answer.reason().toLowerCase(Locale.ROOT);
        JsonNode body = answer.body();
        boolean closedTicket = body != null && body.isObject() && "CLOSED".equalsIgnoreCase(body.path("ticketStatus").asText(""));
        return closedTicket || reason.contains("ticket has been expired") || reason.contains("131047")
                || reason.contains("re-engagement message");
    }

    /**
     * wati-session-fallback: the action becomes its fallback template's send_template_message, to the same number with
     * the same task id and credentials; fallback_parameter_name_N / _value_N become its parameters.
     */
    public void fallback(Exchange exchange) {
        Action session = Action.of(exchange);
        ActionFields fields = session.fields();
        Map<String, String> template = new LinkedHashMap<>();
        template.put("wati_action", "send_template_message");
        copy(fields, template, "task_id", "task_id");
        // the same credentials, also in the fields: a dead letter of the fallback is replayed from its fields
        copy(fields, template, "account", "account");
        copy(fields, template, "api_endpoint", "api_endpoint");
        copy(fields, template, "access_token", "access_token");
        copy(fields, template, "whatsappNumber", "whatsappNumber");
        copy(fields, template, "fallback_template_name", "template_name");
        copy(fields, template, "fallback_broadcast_name", "broadcast_name");
        for (String key : fields.keySet()) {
            Matcher m = FALLBACK_NAME.matcher(key);
            if (m.matches()) {
                copy(fields, template, key, "parameter_name_" + m.group(1));
                copy(fields, template, "fallback_parameter_value_" + m.group(1), "parameter_value_" + m.group(1));
            } else if (key.startsWith("fallback_parameter_value_") && !fields.containsKey("fallback_parameter_name_"
                    + key.substring("fallback_parameter_value_".length()))) {
                throw new ActionRejectedException(key + " has no fallback_parameter_name_" + key.substring("fallback_parameter_value_".length()));
            }
        }
        Action fallback = session.withFields(new ActionFields(template));
        String reason = session.attached(FallbackReason.class).text();
        String name = template.get("template_name").strip();
        fallback.note(reason + ": sent template '" + name + "' instead.", reason + "; the fallback template '" + name + "' was not sent:");
        exchange.setVariable(Action.VARIABLE, fallback);
        exchange.getMessage().setBody(fallback.fields());
    }

    private static void copy(ActionFields from, Map<String, String> to, String key, String as) {
        String value = from.raw(key);
        if (value != null) {
            to.put(as, value);
        }
    }
}
