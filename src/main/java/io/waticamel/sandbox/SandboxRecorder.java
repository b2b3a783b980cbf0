package io.waticamel.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * What the sandbox received, for a user's look and a workflow test's assertions: the last
 * {@code wati.sandbox.max-recorded} requests (older ones are dropped, so memory stays bounded
 * however long the sandbox runs). Never the token: only requests that brought the right one are
 * recorded, and the Authorization header is not kept.
 * <p>
 * A body is kept as its JSON text (compact, UTF-8), at most {@value #MAX_BODY_BYTES} bytes of it: a
 * larger one (a bulk send to thousands) is recorded as {@code {"bytes": <its JSON's size>, "truncated": true}}.
 * So the records hold at most max-recorded × 64 KiB of bodies, not max-recorded × the 1 MiB a
 * JSON body may have.
 */
public final class SandboxRecorder {

    /** Most bytes of a body's JSON a record keeps. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One request as WATI received it and what the sandbox answered.
     *
     * @param path     after the tenant ({@code /api/v1/sendSessionMessage/27821234567})
     * @param query    the query's parameters, decoded
     * @param bodyJson the body as JSON text (see {@link #body()}); null when none
     * @param refusal  the refusal answered instead of success, or null
     */
    public record Recorded(long seq, Instant time, String method, String operation, String path, Map<String, String> query, String bodyJson,
            int status, String refusal) {

        /**
         * The JSON body; for a file upload its part's name, content type and size; {@code {"bytes": n}} for another body,
         * {@code {"bytes": n, "truncated": true}} for JSON of more than {@value SandboxRecorder#MAX_BODY_BYTES} bytes; null
         * when none.
         */
        public JsonNode body() {
            try {
                return bodyJson == null ? null : MAPPER.readTree(bodyJson);
            } catch (IOException e) {
                throw new IllegalStateException("A recorded body is JSON the recorder wrote", e);
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("seq", seq);
            map.put("time", time.toString());
            map.put("method", method);
            map.put("operation", operation);
            map.put("path", path);
            map.put("query", query);
            // written as it is kept (JSON the recorder wrote itself), not parsed again for each listing
            map.put("body", bodyJson == null ? null : new RawValue(bodyJson));
            map.put("status", status);
            map.put("refusal", refusal);
            return map;
        }
    }

    private final int max;
    private final ArrayDeque<Recorded> ring;
    private long seq;

    public SandboxRecorder(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("wati.sandbox.max-recorded must be at least 1");
        }
        this.max = max;
        this.ring = new ArrayDeque<>(Math.min(max, 1024));
    }

    public Recorded add(Instant time, String method, String operation, String path, Map<String, String> query, JsonNode body, int status,
            String refusal) {
        String kept = kept(body);
        synchronized (this) {
            Recorded recorded = new Recorded(++seq, time, method, operation, path, query, kept, status, refusal);
            if (ring.size() == max) {
                ring.removeFirst();
            }
            ring.addLast(recorded);
            return recorded;
        }
    }

    /** The body's JSON text, or the truncation marker when it is larger than {@value #MAX_BODY_BYTES} bytes. */
    static String kept(JsonNode body) {
        if (body == null) {
            return null;
        }
        String json;
        try {
            json = MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree is written as JSON", e);
        }
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes <= MAX_BODY_BYTES) {
            return json;
        }
        return JsonNodeFactory.instance.objectNode().put("bytes", bytes).put("truncated", true).toString();
    }

    /** Oldest first; only {@code operation}'s when it is given. */
    public synchronized List<Recorded> list(String operation) {
        return ring.stream().filter(r -> operation == null || operation.equals(r.operation())).toList();
    }

    /** How many are kept now (at most {@link #max()}). */
    public synchronized int size() {
        return ring.size();
    }

    /** How many were received since the start (or the last clear), kept or dropped. */
    public synchronized long total() {
        return seq;
    }

    public int max() {
        return max;
    }

    public synchronized int clear() {
        int removed = ring.size();
        ring.clear();
        seq = 0;
        return removed;
    }
}
