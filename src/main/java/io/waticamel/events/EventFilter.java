package io.waticamel.events;

import java.util.Arrays;

/**
 * The Kamelet {@code wati-event-source}'s filter (bean {@code watiEventFilter}): its properties
 * {@code types} (a comma list of eventType values) and {@code account}; {@code *} (their default)
 * takes all.
 */
public class EventFilter {

    public boolean matches(String type, String account, String types, String accountFilter) {
        return (isAll(accountFilter) || accountFilter.strip().equalsIgnoreCase(account))
                && (isAll(types) || (type != null && Arrays.stream(types.split(",")).map(String::strip).anyMatch(type::equals)));
    }

    private static boolean isAll(String filter) {
        return filter == null || filter.isBlank() || filter.strip().equals("*");
    }
}
