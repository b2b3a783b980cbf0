package io.waticamel.events;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * A stored event on its way through the {@code wati-event} route (exchange variable
 * {@value #VARIABLE}): the event, its account and that account's endpoint, and what processing
 * has added so far (the archived file, the subscribers it reached).
 */
public final class InboundEvent {

    public static final String VARIABLE = "watiEvent";

    private final long id;
    private final String account;
    private final String endpoint;
    private final WatiEvent event;
    private final String payload;
    private final int attempts;
    private final Instant receivedAt;
    private final Set<String> deliveredTo = new LinkedHashSet<>();
    private String fileId;
    private String fileUrl;
    private String mediaError;
    private final String claimToken;
    private Instant claimedUntil;

    InboundEvent(EventStore.Stored stored, String endpoint) {
        this.id = stored.id();
        this.account = stored.account();
        this.endpoint = endpoint;
        this.payload = stored.payload();
        this.event = WatiEvent.stored(stored.payload());
        this.attempts = stored.attempts();
        this.receivedAt = stored.receivedAt();
        this.claimToken = stored.claimToken();
        this.claimedUntil = stored.claimedUntil();
        this.fileId = stored.fileId();
        this.fileUrl = stored.fileUrl();
        if (stored.deliveredTo() != null && !stored.deliveredTo().isBlank()) {
            deliveredTo.addAll(Set.of(stored.deliveredTo().split(",")));
        }
    }

    public static InboundEvent of(Exchange exchange) {
        InboundEvent event = exchange.getVariable(VARIABLE, InboundEvent.class);
        if (event == null) {
            throw new IllegalStateException("No WATI event on this exchange");
        }
        return event;
    }

    public long id() {
        return id;
    }

    public String account() {
        return account;
    }

    /** The account's configured endpoint (normalised), or null when it has none. */
    public String endpoint() {
        return endpoint;
    }

    public WatiEvent event() {
        return event;
    }

    public String payload() {
        return payload;
    }

    public int attempts() {
        return attempts;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    /** This worker's claim on the event, and until when it holds. */
    String claimToken() {
        return claimToken;
    }

    Instant claimedUntil() {
        return claimedUntil;
    }

    void renewed(Instant until) {
        this.claimedUntil = until;
    }

    Set<String> deliveredTo() {
        return deliveredTo;
    }

    public String fileId() {
        return fileId;
    }

    public String fileUrl() {
        return fileUrl;
    }

    public String mediaError() {
        return mediaError;
    }

    void archived(String fileId, String fileUrl) {
        this.fileId = fileId;
        this.fileUrl = fileUrl;
    }

    void mediaFailed(String reason) {
        this.mediaError = reason;
    }
}
