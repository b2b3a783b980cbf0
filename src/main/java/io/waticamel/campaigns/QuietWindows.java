package io.waticamel.campaigns;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.waticamel.wati.QuietHours;

/**
 * The quiet hours a campaign's sends wait out, judged when its batch is about to be sent: the
 * account's ({@code wati.accounts.<name>.quiet-hours}) and the campaign's own ({@code quiet_hours}),
 * both when both are set. Each is read on the wall clock of the recipient's time zone when the
 * recipient gives one, else the campaign's {@code time_zone}, else the window's own zone (the
 * account's {@code time-zone}).
 */
public final class QuietWindows {

    /** No quiet hours: every send may go at once. */
    public static final QuietWindows NONE = new QuietWindows(null, null, null);
    /** Enough passes for any two windows that touch or overlap (each pass leaves the window the time fell in). */
    private static final int MAX_PASSES = 8;

    private final List<QuietHours> windows = new ArrayList<>(2);
    private final ZoneId campaignZone;

    public QuietWindows(QuietHours account, QuietHours campaign, ZoneId campaignZone) {
        if (account != null) {
            windows.add(account);
        }
        if (campaign != null) {
            windows.add(campaign);
        }
        this.campaignZone = campaignZone;
    }

    public boolean isEmpty() {
        return windows.isEmpty();
    }

    /**
     * When a send to a recipient in {@code recipientZone} (null: not given) may go: {@code now} outside every window,
     * else the end of the window(s) it falls in. Never earlier than {@code now}, never dropped.
     */
    public Instant sendableAt(String recipientZone, Instant now) {
        if (windows.isEmpty()) {
            return now;
        }
        ZoneId zone = zone(recipientZone);
        Instant at = now;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            Instant next = at;
            for (QuietHours window : windows) {
                next = (zone == null ? window : window.in(zone)).sendableAt(next);
            }
            if (next.equals(at)) {
                return at;
            }
            at = next;
        }
        return at;
    }

    /** The recipient's zone (stored checked; one the time-zone database no longer knows falls back), else the campaign's. */
    private ZoneId zone(String recipientZone) {
        if (recipientZone != null) {
            try {
                return ZoneId.of(recipientZone);
            } catch (DateTimeException e) {
                return campaignZone;
            }
        }
        return campaignZone;
    }
}
