package io.waticamel.action;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * Reads the task fields of an action from a body: a JSON object (text, bytes or stream) or a
 * {@code Map}. Task fields never come from headers, so a caller's HTTP headers cannot become fields.
 */
public class ActionReader {

    public static final int MAX_FIELD_LENGTH = 8192;
    static final int MAX_NUMBER_SCALE = 64;

    private final ObjectMapper mapper;

    public ActionReader() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
                .build();
        this.mapper = new ObjectMapper(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // 1.50 stays "1.50": a number's text is passed on as the caller wrote it
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    }

    /**
     * The task fields of a body: a {@code Map}, or JSON text, bytes or a stream holding one object.
     * Refuses anything else with a clear reason (and never echoes a value, which may be a token).
     */
    public ActionFields read(Object body) {
        ActionFields fields;
        if (body instanceof Map<?, ?> map) {
            fields = fromMap(map);
        } else if (isEmpty(body)) {
            throw new ActionRejectedException("Request body is empty: send a JSON object of task fields");
        } else if (body instanceof byte[] bytes) {
            fields = fromJson(new java.io.ByteArrayInputStream(bytes));
        } else if (body instanceof String text) {
            fields = fromJson(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } else if (body instanceof InputStream stream) {
            fields = fromJson(stream);
        } else {
            throw new ActionRejectedException("The task fields must be a JSON object or a Map, not " + body.getClass().getSimpleName());
        }
        fields.requireValidTaskId();
        return fields;
    }

    ActionFields fromJson(InputStream json) {
        JsonNode root;
        try (InputStream in = json) {
            root = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // our own text: Jackson's message may quote the request, token included
            throw new ActionRejectedException("Request body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ActionRejectedException("Request body could not be read");
        }
        if (root == null || root.isMissingNode()) {
            throw new ActionRejectedException("Request body is empty: send a JSON object of task fields");
        }
        if (!root.isObject()) {
            throw new ActionRejectedException("Request body must be a JSON object of task fields");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            String text;
            if (value.isNull()) {
                continue;
            } else if (value.isTextual()) {
                text = value.textValue();
            } else if (value.isBigDecimal()) {
                // 1e2147483647 is a 15-byte body but a 2 GB plain string: refuse extreme exponents
                java.math.BigDecimal number = value.decimalValue();
                if (Math.abs((long) number.scale()) > MAX_NUMBER_SCALE) {
                    throw new ActionRejectedException("Field '" + printable(e.getKey()) + "' is not a usable number");
                }
                text = number.toPlainString();
            } else if (value.isNumber() || value.isBoolean()) {
                text = value.asText();
            } else {
                throw new ActionRejectedException("Field '" + printable(e.getKey())
                        + "' must be a string, number or boolean, not " + (value.isArray() ? "an array" : "an object"));
            }
            put(fields, e.getKey(), text);
        }
        return new ActionFields(fields);
    }

    ActionFields fromMap(Map<?, ?> map) {
        Map<String, String> fields = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            if (v instanceof Map || v instanceof Iterable || v.getClass().isArray()) {
                throw new ActionRejectedException("Field '" + printable(String.valueOf(k)) + "' must be a string, number or boolean");
            }
            put(fields, String.valueOf(k), String.valueOf(v));
        });
        return new ActionFields(fields);
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (name.length() > 64) {
            throw new ActionRejectedException("Field name is longer than 64 characters");
        }
        if (value.length() > MAX_FIELD_LENGTH) {
            throw new ActionRejectedException("Field '" + printable(name) + "' is longer than " + MAX_FIELD_LENGTH + " characters");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new ActionRejectedException("Field '" + printable(name) + "' contains a NUL character");
        }
        if (hasUnpairedSurrogate(value)) {
            // would silently become '?' on the way to WATI
            throw new ActionRejectedException("Field '" + printable(name) + "' contains an invalid character (an unpaired UTF-16 surrogate)");
        }
        fields.put(name, value);
    }

    static boolean hasUnpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Field names echoed in errors: control characters shown as '?' so a reply cannot be split. */
    public static String printable(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 64));
        name.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private static boolean isEmpty(Object body) {
        return body == null || body instanceof String s && s.isBlank() || body instanceof byte[] b && b.length == 0;
    }
}
