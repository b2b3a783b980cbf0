package io.waticamel.action;

/** The caller's request is wrong and nothing was sent on its behalf: HTTP 400 (or the given 4xx). */
public class ActionRejectedException extends ActionException {

    public ActionRejectedException(String message) {
        this(message, 400);
    }

    public ActionRejectedException(String message, int httpStatus) {
        this(message, httpStatus, ActionOutcome.INVALID);
    }

    /** A refusal with a reason of its own (opted out, window closed, template refused, ...). */
    public ActionRejectedException(String message, int httpStatus, ActionOutcome outcome) {
        super(message, httpStatus, null, outcome);
    }
}
