package io.waticamel.sandbox;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the sandbox received, for a user's look and a workflow test's assertions: the last
 * {@code wati.sandbox.max-recorded} requests (older ones are dropped, so memory stays bounded
 * however long the sandbox runs). Never the token: only requests that brought the right one are
 * recorded, and the Authorization header is not kept.
 */
public final class SandboxRecorder {

    /**
     * One request as WATI received it and what the sandbox answered.
     *
     * @param path    after the tenant ({@code /api/v1/sendSessionMessage/27821234567})
     * @param query   the query's parameters, decoded
     * @param body    the JSON body; for a file upload its part's name, content type and size; null when none
     * @param refusal the refusal answered instead of success, or null
     */
    public record Recorded(long seq, Instant time, String method, String operation, String path, Map<String, String> query, JsonNode body,
            int status, String refusal) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("seq", seq);
            map.put("time", time.toString());
            map.put("method", method);
            map.put("operation", operation);
            map.put("path", path);
            map.put("query", query);
            map.put("body", body);
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

    public synchronized Recorded add(Instant time, String method, String operation, String path, Map<String, String> query, JsonNode body,
            int status, String refusal) {
        Recorded recorded = new Recorded(++seq, time, method, operation, path, query, body, status, refusal);
        if (ring.size() == max) {
            ring.removeFirst();
        }
        ring.addLast(recorded);
        return recorded;
    }

    /** Oldest first; only {@code operation}'s when it is given. */
    public synchronized List<Recorded> list(String operation) {
        return ring.stream().filter(r -> operation == null || operation.equals(r.operation())).toList();
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
