package io.waticamel.action;

/**
 * The caller's request is wrong and WATI was not called: answered with HTTP 400 and the message as
 * {@code task_<id>_run_text}. Messages must never contain a token or API key.
 */
public class ActionRejectedException extends RuntimeException {

    private final int httpStatus;

    public ActionRejectedException(String message) {
        this(message, 400);
    }

    public ActionRejectedException(String message, int httpStatus) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
