package io.waticamel.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import io.waticamel.events.WatiEvent;
import io.waticamel.http.EchoedText;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.http.RequestIds;
import io.waticamel.pipeline.ActionApi;
import io.waticamel.security.RecordOwners;
import org.apache.camel.Exchange;

/**
 * The sandbox's API for its user (bean {@code watiSandboxApi}, routes in sandbox.camel.yaml, behind
 * the API key as every /api path): what it is, what it received, the refusals it is told to answer,
 * and a customer's inbound message, media or STOP, POSTed to the runtime's own webhook over HTTP.
 * With the sandbox off, every call answers 404 saying how to turn it on.
 * <p>
 * Only the keys that see every caller's records ({@code wati.api-admins}, or the only key) may use
 * it: its records hold every caller's numbers and texts, and its refusals and inbound events steer
 * what every caller's sends to the account {@code sandbox} get. Another key gets 403. No call takes
 * a query parameter but the requests list's {@code operation}: another is a 400, not ignored.
 */
public final class SandboxApi implements AutoCloseable {

    static final String OFF = "The WATI sandbox is off: start the runtime with wati.sandbox.enabled=true (environment WATI_SANDBOX_ENABLED=true) "
            + "to use it";
    static final String NOT_ADMIN = "The sandbox is for the keys of wati.api-admins (or the only key)";
    static final String JSON_ONLY = "Send the fields as a JSON object with Content-Type: application/json";
    private static final List<String> REFUSAL_FIELDS = List.of("call", "refusal", "times");
    private static final Duration POLL = Duration.ofMillis(50);

    private final SandboxWati sandbox;
    private final RecordOwners owners;
    private final InboundEvents inbound;
    private final URI webhook;
    private final Function<String, Map<String, Object>> storedEvent;
    private final Duration inboundWait;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param sandbox     the running sandbox, or null when it is off (closed by its owner, SandboxStart, not here)
     * @param owners      which API keys may use it (those that see every caller's records)
     * @param webhook     the runtime's own webhook URL of the sandbox account (with its secret)
     * @param storedEvent the runtime's stored event of the sandbox account with this dedup key ({@link WatiEvent#dedupKey}),
     *                    as its summary (id, state, attempts, file_id, error), or null while there is none
     * @param inboundWait longest an inbound call waits for the runtime to process its event
     */
    public SandboxApi(SandboxWati sandbox, RecordOwners owners, URI webhook, Function<String, Map<String, Object>> storedEvent,
            Duration inboundWait) {
        this.sandbox = sandbox;
        this.owners = owners;
        this.inbound = sandbox == null ? null : new InboundEvents(sandbox.clock(), sandbox.endpoint(), sandbox::newId);
        this.webhook = webhook;
        this.storedEvent = storedEvent;
        this.inboundWait = inboundWait;
        this.http = sandbox == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The sandbox off: null, so no route has a sandbox. */
    public static SandboxApi off() {
        return new SandboxApi(null, null, null, key -> null, Duration.ZERO);
    }

    /** One call's work, once the sandbox is on and the caller may use it; a refusal is thrown as ActionRejectedException. */
    private interface Call {
        void answer() throws Exception;
    }

    /** 404 when off, 403 for a key that does not see all, the call's ActionRejectedException as its 4xx with the reason. */
    private void call(Exchange exchange, Call call) throws Exception {
        if (sandbox == null) {
            JsonAnswer.error(exchange, 404, OFF);
            return;
        }
        if (!owners.seesAll(exchange)) {
            JsonAnswer.error(exchange, 403, NOT_ADMIN);
            return;
        }
        try {
            call.answer();
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, e.httpStatus(), e.getMessage());
        }
    }

    /** GET /api/v1/sandbox: the account, its endpoint and sample files, templates, refusals waiting, requests recorded. */
    public void status(Exchange exchange) throws Exception {
        call(exchange, () -> {
            QueryParameters.of(exchange);
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
        });
    }

    /** GET /api/v1/sandbox/requests[?operation=]: what WATI received, oldest first; operation is one a refusal may name. */
    public void requests(Exchange exchange) throws Exception {
        call(exchange, () -> {
            String operation = QueryParameters.of(exchange, "operation").text("operation");
            if (operation != null && !SandboxRefusals.CALLS.contains(operation)) {
                throw new ActionRejectedException("operation is one of " + String.join(", ", SandboxRefusals.CALLS) + ", not '"
                        + EchoedText.cut(operation) + "'");
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("received", sandbox.recorder().total());
            answer.put("max_recorded", sandbox.recorder().max());
            answer.put("requests", sandbox.recorder().list(operation).stream().map(SandboxRecorder.Recorded::toMap).toList());
            JsonAnswer.send(exchange, 200, answer);
        });
    }

    /** DELETE /api/v1/sandbox/requests. */
    public void clearRequests(Exchange exchange) throws Exception {
        call(exchange, () -> {
            // DELETE ...?operation=x clears all: refused rather than taken for a filter
            QueryParameters.of(exchange);
            JsonAnswer.send(exchange, 200, Map.of("removed", sandbox.recorder().clear()));
        });
    }

    /** GET /api/v1/sandbox/refusals: the refusals waiting, and what may be asked for. */
    public void refusals(Exchange exchange) throws Exception {
        call(exchange, () -> {
            QueryParameters.of(exchange);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("refusals", sandbox.refusals().list());
            List<String> calls = new ArrayList<>(SandboxRefusals.CALLS);
            calls.add(SandboxRefusals.ANY);
            answer.put("calls", calls);
            answer.put("kinds", Refusal.labels().split(", "));
            JsonAnswer.send(exchange, 200, answer);
        });
    }

    /** POST /api/v1/sandbox/refusals {"call", "refusal", "times"}: 201 with the refusal, 400 with the reason. */
    public void addRefusal(Exchange exchange) throws Exception {
        call(exchange, () -> {
            QueryParameters.of(exchange);
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
        });
    }

    /** DELETE /api/v1/sandbox/refusals. */
    public void clearRefusals(Exchange exchange) throws Exception {
        call(exchange, () -> {
            QueryParameters.of(exchange);
            JsonAnswer.send(exchange, 200, Map.of("removed", sandbox.refusals().clear()));
        });
    }

    /**
     * POST /api/v1/sandbox/inbound {"type": "message"|"media"|"stop", "whatsappNumber", ...}: the event is POSTed to
     * the runtime's webhook as WATI would (with this request's X-Request-Id), then waited for until the runtime has
     * processed it (media archived, opt-out recorded), at most {@code wati.sandbox.inbound-wait}. 200 with WATI's event
     * id, the webhook's status and the stored event's id, state, file and error; 400 with the reason; 502 when the
     * webhook did not take it.
     */
    public void inbound(Exchange exchange) throws Exception {
        call(exchange, () -> {
            QueryParameters.of(exchange);
            ObjectNode event = inbound.build(object(exchange));
            deliver(exchange, event);
        });
    }

    private void deliver(Exchange exchange, ObjectNode event) throws Exception {
        byte[] payload = event.toString().getBytes(StandardCharsets.UTF_8);
        // the key the runtime stores it under: found by one lookup on its unique index, however many events come after it
        String dedupKey = WatiEvent.parse(payload).dedupKey(payload);
        HttpRequest.Builder post = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        String requestId = exchange.getProperty(RequestIds.PROPERTY, String.class);
        if (requestId != null) {
            // the webhook request's log lines carry the id of the call that played the customer
            post.header(RequestIds.HEADER, requestId);
        }
        HttpResponse<String> delivered;
        try {
            delivered = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            JsonAnswer.error(exchange, 502, "The runtime's webhook could not be reached: " + e.getClass().getSimpleName());
            return;
        }
        if (delivered.statusCode() != 200) {
            // the error shape alone (as documented): the webhook's own reason goes into it
            Object reason = json(delivered.body()) instanceof JsonNode j && j.path("error").isTextual() ? j.get("error").asText() : null;
            JsonAnswer.error(exchange, 502, "The runtime's webhook answered HTTP " + delivered.statusCode()
                    + (reason == null ? "" : ": " + EchoedText.cut(reason.toString())));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("wati_id", event.get("id").asText());
        answer.put("webhook_status", delivered.statusCode());
        answer.put("webhook_answer", json(delivered.body()));
        Map<String, Object> stored = processed(dedupKey);
        answer.put("event_id", stored == null ? null : stored.get("id"));
        answer.put("state", stored == null ? null : stored.get("state"));
        answer.put("file_id", stored == null ? null : stored.get("file_id"));
        answer.put("error", stored == null ? null : stored.get("error"));
        answer.put("event", event);
        JsonAnswer.send(exchange, 200, answer);
    }

    /** The stored event once processed (or an attempt failed), else as it is when the wait ends. */
    private Map<String, Object> processed(String dedupKey) throws InterruptedException {
        Instant until = Instant.now().plus(inboundWait);
        Map<String, Object> stored = storedEvent.apply(dedupKey);
        while (Instant.now().isBefore(until) && (stored == null || "received".equals(stored.get("state"))
                && ((Number) stored.getOrDefault("attempts", 0)).intValue() == 0)) {
            Thread.sleep(POLL);
            stored = storedEvent.apply(dedupKey);
        }
        return stored;
    }

    /** The body as a JSON object; a form (curl -d without a Content-Type) is a 415 saying what to send. */
    private JsonNode object(Exchange exchange) {
        if (ActionApi.parsedAsForm(exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class))) {
            // the HTTP server parses such a body as form fields: "not a JSON object" would puzzle
            throw new ActionRejectedException(JSON_ONLY, 415);
        }
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

    /** Closes this API's HTTP client; the sandbox itself is SandboxStart's to close. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
