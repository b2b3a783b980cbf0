package io.waticamel.reliability;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.pipeline.Action;
import io.waticamel.wati.QuietHours;
import io.waticamel.wati.SendAt;
import io.waticamel.wati.WatiAccounts;
import org.apache.camel.Exchange;

/**
 * When an action kept in the outbox may be sent (bean {@code sendTimes}), by the runtime's clock
 * (bean {@code watiClock}): not before its {@code send_at} (ISO-8601 with an offset), and a
 * template of a named account with quiet hours ({@code wati.accounts.<name>.quiet-hours}) not
 * inside them, but at their end. Session messages and files, update_contact, get_media and route
 * files' actions are never deferred. A {@code send_at} in the past, or now, is due at once.
 */
public class SendTimes {

    /** The task field that schedules an action. */
    public static final String FIELD = SendAt.FIELD;
    /** Exchange variable: the {@link Due} time of the action being stored (post-action). */
    public static final String VARIABLE = "watiSendTime";
    /** The one action quiet hours defer: a template may start a conversation at any hour, a session reply answers one. */
    static final String TEMPLATE = "send_template_message";

    /**
     * When an action is due.
     *
     * @param at       when it may be sent (the claim waits until then)
     * @param deferred why it waits beyond what was asked ({@code quiet hours 21:00-08:00 Africa/Johannesburg}), or null
     */
    public record Due(Instant at, String deferred) {

        /** Not due yet at {@code now}: its state is {@code scheduled}. */
        public boolean laterThan(Instant now) {
            return at.isAfter(now);
        }
    }

    private final Clock clock;
    private final Function<String, QuietHours> quietHours;
    private final boolean anyQuietHours;

    /**
     * @param quietHours    a named account's quiet hours (its lower-case name), null when it has none
     * @param anyQuietHours whether any named account has them
     */
    public SendTimes(Clock clock, Function<String, QuietHours> quietHours, boolean anyQuietHours) {
        this.clock = clock;
        this.quietHours = quietHours;
        this.anyQuietHours = anyQuietHours;
    }

    /** Whether any named account has quiet hours (else only a send_at makes an action wait). */
    public boolean anyQuietHours() {
        return anyQuietHours;
    }

    /** Now, by the runtime's clock. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * The action's send_at as an instant, or null when it has none.
     *
     * @throws ActionRejectedException (400) when it has no offset, cannot be read, or is too far back or ahead ({@link SendAt})
     */
    public Instant requested(ActionFields fields) {
        // blank is absent, as for every task field (a CRM's empty variable)
        String text = fields.get(FIELD);
        return text == null ? null : SendAt.parse(text, now());
    }

    /** When the action may be sent (see the class); checks send_at as {@link #requested} does. */
    public Due due(ActionFields fields, String account) {
        String action = fields.action();
        QuietHours quiet = TEMPLATE.equals(action) ? quietHoursOf(account) : null;
        return due(now(), requested(fields), quiet);
    }

    /**
     * post-action, after the action's checks: when the action just checked may be sent (its named
     * account's quiet hours; a request's own endpoint and token have none), kept as {@value #VARIABLE}.
     */
    public Due plan(Exchange exchange) {
        Action action = Action.of(exchange);
        return due(action.fields(), action.credentials() == null ? null : action.credentials().account());
    }

    /**
     * post-action, before anything else runs: whether a synchronous request is one to store in the
     * outbox (it has a send_at, or is a template of an account inside its quiet hours now). A body
     * that cannot be read is not: the synchronous path answers it as it always has.
     */
    public boolean later(ActionFields fields) {
        if (fields.get(FIELD) != null) {
            return true; // checked (400 when unreadable) where it is stored
        }
        return due(fields, fields.get("account")).laterThan(now());
    }

    /** The quiet hours of the account a request names (as the caller wrote it), null when none or not a valid name. */
    private QuietHours quietHoursOf(String account) {
        if (account == null) {
            return null;
        }
        String name = account.strip().toLowerCase(Locale.ROOT);
        return WatiAccounts.isValidName(name) ? quietHours.apply(name) : null;
    }

    /** When an action asked for {@code requested} (null: now) and under these quiet hours (null: none) may be sent at {@code now}. */
    static Due due(Instant now, Instant requested, QuietHours quiet) {
        Instant at = requested == null || requested.isBefore(now) ? now : requested;
        if (quiet != null) {
            Instant sendable = quiet.sendableAt(at);
            if (sendable.isAfter(at)) {
                return new Due(sendable, "quiet hours " + quiet);
            }
        }
        return new Due(at, null);
    }
}
