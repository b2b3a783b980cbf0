package io.waticamel.events;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.security.RecordOwners;
import org.apache.camel.Exchange;

/**
 * The stored WATI events for operators (bean {@code watiEventsApi}): list, show and retry a failed
 * one. Events are the customers' messages, not any caller's records: only the keys that see all
 * records (wati.api-admins, or the only key) may read them; others get 403.
 */
public class EventsApi {

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
        QueryParameters query;
        int page;
        int size;
        String state;
        try {
            query = QueryParameters.of(exchange, "state", "account", "type", "page", "size");
            page = query.page();
            size = query.size(50);
            state = query.oneOf("state", EventStore.STATES);
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", page);
        answer.put("size", size);
        String account = query.text("account");
        answer.put("events", store.list(state, account == null ? null : account.toLowerCase(java.util.Locale.ROOT), query.text("type"), page, size));
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
            JsonAnswer.error(exchange, 409, "Only a failed event can be retried; this one is " + event.get("state"));
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
            JsonAnswer.error(exchange, 404, "No event with this id");
        }
        return event;
    }

    private boolean admin(Exchange exchange) throws Exception {
        if (owners.seesAll(exchange)) {
            return true;
        }
        JsonAnswer.error(exchange, 403, "WATI events are shown to the API keys named in wati.api-admins only");
        return false;
    }

}
