package io.waticamel.wati;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.waticamel.action.ActionRejectedException;

/**
 * {@code send_at}, the one way an action or a campaign says when it is sent: ISO-8601 with an offset
 * or {@code Z} (without one the time is ambiguous). A time in the past is due at once (a caller that
 * posts late still means "send it"), unless it is more than {@link #MOST_IN_THE_PAST} back, which is
 * a mistake more likely than a wish (a wrong year or month); more than {@link #MOST_AHEAD} ahead is one too.
 */
public final class SendAt {

    /** The task field and campaign setting. */
    public static final String FIELD = "send_at";
    public static final Duration MOST_AHEAD = Duration.ofDays(366);
    public static final Duration MOST_IN_THE_PAST = Duration.ofHours(24);

    private SendAt() {
    }

    /**
     * The instant {@code text} names, judged at {@code now}.
     *
     * @throws ActionRejectedException (400) saying what is wrong: no offset, not readable, too far back or ahead
     */
    public static Instant parse(String text, Instant now) {
        String given = text == null ? "" : text.strip();
        Instant at;
        try {
            at = OffsetDateTime.parse(given).toInstant();
        } catch (DateTimeParseException e) {
            if (hasNoOffset(given)) {
                throw new ActionRejectedException("send_at has no UTC offset: add one or Z, such as 2026-12-01T09:00:00+02:00 or "
                        + "2026-12-01T07:00:00Z (without one the time is ambiguous)");
            }
            throw new ActionRejectedException("send_at must be an ISO-8601 date-time with a UTC offset, such as 2026-12-01T09:00:00+02:00");
        }
        if (at.isBefore(now.minus(MOST_IN_THE_PAST))) {
            throw new ActionRejectedException("send_at " + at + " is more than " + MOST_IN_THE_PAST.toHours() + " hours in the past (now "
                    + now + "): leave it out to send at once");
        }
        if (at.isAfter(now.plus(MOST_AHEAD))) {
            throw new ActionRejectedException("send_at " + at + " is more than " + MOST_AHEAD.toDays() + " days ahead");
        }
        return at;
    }

    private static boolean hasNoOffset(String text) {
        try {
            LocalDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
