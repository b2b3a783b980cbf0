package io.waticamel.templates;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Whether a send's parameter names are exactly the template's, as WATI matches them (case-sensitive):
 * what is missing, what is unexpected, and a name that differs only in case, said as such.
 */
final class ParameterCheck {

    private ParameterCheck() {
    }

    /** Null when the names match (in any order); else what is wrong, naming each name. */
    static String mismatch(List<String> expected, List<String> given) {
        List<String> missing = expected.stream().filter(name -> !given.contains(name)).toList();
        List<String> unexpected = given.stream().filter(name -> !expected.contains(name)).toList();
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add("missing " + quoted(missing));
        }
        if (!unexpected.isEmpty()) {
            parts.add("unexpected " + quoted(unexpected));
        }
        List<String> cased = new ArrayList<>();
        for (String name : unexpected) {
            missing.stream().filter(m -> m.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))).findFirst()
                    .ifPresent(m -> cased.add("'" + name + "' should be '" + m + "'"));
        }
        String text = String.join("; ", parts);
        return cased.isEmpty() ? text : text + " (names are case-sensitive: " + String.join(", ", cased) + ")";
    }

    static String quoted(List<String> names) {
        return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    }
}
