package io.waticamel.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;

import io.waticamel.wati.QuietHours;
import org.junit.jupiter.api.Test;

class QuietWindowsTest {

    /** 21:00-08:00 on Johannesburg's wall clock (UTC+2). */
    static final QuietHours ACCOUNT = QuietHours.parse("21:00-08:00", "Africa/Johannesburg");

    @Test
    void withoutWindowsEverySendIsDueNow() {
        Instant now = Instant.parse("2026-11-30T22:00:00Z");
        assertThat(QuietWindows.NONE.sendableAt("Asia/Tokyo", now)).isEqualTo(now);
        assertThat(QuietWindows.NONE.isEmpty()).isTrue();
    }

    @Test
    void aRecipientWithoutATimeZoneIsJudgedInTheAccountsZone() {
        QuietWindows windows = new QuietWindows(ACCOUNT, null, null);
        // 19:30 UTC = 21:30 in Johannesburg: waits until 08:00 there, 06:00 UTC
        assertThat(windows.sendableAt(null, Instant.parse("2026-11-30T19:30:00Z"))).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(windows.sendableAt(null, Instant.parse("2026-11-30T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-30T12:00:00Z"));
        // the window's end itself is outside
        assertThat(windows.sendableAt(null, Instant.parse("2026-12-01T06:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
    }

    @Test
    void aRecipientsOwnTimeZoneWinsThenTheCampaigns() {
        Instant now = Instant.parse("2026-11-30T19:30:00Z"); // 21:30 Johannesburg, 04:30 Tokyo, 14:30 New York
        QuietWindows windows = new QuietWindows(ACCOUNT, null, ZoneId.of("America/New_York"));
        assertThat(windows.sendableAt("Asia/Tokyo", now)).isEqualTo(Instant.parse("2026-11-30T23:00:00Z")); // 08:00 Tokyo
        assertThat(windows.sendableAt(null, now)).isEqualTo(now);                                          // New York afternoon
        assertThat(windows.sendableAt("Africa/Johannesburg", now)).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
        // a zone the time-zone database no longer knows falls back to the campaign's
        assertThat(windows.sendableAt("Gone/Zone", now)).isEqualTo(now);
    }

    @Test
    void bothTheAccountsAndTheCampaignsWindowsAreWaitedOut() {
        // account 21:00-08:00, campaign 07:00-10:00: inside the first, its end falls in the second
        QuietWindows windows = new QuietWindows(ACCOUNT, QuietHours.parse("07:00-10:00", null), ZoneId.of("Africa/Johannesburg"));
        assertThat(windows.sendableAt(null, Instant.parse("2026-11-30T20:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(windows.sendableAt(null, Instant.parse("2026-12-01T07:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(windows.sendableAt(null, Instant.parse("2026-12-01T08:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        // only the campaign's window (request credentials have no account's)
        QuietWindows own = new QuietWindows(null, QuietHours.parse("22:00-06:00", "Asia/Tokyo"), ZoneId.of("Asia/Tokyo"));
        assertThat(own.sendableAt(null, Instant.parse("2026-11-30T14:00:00Z"))).isEqualTo(Instant.parse("2026-11-30T21:00:00Z"));
    }
}
