package io.waticamel.sandbox;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sandbox account's approved templates, listed as WATI's {@code getMessageTemplates} lists them
 * (so the runtime's template checks pass for them and refuse others), and checked at a send as WATI
 * checks: the name, then the parameters' names (exact, case-sensitive) and values (not blank).
 */
public final class SandboxTemplates {

    /** One approved template: the parameters a send must give, in order, and the text they go into. */
    public record Sample(String name, String category, String body, List<String> parameters) {
        ObjectNode toJson() {
            ObjectNode t = JsonNodeFactory.instance.objectNode();
            t.put("id", "sandbox-" + name);
            t.put("elementName", name);
            t.put("category", category);
            t.put("status", "APPROVED");
            t.putObject("language").put("key", "English").put("value", "en").put("text", "English");
            t.put("body", body);
            ArrayNode params = t.putArray("customParams");
            parameters.forEach(p -> params.addObject().put("paramName", p).put("paramValue", ""));
            return t;
        }
    }

    public static final List<Sample> ALL = List.of(
            new Sample("order_update", "UTILITY", "Hi {{customer_name}}, your order {{order_number}} is on its way.",
                    List.of("customer_name", "order_number")),
            new Sample("welcome", "MARKETING", "Welcome to our WhatsApp updates! Reply STOP to stop them.", List.of()),
            new Sample("spring_sale", "MARKETING", "Hi {{name}}, use code {{code}} for 20% off this spring.", List.of("name", "code")));

    private SandboxTemplates() {
    }

    /** One page of {@code getMessageTemplates} (pages from 1). */
    public static ObjectNode page(int pageSize, int pageNumber) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("result", "success");
        ArrayNode list = answer.putArray("messageTemplates");
        int size = Math.max(1, pageSize);
        ALL.stream().skip((long) Math.max(0, pageNumber - 1) * size).limit(size).forEach(t -> list.add(t.toJson()));
        answer.putObject("link").put("pageNumber", pageNumber).put("pageSize", size).put("total", ALL.size());
        return answer;
    }

    /**
     * Why WATI would refuse this template with these parameters ({@code [{"name", "value"}]}), or null when it
     * would send it.
     */
    public static String refusal(String templateName, JsonNode parameters) {
        Sample template = ALL.stream().filter(t -> t.name().equals(templateName)).findFirst().orElse(null);
        if (template == null) {
            return "Template not found or not approved";
        }
        List<String> names = new ArrayList<>();
        if (parameters != null && parameters.isArray()) {
            for (JsonNode p : parameters) {
                String name = p.path("name").asText("");
                names.add(name);
                if (p.path("value").asText("").isBlank()) {
                    return "Template parameter '" + name + "' has a blank text";
                }
            }
        }
        if (!new java.util.HashSet<>(names).equals(new java.util.HashSet<>(template.parameters())) || names.size() != template.parameters().size()) {
            return "Template Parameters Mismatch: " + template.name() + " expects " + template.parameters();
        }
        return null;
    }
}
