package io.waticamel.templates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The pages of {@code getMessageTemplates} put together: templates keyed by name and language (a
 * repeat on a later page replaces nothing), and whether another page is needed. WATI gives
 * {@code link.total}; without it, paging stops at the first page that brings nothing new, so a server
 * that ignores {@code pageNumber} cannot make the load loop.
 */
final class TemplatePages {

    /** More pages than any account has: a safety stop, reported as a failed load. */
    static final int MAX_PAGES = 500;

    private final Map<String, Template> templates = new LinkedHashMap<>();
    private boolean complete;
    private int pages;

    /**
     * Adds one page's answer.
     *
     * @throws IllegalArgumentException when the answer has no {@code messageTemplates} list (not a catalogue page)
     */
    void add(JsonNode answer, int pageSize) {
        JsonNode list = answer == null ? null : answer.get("messageTemplates");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("WATI's answer has no messageTemplates list");
        }
        pages++;
        int before = templates.size();
        for (JsonNode json : list) {
            Template template = Template.of(json);
            if (template != null) {
                templates.putIfAbsent(template.name() + "\u0000" + template.language(), template);
            }
        }
        JsonNode total = answer.path("link").path("total");
        if (total.canConvertToInt() && total.isNumber()) {
            complete = templates.size() >= total.asInt() || list.isEmpty() || templates.size() == before;
        } else {
            complete = list.size() < pageSize || templates.size() == before;
        }
        if (!complete && pages >= MAX_PAGES) {
            throw new IllegalArgumentException("WATI kept answering pages: stopped after " + MAX_PAGES);
        }
    }

    boolean complete() {
        return complete;
    }

    List<Template> templates() {
        return new ArrayList<>(templates.values());
    }
}
