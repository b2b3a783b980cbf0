package io.waticamel.wati;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.NumberedParameters;
import io.waticamel.files.DownloadedFile;
import io.waticamel.files.UrlGuard;
import org.apache.hc.client5.http.entity.mime.FileBody;
import org.apache.hc.client5.http.entity.mime.HttpMultipartMode;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Builds the exact WATI V1 request ({@link WatiCall}) of each action from its validated task fields
 * and credentials; refuses (400) what WATI would refuse or misread.
 */
public class WatiRequests {

    public static final int MAX_MESSAGE_LENGTH = 4096;
    public static final int MAX_TEMPLATE_NAME_LENGTH = 512;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]{1,64})}");
    private static final Pattern OPERATION_PATH = Pattern.compile("[A-Za-z0-9_./{}-]{1,256}");
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final ObjectMapper mapper = new ObjectMapper();

    public WatiCall sendSessionMessage(ActionFields fields, WatiCredentials credentials) {
        String number = PhoneNumbers.normalise(fields.get("whatsappNumber"));
        String text = fields.raw("messageText");
        if (text == null || text.isBlank()) {
            throw new ActionRejectedException("No messageText provided");
        }
        if (text.codePointCount(0, text.length()) > MAX_MESSAGE_LENGTH) {
            throw new ActionRejectedException("messageText is longer than " + MAX_MESSAGE_LENGTH + " characters");
        }
        return post(credentials, "sendSessionMessage/" + number, number, "messageText=" + encode(text), null, null);
    }

    public WatiCall sendTemplateMessage(ActionFields fields, WatiCredentials credentials) {
        String number = PhoneNumbers.normalise(fields.get("whatsappNumber"));
        String template = fields.get("template_name");
        if (template == null) {
            throw new ActionRejectedException("No template_name provided");
        }
        template = template.strip();
        String broadcast = fields.get("broadcast_name");
        // WATI requires broadcast_name; the template name groups the sends in WATI's broadcast history
        broadcast = broadcast == null ? template : broadcast.strip();
        if (template.length() > MAX_TEMPLATE_NAME_LENGTH || broadcast.length() > MAX_TEMPLATE_NAME_LENGTH) {
            throw new ActionRejectedException("template_name and broadcast_name are at most " + MAX_TEMPLATE_NAME_LENGTH + " characters");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("template_name", template);
        body.put("broadcast_name", broadcast);
        body.put("parameters", NumberedParameters.collect(fields, false));
        return post(credentials, "sendTemplateMessage", number, "whatsappNumber=" + number, "application/json", json(body));
    }

    /** One receiver of a bulk send: its number, its template parameters in order, and the id its status events will carry. */
    public record Receiver(String number, Map<String, String> parameters, String localMessageId) {
    }

    /** The most receivers WATI takes in one sendTemplateMessages call. */
    public static final int MAX_RECEIVERS = 1000;

    /**
     * {@code POST {endpoint}/api/v1/sendTemplateMessages}, body {@code {"template_name", "broadcast_name",
     * "receivers": [{"whatsappNumber", "customParams": [{"name", "value"}], "localMessageId"}]}}: one call of the
     * account's template rate for up to {@value #MAX_RECEIVERS} receivers (numbers already normalised).
     */
    public WatiCall sendTemplateMessages(WatiCredentials credentials, String template, String broadcast, List<Receiver> receivers) {
        if (receivers.isEmpty() || receivers.size() > MAX_RECEIVERS) {
            throw new IllegalArgumentException("sendTemplateMessages takes 1 to " + MAX_RECEIVERS + " receivers, not " + receivers.size());
        }
        List<Map<String, Object>> list = new java.util.ArrayList<>(receivers.size());
        for (Receiver r : receivers) {
            Map<String, Object> receiver = new LinkedHashMap<>();
            receiver.put("whatsappNumber", r.number());
            List<Map<String, String>> customParams = new java.util.ArrayList<>(r.parameters().size());
            r.parameters().forEach((name, value) -> {
                Map<String, String> parameter = new LinkedHashMap<>();
                parameter.put("name", name);
                parameter.put("value", value);
                customParams.add(parameter);
            });
            receiver.put("customParams", customParams);
            receiver.put("localMessageId", r.localMessageId());
            list.add(receiver);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("template_name", template);
        body.put("broadcast_name", broadcast);
        body.put("receivers", list);
        return call("POST", credentials, "sendTemplateMessages", null, "application/json", json(body), receivers.size() + " receivers");
    }

    /** {@code GET {endpoint}/api/v1/getMessageTemplates?pageSize=&pageNumber=}: one page (from 1) of the account's templates. */
    public WatiCall getMessageTemplates(WatiCredentials credentials, int pageSize, int pageNumber) {
        return call("GET", credentials, "getMessageTemplates", "pageSize=" + pageSize + "&pageNumber=" + pageNumber, null, null, "-");
    }

    public WatiCall updateContact(ActionFields fields, WatiCredentials credentials) {
        String number = PhoneNumbers.normalise(fields.get("whatsappNumber"));
        List<NumberedParameters.Parameter> attributes = NumberedParameters.collect(fields, true);
        if (attributes.isEmpty()) {
            throw new ActionRejectedException("No contact attributes provided: send parameter_name_N / parameter_value_N pairs");
        }
        return post(credentials, "updateContactAttributes/" + number, number, null, "application/json",
                json(Map.of("customParams", attributes)));
    }

    /** Checks what send_session_file needs before anything is downloaded; returns the file_url. */
    public String validateSessionFile(ActionFields fields) {
        PhoneNumbers.normalise(fields.get("whatsappNumber"));
        if (fields.get("file_url") == null) {
            throw new ActionRejectedException("No file_url provided");
        }
        URI url = UrlGuard.requireHttp("file_url", fields.get("file_url").strip());
        // the caller's caption; the default one (the file's name) is short
        String caption = fields.raw("caption");
        if (caption != null && !caption.isBlank() && caption.length() > MAX_MESSAGE_LENGTH) {
            throw new ActionRejectedException("caption is longer than " + MAX_MESSAGE_LENGTH + " characters");
        }
        return url.toString();
    }

    /** Multipart from the downloaded temporary file: WATI gets a Content-Length and nothing is held in memory. */
    public WatiCall sendSessionFile(ActionFields fields, WatiCredentials credentials, DownloadedFile file) {
        String number = PhoneNumbers.normalise(fields.get("whatsappNumber"));
        String caption = fields.raw("caption");
        if (caption == null || caption.isBlank()) {
            // WATI shows a captionless document as "untitled"
            caption = file.kind().isDocument() ? file.fileName() : null;
        }
        String boundary = "wati-camel-" + UUID.randomUUID();
        String contentType = "multipart/form-data; boundary=" + boundary;
        HttpEntity multipart = MultipartEntityBuilder.create()
                .setMode(HttpMultipartMode.STRICT)
                .setBoundary(boundary)
                .addPart("file", new FileBody(file.path().toFile(), ContentType.parse(file.contentType()), file.fileName()))
                .build();
        // the builder adds "charset=ISO-8859-1", which RFC 7578 does not define for multipart/form-data
        HttpEntity entity = new HttpEntityWrapper(multipart) {
            @Override
            public String getContentType() {
                return contentType;
            }
        };
        return post(credentials, "sendSessionFile/" + number, number, caption == null ? null : "caption=" + encode(caption), null,
                entity);
    }

    /**
     * Any WATI V1 operation the runtime does not wrap (the generic {@code direct:wati-call}).
     * {@code {name}} in the path or query is replaced by that task field, percent-encoded, and
     * {@code {whatsappNumber}} by the checked number, so a field's value can never change the
     * request's shape.
     *
     * @param path  the operation after {@code /api/v1/}, e.g. {@code getContacts} or {@code addContact/{whatsappNumber}}
     * @param query e.g. {@code pageSize={pageSize}&pageNumber=1}, or null
     * @param body  the JSON body: a Map or JsonNode, or JSON text in which {@code "{name}"} is replaced by
     *              that field's value escaped for a JSON string; or null
     */
    public WatiCall generic(ActionFields fields, WatiCredentials credentials, String method, String path, String query, Object body) {
        String verb = method == null || method.isBlank() ? "POST" : method.strip().toUpperCase(java.util.Locale.ROOT);
        if (!METHODS.contains(verb)) {
            throw new ActionRejectedException("watiMethod must be one of GET, POST, PUT, PATCH, DELETE");
        }
        if (path == null || !OPERATION_PATH.matcher(path.strip()).matches() || path.contains("..") || path.startsWith("/")) {
            throw new ActionRejectedException("watiPath must be a WATI V1 operation such as getContacts or addContact/{whatsappNumber}");
        }
        String[] recipient = {"-"};
        String operationPath = onlyPlaceholders(fill(path.strip(), fields, recipient, false));
        String rawQuery = query == null || query.isBlank() ? null : onlyPlaceholders(fill(query.strip(), fields, recipient, false));
        byte[] json = body == null ? null : body instanceof String text
                ? fill(text, fields, new String[1], true).getBytes(StandardCharsets.UTF_8) : json(body);
        return call(verb, credentials, operationPath, rawQuery, json == null ? null : "application/json", json, recipient[0]);
    }

    /**
     * {@code {name}} becomes that task field: percent-encoded for a path or query, escaped for a JSON
     * string in a body (write it inside quotes there); {@code {whatsappNumber}} the checked number
     * (its mask kept in {@code recipient[0]} for logs). The token is never a placeholder.
     */
    private String fill(String template, ActionFields fields, String[] recipient, boolean jsonString) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            if (name.equals("access_token")) {
                throw new ActionRejectedException("access_token cannot be placed in watiPath, watiQuery or watiBody: the token is only sent as the Authorization header");
            }
            String value;
            if (name.equals("whatsappNumber")) {
                value = PhoneNumbers.normalise(fields.get(name));
                recipient[0] = PhoneNumbers.mask(value);
            } else {
                value = fields.raw(name);
                // a body may carry an empty string; a path or query segment may not be blank
                if (value == null || !jsonString && value.isBlank()) {
                    throw new ActionRejectedException("No " + name + " provided");
                }
                if (jsonString) {
                    String quoted = new String(json(value), StandardCharsets.UTF_8);
                    value = quoted.substring(1, quoted.length() - 1);
                } else {
                    value = encode(value.strip());
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String onlyPlaceholders(String filled) {
        if (filled.indexOf('{') >= 0 || filled.indexOf('}') >= 0 || filled.indexOf(' ') >= 0) {
            throw new ActionRejectedException("watiPath and watiQuery may only hold {fieldName} placeholders");
        }
        return filled;
    }

    private static WatiCall post(WatiCredentials credentials, String operationPath, String number, String rawQuery,
            String contentType, Object body) {
        return call("POST", credentials, operationPath, rawQuery, contentType, body, PhoneNumbers.mask(number));
    }

    /** The operation name of a media download (get_media), for logs and the Accept header. */
    public static final String SHOW_FILE = "showFile";

    /**
     * get_media's download: GET the file URL WATI gave (already checked to be on the endpoint's
     * origin) with the account's token, as one more WATI call.
     */
    public static WatiCall showFile(URI fileUrl, WatiCredentials credentials) {
        String withoutQuery = fileUrl.getScheme() + "://" + fileUrl.getRawAuthority() + fileUrl.getRawPath();
        return new WatiCall("GET", withoutQuery, fileUrl.getRawQuery(), null, null, credentials.authorization(), SHOW_FILE, "-");
    }

    /** The request to {@code {endpoint}/api/v1/{operationPath}}; the operation's name (its first segment) for logs. */
    private static WatiCall call(String method, WatiCredentials credentials, String operationPath, String rawQuery,
            String contentType, Object body, String recipient) {
        String operation = operationPath.contains("/") ? operationPath.substring(0, operationPath.indexOf('/')) : operationPath;
        return new WatiCall(method, WatiEndpoints.operation(credentials.endpoint(), operationPath), rawQuery, contentType, body,
                credentials.authorization(), operation, recipient);
    }

    /** Percent-encoding for a query value: UTF-8, space as %20 (a '+' would be ambiguous). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private byte[] json(Object body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
