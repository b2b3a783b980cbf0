package io.waticamel.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code parameter_name_N} / {@code parameter_value_N} pairs of a task, as the
 * {@code [{"name", "value"}]} list WATI takes for template parameters and contact attributes.
 */
public final class NumberedParameters {

    public static final int MAX_PAIRS = 100;
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_VALUE_LENGTH = 4096;
    private static final Pattern NAME_KEY = Pattern.compile("parameter_name_([1-9][0-9]{0,3})");
    private static final Pattern VALUE_KEY = Pattern.compile("parameter_value_([1-9][0-9]{0,3})");

    public record Parameter(String name, String value) {
    }

    private NumberedParameters() {
    }

    /**
     * Every N that has a non-blank name, ordered by N as a number (1, 2, ..., 9, 10, 11). A value
     * without a name is refused, so nothing a caller sent is silently dropped.
     *
     * @param emptyValuesAllowed false for templates: WATI refuses a blank value with an obscure error
     */
    public static List<Parameter> collect(ActionFields fields, boolean emptyValuesAllowed) {
        TreeMap<Integer, String> names = new TreeMap<>();
        for (Map.Entry<String, String> e : fields.asMap().entrySet()) {
            Matcher name = NAME_KEY.matcher(e.getKey());
            if (name.matches() && e.getValue() != null && !e.getValue().isBlank()) {
                names.put(Integer.valueOf(name.group(1)), e.getValue().strip());
            }
            Matcher value = VALUE_KEY.matcher(e.getKey());
            if (value.matches() && e.getValue() != null && !e.getValue().isEmpty()) {
                String n = value.group(1);
                String pairedName = fields.get("parameter_name_" + n);
                if (pairedName == null) {
                    throw new ActionRejectedException(e.getKey() + " has no parameter_name_" + n);
                }
            }
        }
        if (names.size() > MAX_PAIRS) {
            throw new ActionRejectedException("Too many parameters: at most " + MAX_PAIRS + " pairs");
        }
        List<Parameter> parameters = new ArrayList<>(names.size());
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            String name = e.getValue();
            String value = fields.raw("parameter_value_" + e.getKey());
            if (name.length() > MAX_NAME_LENGTH) {
                throw new ActionRejectedException("parameter_name_" + e.getKey() + " is longer than " + MAX_NAME_LENGTH + " characters");
            }
            if (value == null || value.isBlank()) {
                if (!emptyValuesAllowed) {
                    throw new ActionRejectedException("Parameter '" + name + "' (parameter_value_" + e.getKey()
                            + ") has no value: WATI refuses blank template parameters");
                }
                value = value == null ? "" : value;
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new ActionRejectedException("parameter_value_" + e.getKey() + " is longer than " + MAX_VALUE_LENGTH + " characters");
            }
            parameters.add(new Parameter(name, value));
        }
        return parameters;
    }
}
