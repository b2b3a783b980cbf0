package io.waticamel.events;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.waticamel.action.TaskResult;
import io.waticamel.pipeline.Action;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.RecordOwners;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.kamelet.KameletEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the events worker (bean {@code watiEvents}): claim stored events, load one, archive
 * its media with get_media, pass it on to every subscriber that has not had it yet, then mark it
 * processed; a failed attempt is tried again later (backoff, {@code wati.events.*}), and after the
 * last one the event is {@code failed} (kept, with its error).
 * <p>
 * Subscribers are your routes that consume the Kamelet {@code wati-event-source} (the route the
 * Kamelet makes for each consumes {@value #SUBSCRIBER_PREFIX}{@code <its route id>}) and, with
 * {@code wati.events.forward-url}, the forward route. Each gets the event once: the ones that had it are kept with the event, so a
 * retry after a subscriber failed reaches only the ones that failed.
 */
public class EventSteps {

    /** The Kamelet your routes consume, and the endpoint prefix of the route it makes for each of them. */
    static final String KAMELET = "wati-event-source";
    public static final String SUBSCRIBER_PREFIX = "direct:wati-event-subscriber-";
    /** Subscriber name of the forward route (wati.events.forward-url). */
    static final String FORWARD = "forward";
    static final String FORWARD_ENDPOINT = "direct:wati-event-forward";
    /** Headers of the event for subscribers (and, as X-Wati-*, for the forward URL). */
    public static final String EVENT_ID = "WatiEventId";
    public static final String EVENT_TYPE = "WatiEventType";
    public static final String ACCOUNT = "WatiAccount";
    public static final String FILE_ID = "WatiFileId";
    public static final String FILE_URL = "WatiFileUrl";
    public static final String MEDIA_ERROR = "WatiMediaError";
    private static final Logger LOG = LoggerFactory.getLogger(EventSteps.class);

    /** A subscriber failed (the first of them; the others suppressed): the event is tried again later for them. */
    public static class SubscriberFailedException extends Exception {
        public SubscriberFailedException(String subscriber, Throwable cause) {
            super("Subscriber " + subscriber + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause, true, false);
        }
    }

    private final EventStore store;
    private final CamelContext context;
    private final ProducerTemplate producer;
    private final Function<String, String> endpoints;
    private final Function<String, String> owners;
    private final boolean autoArchiveMedia;
    private final boolean forward;
    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Duration retention;

    /**
     * @param endpoints an account's configured endpoint (normalised), null when it has none
     * @param owners    the owner_id of an account's archived media
     */
    public EventSteps(EventStore store, CamelContext context, Function<String, String> endpoints, Function<String, String> owners,
            boolean autoArchiveMedia, boolean forward, int maxAttempts, Duration initialDelay, Duration maxDelay, Duration retention) {
        this.store = store;
        this.context = context;
        this.producer = context.createProducerTemplate();
        this.endpoints = endpoints;
        this.owners = owners;
        this.autoArchiveMedia = autoArchiveMedia;
        this.forward = forward;
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.retention = retention;
    }

    /** The worker's poll: the ids of the events it claimed (empty when none is due). */
    public List<Long> claim() throws SQLException {
        return store.claim();
    }

    /** The body (an event id) becomes the event's JSON text, the event the variable {@value InboundEvent#VARIABLE}. */
    public void load(Exchange exchange) throws SQLException {
        long id = exchange.getMessage().getBody(Long.class);
        EventStore.Stored stored = store.load(id);
        InboundEvent inbound = new InboundEvent(stored, endpoints.apply(stored.account()));
        exchange.setVariable(InboundEvent.VARIABLE, inbound);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(inbound.payload());
    }

    /** A customer's media not yet archived (and auto-archive on, and the account has an endpoint to fetch it from). */
    public boolean hasMediaToArchive(Exchange exchange) {
        InboundEvent inbound = InboundEvent.of(exchange);
        return autoArchiveMedia && inbound.fileId() == null && inbound.endpoint() != null && inbound.event().media() != null;
    }

    /** The body becomes a get_media action of the event's account (run as no API key's: its records are the admins'). */
    public void mediaAction(Exchange exchange) {
        InboundEvent inbound = InboundEvent.of(exchange);
        WatiEvent.Media media = inbound.event().media();
        String url = media.url() != null ? media.url()
                // WATI's own showFile URLs keep the path's slashes
                : inbound.endpoint() + "/api/file/showFile?fileName=" + URLEncoder.encode(media.fileName(), StandardCharsets.UTF_8)
                        .replace("%2F", "/");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("wati_action", "get_media");
        fields.put("account", inbound.account());
        fields.put("file_url", url);
        fields.put("owner_id", owners.apply(inbound.account()));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, RecordOwners.NO_CALLER);
        exchange.getMessage().setBody(fields);
    }

    /**
     * After get_media: the stored file is linked to the event; a refusal is passed on with the event
     * ({@value #MEDIA_ERROR}), not retried here (get_media kept what it could not finish as a dead letter).
     */
    public void mediaArchived(Exchange exchange) throws SQLException {
        InboundEvent inbound = InboundEvent.of(exchange);
        TaskResult result = exchange.getVariable(Action.RESULT_VARIABLE, TaskResult.class);
        if (result != null && result.run() && result.response() != null && result.response().hasNonNull("id")) {
            String fileId = result.response().get("id").asText();
            inbound.archived(fileId, result.response().path("file_url").asText(null));
            store.linkFile(inbound.id(), fileId);
        } else {
            inbound.mediaFailed(result == null ? "get_media gave no result" : result.runText());
            LOG.warn("WATI event {} of account {}: media not archived: {}", inbound.id(), inbound.account(), inbound.mediaError());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(inbound.payload());
    }

    /**
     * Passes the event to each subscriber that has not had it, in turn. One that fails does not keep
     * it from the others: the attempt fails after all were tried, and the retry calls only the ones
     * that failed.
     */
    public void deliver(Exchange exchange) throws SubscriberFailedException {
        InboundEvent inbound = InboundEvent.of(exchange);
        SubscriberFailedException failed = null;
        for (Map.Entry<String, String> subscriber : subscribers().entrySet()) {
            if (inbound.deliveredTo().contains(subscriber.getKey())) {
                continue;
            }
            Exchange sent = producer.send(subscriber.getValue(), e -> {
                e.getMessage().setBody(inbound.payload());
                e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                e.getMessage().setHeader(EVENT_ID, inbound.id());
                e.getMessage().setHeader(EVENT_TYPE, inbound.event().type());
                e.getMessage().setHeader(ACCOUNT, inbound.account());
                e.getMessage().setHeader(FILE_ID, inbound.fileId());
                e.getMessage().setHeader(FILE_URL, inbound.fileUrl());
                e.getMessage().setHeader(MEDIA_ERROR, inbound.mediaError());
            });
            if (sent.getException() == null) {
                inbound.deliveredTo().add(subscriber.getKey());
            } else if (failed == null) {
                failed = new SubscriberFailedException(subscriber.getKey(), sent.getException());
            } else {
                failed.addSuppressed(sent.getException());
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Name and endpoint of every subscriber: each route of yours that consumes the Kamelet, named by
     * its own route id (so the record of who had an event survives adding or removing route files),
     * then the forward.
     */
    Map<String, String> subscribers() {
        Map<String, String> subscribers = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof KameletEndpoint kamelet && KAMELET.equals(kamelet.getTemplateId())) {
                subscribers.put(route.getRouteId(), SUBSCRIBER_PREFIX + kamelet.getRouteId());
            }
        }
        if (forward) {
            subscribers.put(FORWARD, FORWARD_ENDPOINT);
        }
        return subscribers;
    }

    public void processed(Exchange exchange) throws SQLException, InterruptedException {
        InboundEvent inbound = InboundEvent.of(exchange);
        if (!store.processed(inbound.id(), inbound.claimToken(), String.join(",", inbound.deliveredTo()))) {
            LOG.warn("WATI event {}: processed after its claim ran out ({}): another worker may pass it on again", inbound.id(),
                    store.lease());
        }
    }

    /**
     * Before a step that may take long (media, subscribers): a claim past half its lease is renewed,
     * so no other worker takes the event meanwhile; a claim already lost ends this attempt.
     */
    public void keepClaim(Exchange exchange) throws SQLException, ClaimLostException {
        InboundEvent inbound = InboundEvent.of(exchange);
        if (Instant.now().isAfter(inbound.claimedUntil().minus(store.lease().dividedBy(2)))) {
            if (!store.renew(inbound.id(), inbound.claimToken())) {
                throw new ClaimLostException(inbound.id());
            }
            inbound.renewed(Instant.now().plus(store.lease()));
        }
    }

    /** The event's claim ran out and another worker has it now. */
    public static class ClaimLostException extends Exception {
        public ClaimLostException(long id) {
            super("WATI event " + id + ": claim lost (taken by another worker after the lease ran out); left to that worker", null,
                    false, false);
        }
    }

    /** A failed attempt: tried again after a backoff (5 s, 15 s, 45 s, ... at most wati.events.retry-max-delay), or failed for good. */
    public void failed(Exchange exchange) throws SQLException {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        InboundEvent inbound = exchange.getVariable(InboundEvent.VARIABLE, InboundEvent.class);
        if (e instanceof ClaimLostException) {
            LOG.warn(e.getMessage());
            return;
        }
        long id = inbound != null ? inbound.id() : exchange.getMessage().getBody(Long.class);
        // an event that could not be loaded has no count here: its row counts
        int attempts = inbound == null ? 1 : inbound.attempts() + 1;
        String error = e == null ? "unknown" : e instanceof SubscriberFailedException ? e.getMessage() : e.toString();
        Instant next = Instant.now().plus(backoff(attempts));
        store.attemptFailed(id, inbound == null ? null : inbound.claimToken(), inbound == null ? null : String.join(",", inbound.deliveredTo()),
                error, maxAttempts, next);
        if (attempts >= maxAttempts) {
            LOG.warn("WATI event {} failed after {} attempt(s), kept as failed: {}", id, attempts, error);
        } else {
            LOG.warn("WATI event {} attempt {} failed, next at {}: {}", id, attempts, next, error);
        }
    }

    Duration backoff(int attempts) {
        Duration delay = initialDelay;
        for (int i = 1; i < attempts && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(3);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** At start: this instance's claims from before a crash are processed again at once. */
    public void releaseOwnClaims() throws SQLException {
        int released = store.releaseOwnClaims();
        if (released > 0) {
            LOG.warn("{} WATI event(s) claimed before the last stop are processed again", released);
        }
    }

    /** Processed and failed events older than wati.events.retention are removed. */
    public void removeOld() throws SQLException {
        int removed = store.removeOlderThan(retention);
        if (removed > 0) {
            LOG.info("Removed {} WATI event(s) older than {}", removed, retention);
        }
    }
}
