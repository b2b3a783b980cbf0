package io.waticamel.templates;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One template of an account's catalogue as WATI lists it ({@code getMessageTemplates}): the name to
 * send as {@code template_name} ({@code elementName}), its language, status, category, and the
 * parameter names a send must give, in order.
 */
public record Template(String name, String language, String status, String category, List<String> parameters) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}\\s]{1,256})\\s*}}");

    public Template {
        parameters = List.copyOf(parameters);
    }

    /** Only an approved template can be sent. */
    public boolean approved() {
        return "APPROVED".equalsIgnoreCase(status);
    }

    /**
     * One entry of WATI's {@code messageTemplates}, or null without an {@code elementName}. The parameters are the
     * names of {@code customParams} ({@code name} or {@code paramName}); without any, the {@code {{name}}}
     * placeholders of {@code body} (and of a text header), in order of appearance.
     */
    static Template of(JsonNode json) {
        String name = text(json.get("elementName"));
        if (name == null) {
            return null;
        }
        Set<String> parameters = new LinkedHashSet<>();
        JsonNode custom = json.get("customParams");
        if (custom != null && custom.isArray()) {
            for (JsonNode p : custom) {
                String parameter = p.isTextual() ? text(p) : text(p.has("paramName") ? p.get("paramName") : p.get("name"));
                if (parameter != null) {
                    parameters.add(parameter);
                }
            }
        }
        if (parameters.isEmpty()) {
            JsonNode header = json.get("header");
            placeholders(header == null ? null : text(header.isObject() ? header.get("text") : header), parameters);
            placeholders(text(json.get("body")), parameters);
        }
        String status = text(json.get("status"));
        return new Template(name, language(json.get("language")), status == null ? "UNKNOWN" : status.toUpperCase(Locale.ROOT),
                text(json.get("category")), new ArrayList<>(parameters));
    }

    private static void placeholders(String text, Set<String> into) {
        if (text == null) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    /** A language code ("en") or WATI's object form ({@code {"key": "English", "value": "en"}}); "-" when absent. */
    private static String language(JsonNode json) {
        if (json == null || json.isNull()) {
            return "-";
        }
        if (json.isObject()) {
            String value = text(json.get("value"));
            return value != null ? value : json.has("key") && text(json.get("key")) != null ? text(json.get("key")) : "-";
        }
        String text = text(json);
        return text == null ? "-" : text;
    }

    private static String text(JsonNode json) {
        if (json == null || json.isNull() || json.isContainerNode()) {
            return null;
        }
        String text = json.asText().strip();
        return text.isEmpty() ? null : text;
    }
}
