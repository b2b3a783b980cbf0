package io.waticamel.campaigns;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.wati.QuietHours;

/**
 * When a campaign may send, as its settings give it: {@code send_at} (ISO-8601 with an offset; null:
 * at once), its own {@code quiet_hours} (HH:mm-HH:mm) and {@code time_zone} (the zone of its
 * recipients that give none). Read when the campaign is posted, by the runtime's clock: whatever is
 * wrong is a 400 with the reason, and nothing is stored.
 */
public record CampaignSchedule(Instant sendAt, QuietHours quietHours, ZoneId timeZone) {

    /** The furthest ahead a campaign may be scheduled (a later date is most likely a typo). */
    static final Duration MAX_AHEAD = Duration.ofDays(366);
    /** A send_at this little in the past is taken as "now" (the caller's clock may be behind); further back is a mistake. */
    static final Duration PAST_TOLERANCE = Duration.ofMinutes(10);

    public static CampaignSchedule of(ActionFields settings, Instant now) {
        ZoneId zone = blank(settings.get("time_zone")) ? null : zone("time_zone", settings.get("time_zone"));
        QuietHours hours = null;
        if (!blank(settings.get("quiet_hours"))) {
            try {
                hours = QuietHours.parse(settings.get("quiet_hours"), zone == null ? null : zone.getId());
            } catch (ActionRejectedException e) {
                throw new ActionRejectedException("quiet_hours: " + e.getMessage());
            }
        }
        return new CampaignSchedule(sendAt(settings.get("send_at"), now), hours, zone);
    }

    /** {@code send_at}: an instant with an offset or Z, at most a year ahead; null when not given. */
    static Instant sendAt(String text, Instant now) {
        if (blank(text)) {
            return null;
        }
        String given = text.strip();
        Instant at;
        try {
            at = OffsetDateTime.parse(given).toInstant();
        } catch (DateTimeParseException e) {
            if (hasNoOffset(given)) {
                throw new ActionRejectedException("send_at '" + cut(given) + "' has no offset: add Z or the offset, such as "
                        + "2026-12-01T09:00:00+02:00");
            }
            throw new ActionRejectedException("send_at '" + cut(given) + "' is not an ISO-8601 date and time with an offset, such as "
                    + "2026-12-01T09:00:00+02:00 or 2026-12-01T07:00:00Z");
        }
        if (at.isBefore(now.minus(PAST_TOLERANCE))) {
            throw new ActionRejectedException("send_at " + at + " is in the past (now " + now + "): leave it out to send at once");
        }
        if (at.isAfter(now.plus(MAX_AHEAD))) {
            throw new ActionRejectedException("send_at " + at + " is more than " + MAX_AHEAD.toDays() + " days ahead");
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

    private static ZoneId zone(String field, String text) {
        try {
            return QuietHours.zone(text);
        } catch (ActionRejectedException e) {
            throw new ActionRejectedException(field + ": " + e.getMessage());
        }
    }

    /** The window as stored (campaigns.quiet_hours), or null. */
    String window() {
        return quietHours == null ? null : quietHours.start() + "-" + quietHours.end();
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String cut(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
