package io.waticamel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.testing.MutableClock;
import io.waticamel.wati.QuietHours;
import org.junit.jupiter.api.Test;

class SendTimesTest {

    /** 12:00 in Johannesburg. */
    static final Instant NOON = Instant.parse("2026-12-01T10:00:00Z");
    final MutableClock clock = new MutableClock(NOON);
    final QuietHours overnight = QuietHours.parse("21:00-08:00", "Africa/Johannesburg");
    final SendTimes times = new SendTimes(clock, name -> name.equals("quiet") ? overnight : null, true);

    static ActionFields fields(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return new ActionFields(map);
    }

    @Test
    void aSendAtInThePastOrNowIsDueAtOnce() {
        assertThat(SendTimes.due(NOON, Instant.parse("2020-01-01T00:00:00Z"), null)).isEqualTo(new SendTimes.Due(NOON, null));
        assertThat(SendTimes.due(NOON, NOON, null).laterThan(NOON)).isFalse();
        assertThat(SendTimes.due(NOON, null, null)).isEqualTo(new SendTimes.Due(NOON, null));
        Instant later = NOON.plusSeconds(5);
        assertThat(SendTimes.due(NOON, later, null)).isEqualTo(new SendTimes.Due(later, null));
        assertThat(SendTimes.due(NOON, later, null).laterThan(NOON)).isTrue();
    }

    @Test
    void aTimeInsideQuietHoursIsDeferredToTheirEndWithTheReason() {
        Instant tenPmLocal = Instant.parse("2026-12-01T20:00:00Z");
        Instant eightAmLocal = Instant.parse("2026-12-02T06:00:00Z");
        String reason = "quiet hours 21:00-08:00 Africa/Johannesburg";
        // now inside
        assertThat(SendTimes.due(tenPmLocal, null, overnight)).isEqualTo(new SendTimes.Due(eightAmLocal, reason));
        // a send_at inside, asked at noon
        assertThat(SendTimes.due(NOON, tenPmLocal, overnight)).isEqualTo(new SendTimes.Due(eightAmLocal, reason));
        // outside: as asked, no reason
        assertThat(SendTimes.due(NOON, null, overnight)).isEqualTo(new SendTimes.Due(NOON, null));
        assertThat(SendTimes.due(tenPmLocal, eightAmLocal, overnight)).isEqualTo(new SendTimes.Due(eightAmLocal, null));
    }

    @Test
    void onlyTemplatesOfANamedAccountWithQuietHoursAreDeferred() {
        clock.set(Instant.parse("2026-12-01T20:00:00Z"));

        assertThat(times.due(fields("wati_action", "send_template_message"), "quiet").deferred()).startsWith("quiet hours");
        // the account as a caller may write it
        assertThat(times.later(fields("wati_action", "send_template_message", "account", " Quiet "))).isTrue();
        assertThat(times.due(fields("wati_action", "send_template_message"), "loud").laterThan(clock.instant())).isFalse();
        assertThat(times.due(fields("wati_action", "send_template_message"), null).laterThan(clock.instant())).isFalse();
        for (String never : new String[] {"send_session_message", "send_session_file", "update_contact", "get_media", "my_route_action"}) {
            assertThat(times.later(fields("wati_action", never, "account", "quiet"))).as(never).isFalse();
        }
        // not a valid account name: the synchronous path refuses it, nothing is deferred
        assertThat(times.later(fields("wati_action", "send_template_message", "account", "no such/account"))).isFalse();
    }

    @Test
    void anyActionWithASendAtIsLaterAndItsDueTimeFollowsTheClock() {
        ActionFields scheduled = fields("wati_action", "my_route_action", "send_at", "2026-12-01T10:00:05Z");
        assertThat(times.later(scheduled)).isTrue();
        assertThat(times.due(scheduled, null)).isEqualTo(new SendTimes.Due(Instant.parse("2026-12-01T10:00:05Z"), null));
        assertThat(times.requested(fields("wati_action", "x"))).isNull();

        clock.advance(Duration.ofSeconds(6));
        assertThat(times.due(scheduled, null)).isEqualTo(new SendTimes.Due(clock.instant(), null));
        // even one in the past is the outbox's (sent at once, the 202 says when)
        assertThat(times.later(scheduled)).isTrue();
    }
}
