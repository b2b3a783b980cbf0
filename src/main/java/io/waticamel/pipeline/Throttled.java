package io.waticamel.pipeline;

import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;

/** The account's calls already waiting need longer than the max wait: 429 with Retry-After. */
public class Throttled extends ActionRejectedException {

    private final long retryAfterSeconds;

    public Throttled(String message, long retryAfterSeconds) {
        super(message, 429, ActionOutcome.THROTTLED);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
