package io.waticamel.events;

import java.util.Locale;

/**
 * How far a sent message got, as WATI's status events report it. The rank orders them: a status
 * event moves a message forward only (a Delivered after a Read leaves it Read). A failure ranks
 * above SENT only: a message WATI reported delivered or read did reach the customer.
 */
public enum DeliveryStatus {
    SENT(1), FAILED(2), DELIVERED(3), READ(4), REPLIED(5);

    private final int rank;

    DeliveryStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    /** The status an event reports: its {@code statusString}, else what its {@code eventType} names; null for other events. */
    public static DeliveryStatus of(WatiEvent event) {
        String type = event.type() == null ? "" : event.type();
        boolean statusEvent = type.startsWith("sentMessage") || type.startsWith("templateMessage") || type.startsWith("sessionMessage");
        if (!statusEvent) {
            return null;
        }
        DeliveryStatus named = named(event.statusString());
        if (named != null) {
            return named;
        }
        String upper = type.toUpperCase(Locale.ROOT);
        if (upper.contains("FAILED")) {
            return FAILED;
        }
        if (upper.contains("REPLIED")) {
            return REPLIED;
        }
        if (upper.contains("READ")) {
            return READ;
        }
        if (upper.contains("DELIVERED")) {
            return DELIVERED;
        }
        return upper.contains("SENT") ? SENT : null;
    }

    private static DeliveryStatus named(String statusString) {
        if (statusString == null) {
            return null;
        }
        return switch (statusString.strip().toUpperCase(Locale.ROOT)) {
            case "SENT" -> SENT;
            case "DELIVERED" -> DELIVERED;
            case "READ" -> READ;
            case "REPLIED" -> REPLIED;
            case "FAILED" -> FAILED;
            default -> null;
        };
    }
}
