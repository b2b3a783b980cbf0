package io.waticamel.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.action.ActionRejectedException;

/**
 * One event WATI posted to a webhook (one JSON object per request, {@code eventType} says what it
 * is; {@code ../shared/wati-api.md} §6), read for what the runtime does with it. Unknown types and
 * missing fields are fine: every accessor may answer null.
 */
public final class WatiEvent {

    /** Message types whose {@code data} is media WATI keeps for a while (archived by get_media). */
    static final Set<String> MEDIA_TYPES = Set.of("image", "video", "audio", "voice", "document", "sticker");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int MAX_KEY = 512;

    private final ObjectNode json;

    private WatiEvent(ObjectNode json) {
        this.json = json;
    }

    /** The raw body as JSON, whatever its Content-Type said; anything but one JSON object is the sender's 400. */
    public static WatiEvent parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ActionRejectedException("Empty body: a WATI event is a JSON object");
        }
        try {
            // stored and passed on as UTF-8 text (JSON's encoding on the web): another encoding is refused, not mangled
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new ActionRejectedException("The body is not UTF-8: a WATI event is JSON in UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ActionRejectedException("The body is not JSON: a WATI event is a JSON object");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ActionRejectedException("The body is JSON but not an object: a WATI event is a JSON object");
        }
        return new WatiEvent(object);
    }

    /** Stored events are read back from their own JSON (already checked at intake). */
    static WatiEvent stored(String payload) {
        return parse(payload.getBytes(StandardCharsets.UTF_8));
    }

    public String type() {
        return text("eventType");
    }

    /** WATI's own id of the message the event is about. */
    public String watiId() {
        return text("id");
    }

    public String whatsappMessageId() {
        return text("whatsappMessageId");
    }

    public String localMessageId() {
        return text("localMessageId");
    }

    /** The customer's number (digits, as WATI sends it). */
    public String waId() {
        String waId = text("waId");
        return waId == null ? null : waId.replaceAll("[^0-9]", "");
    }

    public String statusString() {
        return text("statusString");
    }

    public String failedCode() {
        return text("failedCode");
    }

    public String failedDetail() {
        return text("failedDetail");
    }

    /**
     * What makes a redelivery the same event: its type, the message it is about and its status; an
     * event without any id is recognised by the SHA-256 of its body (a redelivery is the same body).
     */
    public String dedupKey(byte[] body) {
        String id = firstOf(watiId(), whatsappMessageId(), localMessageId());
        if (id == null) {
            return "sha256:" + sha256(body);
        }
        String key = (type() == null ? "" : type()) + "|" + id + "|" + (statusString() == null ? "" : statusString());
        return key.length() <= MAX_KEY ? key : "sha256:" + sha256(key.getBytes(StandardCharsets.UTF_8));
    }

    /** A message the customer wrote (not one the business sent, which WATI also reports as {@code message}). */
    public boolean isCustomerMessage() {
        if (!"message".equals(type())) {
            return false;
        }
        JsonNode owner = json.get("owner");
        return owner == null || owner.isNull() || !owner.asBoolean(false);
    }

    /**
     * The customer's text, trimmed: {@code text}, else the reply button or list entry they tapped
     * (a template's "Stop promotions" quick reply); null when the message has none.
     */
    public String messageText() {
        String text = text("text");
        if (text == null) {
            for (String[] reply : new String[][] {{"buttonReply", "text"}, {"interactiveButtonReply", "title"}, {"listReply", "title"}}) {
                JsonNode value = json.path(reply[0]).path(reply[1]);
                if (text == null && value.isTextual() && !value.asText().isBlank()) {
                    text = value.asText();
                }
            }
        }
        return text == null ? null : text.strip();
    }

    /** The media WATI holds for a customer message: a showFile URL, or the file name it needs; null when none. */
    public Media media() {
        if (!isCustomerMessage() || json.get("type") == null || !MEDIA_TYPES.contains(json.get("type").asText().toLowerCase(Locale.ROOT))) {
            return null;
        }
        JsonNode data = json.get("data");
        if (data == null || data.isNull()) {
            return null;
        }
        if (data.isTextual() && !data.asText().isBlank()) {
            String value = data.asText().strip();
            return value.startsWith("http://") || value.startsWith("https://") ? new Media(value, null) : new Media(null, value);
        }
        if (data.isObject() && data.get("fileName") != null && data.get("fileName").isTextual()) {
            return new Media(null, data.get("fileName").asText().strip());
        }
        return null;
    }

    /** Media of a message: either WATI's URL as given, or the file name to build it from. */
    public record Media(String url, String fileName) {
    }

    /**
     * When the event happened: {@code timestamp} (epoch seconds, often as a string), else
     * {@code created} (ISO-8601), else {@code fallback} (when it was received).
     */
    public Instant happenedAt(Instant fallback) {
        String seconds = text("timestamp");
        if (seconds != null && seconds.matches("[0-9]{1,12}")) {
            return Instant.ofEpochSecond(Long.parseLong(seconds));
        }
        String created = text("created");
        if (created != null) {
            try {
                return OffsetDateTime.parse(created).toInstant();
            } catch (RuntimeException notOffset) {
                try {
                    return Instant.parse(created.endsWith("Z") ? created : created + "Z");
                } catch (RuntimeException unreadable) {
                    // fall back to the time received
                }
            }
        }
        return fallback;
    }

    public ObjectNode json() {
        return json;
    }

    private String text(String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
