package io.waticamel.wati;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waticamel.action.ActionRejectedException;

/**
 * An account's quiet hours ({@code wati.accounts.<name>.quiet-hours=21:00-08:00} in
 * {@code .time-zone}): a template send that falls inside waits until the window ends, in the
 * recipient's time zone when it is known. A window may cross midnight; start and end are local
 * wall-clock times, so a daylight-saving change moves them with the clock on the wall.
 */
public record QuietHours(LocalTime start, LocalTime end, ZoneId zone) {

    private static final Pattern WINDOW = Pattern.compile("\\s*([0-9]{1,2}:[0-9]{2})\\s*-\\s*([0-9]{1,2}:[0-9]{2})\\s*");

    public QuietHours {
        if (start.equals(end)) {
            throw new IllegalArgumentException("Quiet hours need a start and an end that differ");
        }
    }

    /**
     * {@code HH:mm-HH:mm} in the zone (an IANA name such as Africa/Johannesburg, or an offset such as +02:00).
     *
     * @throws ActionRejectedException (400) naming what is wrong
     */
    public static QuietHours parse(String window, String zone) {
        Matcher m = window == null ? null : WINDOW.matcher(window);
        if (m == null || !m.matches()) {
            throw new ActionRejectedException("Quiet hours are HH:mm-HH:mm, such as 21:00-08:00");
        }
        try {
            return new QuietHours(LocalTime.parse(pad(m.group(1))), LocalTime.parse(pad(m.group(2))), zone(zone));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new ActionRejectedException("Quiet hours are HH:mm-HH:mm, such as 21:00-08:00: " + e.getMessage());
        }
    }

    /** An IANA time zone name or an offset; UTC when blank. */
    public static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new ActionRejectedException("Unknown time zone '" + zone.strip() + "': use an IANA name such as Africa/Johannesburg, or an offset such as +02:00");
        }
    }

    private static String pad(String time) {
        return time.length() == 4 ? "0" + time : time;
    }

    /** The same hours in another time zone (a recipient's). */
    public QuietHours in(ZoneId other) {
        return new QuietHours(start, end, other);
    }

    /** When a send at {@code now} may go out: {@code now} outside the window, else the window's end. */
    public Instant sendableAt(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        LocalTime time = local.toLocalTime();
        boolean crossesMidnight = start.isAfter(end);
        boolean inside = crossesMidnight ? !time.isBefore(start) || time.isBefore(end) : !time.isBefore(start) && time.isBefore(end);
        if (!inside) {
            return now;
        }
        LocalDate endDay = crossesMidnight && !time.isBefore(start) ? local.toLocalDate().plusDays(1) : local.toLocalDate();
        // a wall-clock end that does not exist that day (a daylight-saving gap) is moved forward by the gap; one that is
        // there twice (the hour repeated when clocks go back) is its later one when the earlier has already passed
        ZonedDateTime windowEnd = ZonedDateTime.of(endDay, end, zone);
        Instant at = windowEnd.toInstant();
        if (!at.isAfter(now)) {
            at = windowEnd.withLaterOffsetAtOverlap().toInstant();
        }
        return at.isAfter(now) ? at : now;
    }

    @Override
    public String toString() {
        return start + "-" + end + " " + zone.getId();
    }
}
