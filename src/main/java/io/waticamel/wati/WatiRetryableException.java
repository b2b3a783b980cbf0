package io.waticamel.wati;

/**
 * WATI answered 429 or 5xx: worth another attempt (wati-calls route configuration). Carries WATI's
 * answer, so that when the attempts are exhausted the caller still gets WATI's status and reason.
 */
public class WatiRetryableException extends RuntimeException {

    private final int status;
    private final transient byte[] body;

    public WatiRetryableException(int status, byte[] body) {
        super("WATI answered HTTP " + status, null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public byte[] body() {
        return body;
    }
}
