package io.waticamel.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

class CampaignScheduleTest {

    static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    static CampaignSchedule of(Map<String, String> settings) {
        return CampaignSchedule.of(new ActionFields(settings), NOW);
    }

    @Test
    void sendAtIsAnInstantWithAnOffsetOrZ() {
        assertThat(of(Map.of()).sendAt()).isNull();
        assertThat(of(Map.of("send_at", "2026-12-01T09:00:00+02:00")).sendAt()).isEqualTo(Instant.parse("2026-12-01T07:00:00Z"));
        assertThat(of(Map.of("send_at", " 2026-11-30T10:00:05Z ")).sendAt()).isEqualTo(Instant.parse("2026-11-30T10:00:05Z"));
        // behind (a caller that posts late) is taken as is: it is due at once
        assertThat(of(Map.of("send_at", "2026-11-30T09:55:00Z")).sendAt()).isEqualTo(Instant.parse("2026-11-30T09:55:00Z"));
    }

    @Test
    void aSendAtWithoutOffsetUnreadablePastOrTooFarAheadIsRefusedWithTheReason() {
        assertThatThrownBy(() -> of(Map.of("send_at", "2026-12-01T09:00:00"))).isInstanceOf(ActionRejectedException.class)
                .hasMessageContaining("has no UTC offset");
        assertThatThrownBy(() -> of(Map.of("send_at", "tomorrow"))).hasMessageContaining("must be an ISO-8601 date-time with a UTC offset");
        assertThatThrownBy(() -> of(Map.of("send_at", "2026-12-01"))).hasMessageContaining("must be an ISO-8601");
        assertThatThrownBy(() -> of(Map.of("send_at", "2026-11-29T09:00:00Z"))).hasMessageContaining("is more than 24 hours in the past");
        assertThatThrownBy(() -> of(Map.of("send_at", "2027-12-31T09:00:00Z"))).hasMessageContaining("more than 366 days ahead");
        assertThatThrownBy(() -> of(Map.of("send_at", "2026-11-29T09:00:00Z"))).isInstanceOfSatisfying(ActionRejectedException.class,
                e -> assertThat(e.httpStatus()).isEqualTo(400));
    }

    @Test
    void theCampaignsOwnQuietHoursAndTimeZone() {
        CampaignSchedule schedule = of(Map.of("quiet_hours", "21:00-8:00", "time_zone", "Asia/Kolkata"));
        assertThat(schedule.quietHours().start()).isEqualTo(LocalTime.of(21, 0));
        assertThat(schedule.quietHours().zone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
        assertThat(schedule.timeZone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
        assertThat(schedule.window()).isEqualTo("21:00-08:00");
        assertThat(of(Map.of("quiet_hours", "22:00-07:00")).quietHours().zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(of(Map.of()).window()).isNull();
        assertThatThrownBy(() -> of(Map.of("quiet_hours", "late"))).hasMessageStartingWith("quiet_hours: Quiet hours are HH:mm-HH:mm");
        assertThatThrownBy(() -> of(Map.of("quiet_hours", "21:00-21:00"))).hasMessageStartingWith("quiet_hours:");
        assertThatThrownBy(() -> of(Map.of("time_zone", "Europe/Atlantis"))).hasMessageStartingWith("time_zone: Unknown time zone 'Europe/Atlantis'");
    }
}
