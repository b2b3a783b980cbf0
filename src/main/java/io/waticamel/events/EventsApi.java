package io.waticamel.events;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import io.waticamel.security.RecordOwners;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The stored WATI events for operators (bean {@code watiEventsApi}): list, show and retry a failed
 * one. Events are the customers' messages, not any caller's records: only the keys that see all
 * records (wati.api-admins, or the only key) may read them; others get 403.
 */
public class EventsApi {

    private static final int MAX_PAGE_SIZE = 500;
    private final EventStore store;
    private final RecordOwners owners;
    private final ObjectMapper mapper = new ObjectMapper();

    public EventsApi(EventStore store, RecordOwners owners) {
        this.store = store;
        this.owners = owners;
    }

    /** GET /api/v1/events?state=&account=&type=&page=&size=, newest first. */
    public void list(Exchange exchange) throws Exception {
        if (!admin(exchange)) {
            return;
        }
        Message in = exchange.getMessage();
        int page;
        int size;
        try {
            page = MessageLog.bounded(in.getHeader("page", String.class), 0, 0, Integer.MAX_VALUE, "page");
            size = MessageLog.bounded(in.getHeader("size", String.class), 50, 1, MAX_PAGE_SIZE, "size");
        } catch (ActionRejectedException e) {
            JsonAnswer.send(exchange, 400, Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", page);
        answer.put("size", size);
        answer.put("events", store.list(blankToNull(in.getHeader("state", String.class)), blankToNull(in.getHeader("account", String.class)),
                blankToNull(in.getHeader("type", String.class)), page, size));
        JsonAnswer.send(exchange, 200, answer);
    }

    /** GET /api/v1/events/{id}: the event with the JSON WATI sent. */
    public void get(Exchange exchange) throws Exception {
        Map<String, Object> event = found(exchange);
        if (event != null) {
            event.put("payload", mapper.readTree((String) event.get("payload")));
            JsonAnswer.send(exchange, 200, event);
        }
    }

    /** POST /api/v1/events/{id}/retry: a failed event is processed again (its attempts start over); 409 when it is not failed. */
    public void retry(Exchange exchange) throws Exception {
        Map<String, Object> event = found(exchange);
        if (event == null) {
            return;
        }
        if (store.retry((Long) event.get("id"))) {
            JsonAnswer.send(exchange, 202, Map.of("id", event.get("id"), "state", "received"));
        } else {
            JsonAnswer.send(exchange, 409, Map.of("error", "Only a failed event can be retried; this one is " + event.get("state")));
        }
    }

    /** The path's event for an admin; null when a 403 or 404 has been answered. */
    private Map<String, Object> found(Exchange exchange) throws Exception {
        if (!admin(exchange)) {
            return null;
        }
        String id = exchange.getMessage().getHeader("id", String.class);
        Map<String, Object> event = id != null && id.matches("[0-9]{1,18}") ? store.find(Long.parseLong(id)) : null;
        if (event == null) {
            JsonAnswer.send(exchange, 404, Map.of("error", "No event with this id"));
        }
        return event;
    }

    private boolean admin(Exchange exchange) throws Exception {
        if (owners.seesAll(exchange)) {
            return true;
        }
        JsonAnswer.send(exchange, 403, Map.of("error", "WATI events are shown to the API keys named in wati.api-admins only"));
        return false;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
