package io.waticamel.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import org.apache.camel.Exchange;

/**
 * The sandbox's API for its user (bean {@code watiSandboxApi}, routes in sandbox.camel.yaml, behind
 * the API key as every /api path): what it is, what it received, the refusals it is told to answer,
 * and a customer's inbound message, media or STOP, POSTed to the runtime's own webhook over HTTP.
 * With the sandbox off, every call answers 404 saying how to turn it on.
 */
public final class SandboxApi implements AutoCloseable {

    static final String OFF = "The WATI sandbox is off: start the runtime with wati.sandbox.enabled=true (environment WATI_SANDBOX_ENABLED=true) "
            + "to use it";
    private static final List<String> REFUSAL_FIELDS = List.of("call", "refusal", "times");
    private static final Duration POLL = Duration.ofMillis(50);

    private final SandboxWati sandbox;
    private final InboundEvents inbound;
    private final URI webhook;
    private final Function<String, Map<String, Object>> storedEvent;
    private final Duration inboundWait;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param sandbox     the running sandbox, or null when it is off
     * @param webhook     the runtime's own webhook URL of the sandbox account (with its secret)
     * @param storedEvent the runtime's stored event of the sandbox account with this WATI id (its summary: id, state,
     *                    attempts, file_id, error), or null while there is none
     * @param inboundWait longest an inbound call waits for the runtime to process its event
     */
    public SandboxApi(SandboxWati sandbox, URI webhook, Function<String, Map<String, Object>> storedEvent, Duration inboundWait) {
        this.sandbox = sandbox;
        this.inbound = sandbox == null ? null : new InboundEvents(sandbox.clock(), sandbox.endpoint(), sandbox::newId);
        this.webhook = webhook;
        this.storedEvent = storedEvent;
        this.inboundWait = inboundWait;
        this.http = sandbox == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The sandbox off: null, so no route has a sandbox. */
    public static SandboxApi off() {
        return new SandboxApi(null, null, id -> null, Duration.ZERO);
    }

    /** GET /api/v1/sandbox: the account, its endpoint and sample files, templates, refusals waiting, requests recorded. */
    public void status(Exchange exchange) throws Exception {
        if (off(exchange)) {
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("account", SandboxWati.ACCOUNT);
        answer.put("endpoint", sandbox.endpoint());
        answer.put("sample_files", sandbox.samplesOrigin().toString());
        answer.put("templates", SandboxTemplates.ALL.stream().map(t -> {
            Map<String, Object> template = new LinkedHashMap<>();
            template.put("name", t.name());
            template.put("parameters", t.parameters());
            return template;
        }).toList());
        answer.put("refusals", sandbox.refusals().list());
        answer.put("recorded", sandbox.recorder().size());
        JsonAnswer.send(exchange, 200, answer);
    }

    /** GET /api/v1/sandbox/requests[?operation=]: what WATI received, oldest first. */
    public void requests(Exchange exchange) throws Exception {
        if (off(exchange)) {
            return;
        }
        String operation = exchange.getMessage().getHeader("operation", String.class);
        operation = operation == null || operation.isBlank() ? null : operation.strip();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", sandbox.recorder().total());
        answer.put("max_recorded", sandbox.recorder().max());
        answer.put("requests", sandbox.recorder().list(operation).stream().map(SandboxRecorder.Recorded::toMap).toList());
        JsonAnswer.send(exchange, 200, answer);
    }

    /** DELETE /api/v1/sandbox/requests. */
    public void clearRequests(Exchange exchange) throws Exception {
        if (!off(exchange)) {
            JsonAnswer.send(exchange, 200, Map.of("removed", sandbox.recorder().clear()));
        }
    }

    /** GET /api/v1/sandbox/refusals: the refusals waiting, and what may be asked for. */
    public void refusals(Exchange exchange) throws Exception {
        if (off(exchange)) {
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("refusals", sandbox.refusals().list());
        List<String> calls = new ArrayList<>(SandboxRefusals.CALLS);
        calls.add(SandboxRefusals.ANY);
        answer.put("calls", calls);
        answer.put("kinds", Refusal.labels().split(", "));
        JsonAnswer.send(exchange, 200, answer);
    }

    /** POST /api/v1/sandbox/refusals {"call", "refusal", "times"}: 201 with the refusal, 400 with the reason. */
    public void addRefusal(Exchange exchange) throws Exception {
        if (off(exchange)) {
            return;
        }
        try {
            JsonNode request = object(exchange);
            for (Iterator<String> names = request.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!REFUSAL_FIELDS.contains(name)) {
                    throw new ActionRejectedException("Unknown field '" + EchoedText.cut(name) + "': a refusal takes "
                            + String.join(", ", REFUSAL_FIELDS));
                }
            }
            JsonNode times = request.get("times");
            if (times != null && !(times.isIntegralNumber() && times.canConvertToInt())) {
                throw new ActionRejectedException("times must be a whole number (1 to " + SandboxRefusals.MAX_TIMES + ")");
            }
            SandboxRefusals.Armed armed = sandbox.refusals().add(textOrNull(request, "call"), textOrNull(request, "refusal"),
                    times == null ? null : times.intValue());
            JsonAnswer.send(exchange, 201, armed.toMap());
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
        }
    }

    /** DELETE /api/v1/sandbox/refusals. */
    public void clearRefusals(Exchange exchange) throws Exception {
        if (!off(exchange)) {
            JsonAnswer.send(exchange, 200, Map.of("removed", sandbox.refusals().clear()));
        }
    }

    /**
     * POST /api/v1/sandbox/inbound {"type": "message"|"media"|"stop", "whatsappNumber", ...}: the event is POSTed to
     * the runtime's webhook as WATI would, then waited for until the runtime has processed it (media archived,
     * opt-out recorded), at most {@code wati.sandbox.inbound-wait}. 200 with WATI's event id, the webhook's status and
     * the stored event's id, state, file and error; 400 with the reason; 502 when the webhook did not take it.
     */
    public void inbound(Exchange exchange) throws Exception {
        if (off(exchange)) {
            return;
        }
        ObjectNode event;
        try {
            event = inbound.build(object(exchange));
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        String watiId = event.get("id").asText();
        HttpResponse<String> delivered;
        try {
            delivered = http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(event.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            JsonAnswer.error(exchange, 502, "The runtime's webhook could not be reached: " + e.getClass().getSimpleName());
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("wati_id", watiId);
        answer.put("webhook_status", delivered.statusCode());
        answer.put("webhook_answer", json(delivered.body()));
        if (delivered.statusCode() != 200) {
            JsonAnswer.error(exchange, 502, "The runtime's webhook answered HTTP " + delivered.statusCode(), answer);
            return;
        }
        Map<String, Object> stored = processed(watiId);
        answer.put("event_id", stored == null ? null : stored.get("id"));
        answer.put("state", stored == null ? null : stored.get("state"));
        answer.put("file_id", stored == null ? null : stored.get("file_id"));
        answer.put("error", stored == null ? null : stored.get("error"));
        answer.put("event", event);
        JsonAnswer.send(exchange, 200, answer);
    }

    /** The stored event once processed (or an attempt failed), else as it is when the wait ends. */
    private Map<String, Object> processed(String watiId) throws InterruptedException {
        Instant until = Instant.now().plus(inboundWait);
        Map<String, Object> stored = storedEvent.apply(watiId);
        while (Instant.now().isBefore(until) && (stored == null || "received".equals(stored.get("state"))
                && ((Number) stored.getOrDefault("attempts", 0)).intValue() == 0)) {
            Thread.sleep(POLL);
            stored = storedEvent.apply(watiId);
        }
        return stored;
    }

    private JsonNode object(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        JsonNode json;
        try {
            json = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            throw new ActionRejectedException("The body is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new ActionRejectedException("The body must be a JSON object");
        }
        return json;
    }

    private Object json(String text) {
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            return text;
        }
    }

    private static String textOrNull(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    private boolean off(Exchange exchange) throws Exception {
        if (sandbox == null) {
            JsonAnswer.error(exchange, 404, OFF);
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
