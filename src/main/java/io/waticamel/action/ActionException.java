package io.waticamel.action;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An action that ends early with a known outcome: its message becomes {@code task_<id>_run_text}
 * (never a token or API key in it), its status the HTTP answer.
 */
public abstract class ActionException extends RuntimeException {

    private final int httpStatus;
    private final transient JsonNode response;
    private final ActionOutcome outcome;

    protected ActionException(String message, int httpStatus, JsonNode response, ActionOutcome outcome) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.response = response;
        this.outcome = outcome;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Why the action ended, for the metrics (the text says it to the caller). */
    public ActionOutcome outcome() {
        return outcome;
    }

    /** What goes into {@code task_<id>_response}: WATI's answer when there was one, else null. */
    public JsonNode response() {
        return response;
    }
}
