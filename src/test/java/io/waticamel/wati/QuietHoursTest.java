package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

class QuietHoursTest {

    final QuietHours overnight = QuietHours.parse("21:00-08:00", "Africa/Johannesburg");

    @Test
    void aSendOutsideTheWindowGoesNow() {
        Instant noonInJohannesburg = Instant.parse("2026-11-30T10:00:00Z");
        assertThat(overnight.sendableAt(noonInJohannesburg)).isEqualTo(noonInJohannesburg);
        // 20:59:59 local is still outside, 08:00 local (the end) is outside again
        assertThat(overnight.sendableAt(Instant.parse("2026-11-30T18:59:59Z"))).isEqualTo(Instant.parse("2026-11-30T18:59:59Z"));
        assertThat(overnight.sendableAt(Instant.parse("2026-11-30T06:00:00Z"))).isEqualTo(Instant.parse("2026-11-30T06:00:00Z"));
    }

    @Test
    void aSendInsideAnOvernightWindowWaitsForTheMorning() {
        // 21:00 local on the 30th: the next day's 08:00 local
        assertThat(overnight.sendableAt(Instant.parse("2026-11-30T19:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
        // 03:00 local on the 1st: the same day's 08:00 local
        assertThat(overnight.sendableAt(Instant.parse("2026-12-01T01:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(overnight.sendableAt(Instant.parse("2026-12-01T05:59:59Z"))).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
    }

    @Test
    void aDaytimeWindowDoesNotCrossMidnight() {
        QuietHours lunch = QuietHours.parse("12:00-13:30", "UTC");
        assertThat(lunch.sendableAt(Instant.parse("2026-11-30T12:10:00Z"))).isEqualTo(Instant.parse("2026-11-30T13:30:00Z"));
        assertThat(lunch.sendableAt(Instant.parse("2026-11-30T23:10:00Z"))).isEqualTo(Instant.parse("2026-11-30T23:10:00Z"));
    }

    @Test
    void theRecipientsZoneMovesTheWindow() {
        QuietHours inNewYork = overnight.in(QuietHours.zone("America/New_York"));
        // 21:00 UTC is 16:00 in New York: sent now; 03:00 UTC is 22:00 there: 08:00 New York time (13:00 UTC)
        assertThat(inNewYork.sendableAt(Instant.parse("2026-11-30T21:00:00Z"))).isEqualTo(Instant.parse("2026-11-30T21:00:00Z"));
        assertThat(inNewYork.sendableAt(Instant.parse("2026-12-01T03:00:00Z"))).isEqualTo(Instant.parse("2026-12-01T13:00:00Z"));
    }

    @Test
    void theEndFollowsTheWallClockAcrossADaylightSavingChange() {
        QuietHours berlin = QuietHours.parse("22:00-07:00", "Europe/Berlin");
        // 2026-03-29: clocks go from 02:00 to 03:00; 07:00 is then UTC+2 (05:00Z), not UTC+1
        assertThat(berlin.sendableAt(Instant.parse("2026-03-28T23:00:00Z"))).isEqualTo(Instant.parse("2026-03-29T05:00:00Z"));
    }

    @Test
    void anEndInTheRepeatedHourWhenClocksGoBackIsItsLaterOne() {
        QuietHours berlin = QuietHours.parse("22:00-02:30", "Europe/Berlin");
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:10 CET (01:10Z) is the second 02:10, inside the window until 02:30 CET
        assertThat(berlin.sendableAt(Instant.parse("2026-10-25T01:10:00Z"))).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
        // the first 02:10 (CEST, 00:10Z) waits for the first 02:30
        assertThat(berlin.sendableAt(Instant.parse("2026-10-25T00:10:00Z"))).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    }

    @Test
    void unreadableValuesAreNamed() {
        assertThatThrownBy(() -> QuietHours.parse("9pm-8am", "UTC")).isInstanceOf(ActionRejectedException.class).hasMessageContaining("HH:mm-HH:mm");
        assertThatThrownBy(() -> QuietHours.parse("25:00-08:00", "UTC")).hasMessageContaining("HH:mm-HH:mm");
        assertThatThrownBy(() -> QuietHours.parse("08:00-08:00", "UTC")).hasMessageContaining("differ");
        assertThatThrownBy(() -> QuietHours.parse("21:00-08:00", "Mars/Olympus")).hasMessageContaining("Unknown time zone 'Mars/Olympus'");
        assertThat(QuietHours.parse("9:00-17:00", "+02:00").toString()).isEqualTo("09:00-17:00 +02:00");
    }
}
