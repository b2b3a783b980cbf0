package io.waticamel.sandbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.waticamel.action.ActionRejectedException;

/**
 * The refusals the sandbox is told to answer: each for the next {@code times} calls of one WATI
 * operation (or of any, {@code *}), taken in the order they were added. Counted per call WATI
 * receives, so a retried send uses one per attempt: a {@code rate_limited} twice is a send that
 * succeeds on its third attempt.
 * <p>
 * A refusal WATI answers with HTTP 200 and JSON ({@code ticket_expired}, {@code invalid_number}) is
 * never a media download's ({@code getMedia}, showFile) answer: the runtime would archive that JSON as
 * the customer's file. Asked for {@code getMedia} it is refused; under {@code *} it skips media calls.
 */
public final class SandboxRefusals {

    /** The operations a refusal can name; {@code getMedia} includes showFile downloads. */
    public static final List<String> CALLS = List.of("sendSessionMessage", "sendSessionFile", "sendTemplateMessage", "sendTemplateMessages",
            "updateContactAttributes", "getMedia", "getMessageTemplates");
    /** Any call but the catalogue: the runtime loads that on its own, and a refusal meant for "the next send" must not go to it. */
    public static final String ANY = "*";
    private static final Set<String> NOT_ANY = Set.of("getMessageTemplates");
    /** The media download (getMedia and showFile). */
    private static final String MEDIA = "getMedia";
    static final int MAX_TIMES = 1000;
    static final int MAX_ARMED = 100;

    /** One refusal still to be answered {@code remaining} times. */
    public record Armed(long id, String call, Refusal refusal, int remaining) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("id", id);
            map.put("call", call);
            map.put("refusal", refusal.label());
            map.put("remaining", remaining);
            return map;
        }
    }

    private final List<Armed> armed = new ArrayList<>();
    private long nextId = 1;

    /**
     * Adds a refusal for the next {@code times} calls.
     *
     * @throws ActionRejectedException (400) naming what is wrong: an unknown call or refusal, an HTTP 200 refusal for
     *                                 getMedia, times outside 1-1000
     */
    public synchronized Armed add(String call, String refusal, Integer times) {
        if (call == null || !call.equals(ANY) && !CALLS.contains(call)) {
            throw new ActionRejectedException("call must be one of " + String.join(", ", CALLS) + " or " + ANY + " (any call but getMessageTemplates)");
        }
        Refusal kind = Refusal.of(refusal);
        if (kind == null) {
            throw new ActionRejectedException("refusal must be one of " + Refusal.labels());
        }
        if (call.equals(MEDIA) && !forMedia(kind)) {
            throw new ActionRejectedException(kind.label() + " is WATI's HTTP 200 with JSON, which a media download would take as the file: "
                    + MEDIA + " can be refused with " + String.join(", ", Arrays.stream(Refusal.values()).filter(SandboxRefusals::forMedia)
                            .map(Refusal::label).toList()));
        }
        int count = times == null ? 1 : times;
        if (count < 1 || count > MAX_TIMES) {
            throw new ActionRejectedException("times must be 1 to " + MAX_TIMES);
        }
        if (armed.size() >= MAX_ARMED) {
            throw new ActionRejectedException("At most " + MAX_ARMED + " refusals wait at once: DELETE /api/v1/sandbox/refusals first");
        }
        Armed added = new Armed(nextId++, call, kind, count);
        armed.add(added);
        return added;
    }

    /** The refusal for this call of {@code operation} (counted), or null when it is answered as usual. */
    public synchronized Refusal take(String operation) {
        for (int i = 0; i < armed.size(); i++) {
            Armed a = armed.get(i);
            if (a.call().equals(operation) || a.call().equals(ANY) && !NOT_ANY.contains(operation)
                    && (!operation.equals(MEDIA) || forMedia(a.refusal()))) {
                if (a.remaining() <= 1) {
                    armed.remove(i);
                } else {
                    armed.set(i, new Armed(a.id(), a.call(), a.refusal(), a.remaining() - 1));
                }
                return a.refusal();
            }
        }
        return null;
    }

    /** Whether a media download may answer it: not with HTTP 200, which is a file's answer. */
    private static boolean forMedia(Refusal refusal) {
        return refusal.status() != 200;
    }

    /** The refusals still waiting, in the order they are taken. */
    public synchronized List<Map<String, Object>> list() {
        return armed.stream().map(Armed::toMap).toList();
    }

    public synchronized int clear() {
        int removed = armed.size();
        armed.clear();
        return removed;
    }
}
