package io.waticamel.action;

import com.fasterxml.jackson.databind.JsonNode;

/** Something outside the runtime refused or failed (WATI, a file host, blob storage): HTTP 502 by default. */
public class ActionFailedException extends ActionException {

    public ActionFailedException(String message) {
        this(message, null);
    }

    public ActionFailedException(String message, JsonNode response) {
        this(message, response, ActionOutcome.FAILED);
    }

    /** A failure whose reason is known (WATI refused, storage failed, ...). */
    public ActionFailedException(String message, JsonNode response, ActionOutcome outcome) {
        super(message, 502, response, outcome);
    }
}
