package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

class SendAtTest {

    static final Instant NOON = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void sendAtIsReadWithItsOffsetOrZ() {
        assertThat(SendAt.parse("2026-12-01T12:00:05+02:00", NOON)).isEqualTo(Instant.parse("2026-12-01T10:00:05Z"));
        assertThat(SendAt.parse(" 2026-12-01T10:00:05.250Z ", NOON)).isEqualTo(Instant.parse("2026-12-01T10:00:05.250Z"));
        assertThat(SendAt.parse("2026-12-01T05:00-05:00", NOON)).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void aTimeInThePastIsKeptUpToADayBack() {
        // a caller that posts late still means "send it": due at once
        assertThat(SendAt.parse("2026-12-01T09:00:00Z", NOON)).isEqualTo(Instant.parse("2026-12-01T09:00:00Z"));
        assertThat(SendAt.parse("2026-11-30T10:00:00Z", NOON)).isEqualTo(Instant.parse("2026-11-30T10:00:00Z"));
        assertThatThrownBy(() -> SendAt.parse("2025-12-01T09:00:00Z", NOON)).isInstanceOf(ActionRejectedException.class)
                .hasMessage("send_at 2025-12-01T09:00:00Z is more than 24 hours in the past (now 2026-12-01T10:00:00Z): leave it out to send at once");
    }

    @Test
    void sendAtWithoutOffsetUnreadableOrTooFarAheadIsRefusedNamingWhy() {
        assertThatThrownBy(() -> SendAt.parse("2026-12-01T12:00:00", NOON))
                .isInstanceOf(ActionRejectedException.class).hasMessageStartingWith("send_at has no UTC offset");
        for (String unreadable : new String[] {"tomorrow", "", "2026-12-01", "1764583205", "2026-13-01T00:00:00Z"}) {
            assertThatThrownBy(() -> SendAt.parse(unreadable, NOON)).as(unreadable)
                    .isInstanceOf(ActionRejectedException.class).hasMessageStartingWith("send_at must be an ISO-8601 date-time with a UTC offset");
        }
        assertThatThrownBy(() -> SendAt.parse("2027-12-02T10:00:01Z", NOON))
                .isInstanceOf(ActionRejectedException.class).hasMessage("send_at 2027-12-02T10:00:01Z is more than 366 days ahead");
        // exactly the bound is fine
        assertThat(SendAt.parse("2027-12-02T10:00:00Z", NOON)).isEqualTo(Instant.parse("2027-12-02T10:00:00Z"));
    }
}
