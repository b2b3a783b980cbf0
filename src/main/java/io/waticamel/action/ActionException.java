package io.waticamel.action;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An action that ends early with a known outcome: its message becomes {@code task_<id>_run_text}
 * (never a token or API key in it), its status the HTTP answer.
 */
public abstract class ActionException extends RuntimeException {

    private final int httpStatus;
    private final transient JsonNode response;

    protected ActionException(String message, int httpStatus, JsonNode response) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.response = response;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** What goes into {@code task_<id>_response}: WATI's answer when there was one, else null. */
    public JsonNode response() {
        return response;
    }
}
