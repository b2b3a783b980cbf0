package io.waticamel.action;

/** The caller's request is wrong and nothing was sent on its behalf: HTTP 400 (or the given 4xx). */
public class ActionRejectedException extends ActionException {

    public ActionRejectedException(String message) {
        this(message, 400);
    }

    public ActionRejectedException(String message, int httpStatus) {
        super(message, httpStatus, null);
    }
}
