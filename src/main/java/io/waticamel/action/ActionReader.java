package io.waticamel.action;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Reads the task fields of an action from the message: a JSON object (text, bytes or stream), a
 * {@code Map}, or, when the body is empty, the headers named like task fields. The result is the
 * exchange property {@value #PROPERTY}; the body is cleared so the raw request (token included)
 * does not travel further.
 */
public class ActionReader {

    public static final String PROPERTY = "watiActionFields";
    /** Exchange property: the wati_action name the router switches on (control characters replaced). */
    public static final String ACTION_PROPERTY = "watiAction";
    /** Exchange property: the caller's headers, given back with the result (the WATI call clears them). */
    public static final String CALLER_HEADERS = "watiCallerHeaders";
    public static final int MAX_FIELD_LENGTH = 8192;
    static final int MAX_NUMBER_SCALE = 64;
    private static final Set<String> FIELD_NAMES = Set.of("wati_action", "api_endpoint", "access_token",
            "whatsappNumber", "messageText", "template_name", "broadcast_name", "file_url", "caption", "owner_id",
            "task_id", "account", "async", "callback_url");
    private static final Pattern PARAMETER_FIELD = Pattern.compile("parameter_(name|value)_[0-9]{1,4}");

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

    public void read(Exchange exchange) {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        ActionFields fields;
        if (body instanceof Map<?, ?> map) {
            fields = fromMap(map);
        } else if (isEmpty(body)) {
            fields = fromHeaders(in.getHeaders());
        } else {
            fields = fromJson(in.getBody(InputStream.class));
        }
        exchange.setProperty(CALLER_HEADERS, new LinkedHashMap<>(in.getHeaders()));
        exchange.setProperty(PROPERTY, fields);
        exchange.setProperty(ACTION_PROPERTY, fields.action() == null ? null : printable(fields.action()));
        in.setBody(null);
        fields.requireValidTaskId();
    }

    /**
     * For the HTTP API: the task fields come from the JSON body only, never from request headers or
     * query parameters (which the HTTP server turns into headers); all of those are dropped here.
     */
    public void requireJsonBody(Exchange exchange) {
        Message in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(java.util.Locale.ROOT);
        if (contentType.startsWith("application/x-www-form-urlencoded") || contentType.startsWith("multipart/")) {
            // the HTTP server would have parsed the JSON as a form: say what to send instead of a puzzling error
            throw new ActionRejectedException("Send the task fields as a JSON object with Content-Type: application/json", 415);
        }
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new ActionRejectedException("Request body is empty: send a JSON object of task fields");
        }
        in.removeHeaders("*");
        in.setBody(body);
    }

    /**
     * For workflow routes: the JSON body's task fields become headers, so the route can call
     * {@code direct:wati-action} several times with the same fields, changing only a few.
     */
    public void toHeaders(Exchange exchange) {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        ActionFields fields = body instanceof Map<?, ?> map ? fromMap(map) : fromJson(in.getBody(InputStream.class));
        fields.asMap().forEach(in::setHeader);
        in.setBody(null);
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

    ActionFields fromHeaders(Map<String, Object> headers) {
        Map<String, String> fields = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            // HTTP may change a header name's case: match names case-insensitively, keep the canonical spelling
            String canonical = FIELD_NAMES.stream().filter(k::equalsIgnoreCase).findFirst()
                    .orElse(PARAMETER_FIELD.matcher(k.toLowerCase(java.util.Locale.ROOT)).matches() ? k.toLowerCase(java.util.Locale.ROOT) : null);
            if (v != null && canonical != null) {
                put(fields, canonical, String.valueOf(v));
            }
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
    static String printable(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 64));
        name.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private static boolean isEmpty(Object body) {
        return body == null || body instanceof String s && s.isBlank() || body instanceof byte[] b && b.length == 0;
    }
}
