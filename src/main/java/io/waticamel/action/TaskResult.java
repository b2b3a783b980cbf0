package io.waticamel.action;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outcome of one action as BaseCloud's WATI task defines it, plus the HTTP status the action
 * API answers with (200 run, 400 refused before WATI, 401 no API key, 502 WATI refused or unreachable).
 */
public record TaskResult(String taskId, boolean run, String runText, JsonNode response, int httpStatus) {

    /** Exactly the task's three output variables. */
    public Map<String, Object> variables() {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("task_" + taskId + "_run", run);
        variables.put("task_" + taskId + "_run_text", runText);
        variables.put("task_" + taskId + "_response", response);
        return variables;
    }
}
