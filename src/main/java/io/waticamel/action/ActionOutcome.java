package io.waticamel.action;

import java.util.Locale;

/**
 * How an action ended, by reason: the {@code outcome} label of the action metrics. A fixed set, so
 * a label never carries a caller's text (an error message, a number, an endpoint).
 */
public enum ActionOutcome {
    /** WATI accepted the call (or the action answered itself, get_media). */
    OK,
    /** The request is wrong (a field missing or malformed, an unknown action): 400, WATI not called. */
    INVALID,
    /** The template is not in the account's catalogue, not approved, or given other parameter names: 400. */
    TEMPLATE_REFUSED,
    /** send_session_file's file_url (or a download of it) could not be fetched: 400, WATI not called. */
    DOWNLOAD_FAILED,
    /** A template to a number that opted out: 403. */
    OPTED_OUT,
    /** A session message to a contact whose 24-hour window is closed, without a fallback: 409. */
    WINDOW_CLOSED,
    /** The account's throttle queue is longer than wati.throttle.max-wait-ms: 429. */
    THROTTLED,
    /** A campaign's send held back before WATI was called (paused, cancelled, quiet hours began). */
    CAMPAIGN_HELD,
    /** The runtime could not check what it must before sending (its database): 503. */
    UNAVAILABLE,
    /** WATI answered and refused (result:false, a 4xx, ...): 502. */
    WATI_REFUSED,
    /** WATI answered 429 or 5xx on every attempt: 502 and a dead letter. */
    WATI_UNAVAILABLE,
    /** WATI could not be reached (connection refused, timeout, TLS): 502 and a dead letter. */
    WATI_UNREACHABLE,
    /** The media could not be stored (Azure Blob Storage, the files table): 502. */
    STORAGE_FAILED,
    /** Something else outside the runtime failed (a route file's ActionFailedException): 502. */
    FAILED,
    /** A fault of the runtime or of a route file: 500. */
    ERROR;

    /** The label value: the name in lower case ({@code wati_refused}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
