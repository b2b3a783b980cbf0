package io.waticamel.action;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The task fields of one action, as strings, exactly as the caller sent them: a read-only Map, so a
 * route can read {@code ${body[whatsappNumber]}}. Its {@code toString} never shows the access
 * token, so Camel may log it.
 */
public final class ActionFields extends AbstractMap<String, String> {

    public static final ActionFields EMPTY = new ActionFields(Map.of());

    public static final String DEFAULT_TASK_ID = "23001";
    private static final Pattern TASK_ID = Pattern.compile("[0-9]{1,12}");
    private static final Set<String> SECRET_FIELDS = Set.of("access_token");

    private final Map<String, String> fields;

    public ActionFields(Map<String, String> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return fields.entrySet();
    }

    /** The value, or null when absent or blank. */
    public String get(String name) {
        String value = fields.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** The value as sent (empty strings kept), or null when absent. */
    public String raw(String name) {
        return fields.get(name);
    }

    public Map<String, String> asMap() {
        return fields;
    }

    public String action() {
        String action = get("wati_action");
        return action == null ? null : action.strip();
    }

    /** The task id for the output variable names; the seed's default when absent or not digits. */
    public String taskId() {
        String id = get("task_id");
        return id != null && TASK_ID.matcher(id.strip()).matches() ? id.strip() : DEFAULT_TASK_ID;
    }

    /** Checks task_id when given: the output variable names are built from it. */
    public void requireValidTaskId() {
        String id = get("task_id");
        if (id != null && !TASK_ID.matcher(id.strip()).matches()) {
            throw new ActionRejectedException("Invalid task_id: digits only (default " + DEFAULT_TASK_ID + ")");
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        fields.forEach((k, v) -> shown.put(k, SECRET_FIELDS.contains(k) ? "******" : v));
        return "ActionFields" + shown;
    }
}
