package io.waticamel.campaigns;

import java.time.Instant;
import java.time.ZoneId;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.wati.QuietHours;
import io.waticamel.wati.SendAt;

/**
 * When a campaign may send, as its settings give it: {@code send_at} ({@link SendAt}; null: at once), its own {@code quiet_hours} (HH:mm-HH:mm) and {@code time_zone} (the zone of its
 * recipients that give none). Read when the campaign is posted, by the runtime's clock: whatever is
 * wrong is a 400 with the reason, and nothing is stored.
 */
public record CampaignSchedule(Instant sendAt, QuietHours quietHours, ZoneId timeZone) {

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
        String sendAt = settings.get(SendAt.FIELD);
        return new CampaignSchedule(blank(sendAt) ? null : SendAt.parse(sendAt, now), hours, zone);
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

}
