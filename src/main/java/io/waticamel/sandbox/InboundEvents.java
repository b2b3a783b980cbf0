package io.waticamel.sandbox;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.EchoedText;
import io.waticamel.wati.PhoneNumbers;

/**
 * A customer's message, media or STOP as WATI would post it to the webhook ({@code eventType}
 * {@code message}, {@code owner: false}, {@code wati-api.md} §6), made from a user's short request
 * {@code {"type": "message"|"media"|"stop", "whatsappNumber", "text", "senderName", "mediaType"}}.
 * A media message's {@code data} is a {@code showFile} URL on the sandbox's own origin, which the
 * sandbox serves with the account's token (so the runtime's auto-archive downloads it as it would WATI's).
 */
public final class InboundEvents {

    static final List<String> TYPES = List.of("message", "media", "stop");
    static final List<String> FIELDS = List.of("type", "whatsappNumber", "text", "senderName", "mediaType");
    /** WATI's message type, the folder of its showFile path and an extension the sandbox serves. */
    static final Map<String, String[]> MEDIA = Map.of(
            "image", new String[] {"data/images/", ".jpg"},
            "video", new String[] {"data/videos/", ".mp4"},
            "audio", new String[] {"data/audios/", ".mp3"},
            "voice", new String[] {"data/audios/", ".ogg"},
            "document", new String[] {"data/documents/", ".pdf"},
            "sticker", new String[] {"data/stickers/", ".webp"});
    private static final int MAX_TEXT = 4096;

    private final Clock clock;
    private final String endpoint;
    private final Supplier<String> ids;

    /**
     * @param endpoint the sandbox account's endpoint (media URLs are on it)
     * @param ids      WATI-like ids (24 hex digits)
     */
    public InboundEvents(Clock clock, String endpoint, Supplier<String> ids) {
        this.clock = clock;
        this.endpoint = endpoint;
        this.ids = ids;
    }

    /**
     * The webhook event for the request.
     *
     * @throws ActionRejectedException (400) naming what is wrong: not an object, an unknown field or type, no number, ...
     */
    public ObjectNode build(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new ActionRejectedException("The body must be a JSON object: {\"type\": \"message\"|\"media\"|\"stop\", \"whatsappNumber\": ...}");
        }
        for (Iterator<String> names = request.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ActionRejectedException("Unknown field '" + EchoedText.cut(name) + "': an inbound event takes "
                        + String.join(", ", FIELDS));
            }
            if (!request.get(name).isTextual()) {
                throw new ActionRejectedException("Field '" + name + "' must be a string");
            }
        }
        String type = text(request, "type");
        if (type == null || !TYPES.contains(type)) {
            throw new ActionRejectedException("type must be one of " + String.join(", ", TYPES));
        }
        String number = PhoneNumbers.normalise(text(request, "whatsappNumber"));
        String text = text(request, "text");
        if (text != null && text.length() > MAX_TEXT) {
            throw new ActionRejectedException("text may have at most " + MAX_TEXT + " characters");
        }
        String mediaType = text(request, "mediaType");
        if (mediaType != null && !type.equals("media")) {
            throw new ActionRejectedException("mediaType is for type media only");
        }
        if (type.equals("stop") && text != null) {
            throw new ActionRejectedException("A stop is the text STOP: leave text out (or send type message with your own text)");
        }
        String id = ids.get();
        Instant now = clock.instant();
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("eventType", "message");
        event.put("id", id);
        event.put("whatsappMessageId", "wamid.sandbox-" + id);
        event.put("conversationId", ids.get());
        event.put("ticketId", ids.get());
        switch (type) {
            case "message" -> {
                event.put("text", text == null ? "Hello from the sandbox" : text);
                event.put("type", "text");
                event.putNull("data");
            }
            case "stop" -> {
                event.put("text", "STOP");
                event.put("type", "text");
                event.putNull("data");
            }
            default -> {
                String kind = mediaType == null ? "image" : mediaType;
                String[] file = MEDIA.get(kind);
                if (file == null) {
                    throw new ActionRejectedException("mediaType must be one of " + String.join(", ", MEDIA.keySet().stream().sorted().toList()));
                }
                event.put("text", text == null ? "" : text);
                event.put("type", kind);
                // WATI's showFile URLs keep the path's slashes
                event.put("data", endpoint + "/api/file/showFile?fileName="
                        + URLEncoder.encode(file[0] + id + file[1], StandardCharsets.UTF_8).replace("%2F", "/"));
            }
        }
        event.put("timestamp", String.valueOf(now.getEpochSecond()));
        event.put("created", now.toString());
        event.put("owner", false);
        event.put("waId", number);
        String sender = text(request, "senderName");
        event.put("senderName", sender == null ? "Sandbox customer" : EchoedText.cut(sender));
        return event;
    }

    private static String text(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().strip();
    }

}
