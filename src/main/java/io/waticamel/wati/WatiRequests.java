package io.waticamel.wati;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionReader;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.NumberedParameters;
import io.waticamel.files.DownloadedFile;
import io.waticamel.files.MediaDownloader;
import io.waticamel.files.UrlGuard;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.hc.client5.http.entity.mime.FileBody;
import org.apache.hc.client5.http.entity.mime.HttpMultipartMode;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Builds the exact WATI v1 request of each send action from the validated task fields: sets the
 * camel-http request ({@code CamelHttpUri}, raw query, method, Authorization, User-Agent, body).
 */
public class WatiRequests {

    /** Exchange property: the WATI operation being called, for logs and results. */
    public static final String OPERATION = "watiOperation";
    /** Exchange property: the recipient number masked for logs. */
    public static final String MASKED_NUMBER = "watiMaskedNumber";
    /** Exchange property: the {@link WatiCall} to send (again, on a retry). */
    public static final String REQUEST = "watiRequest";
    /** Exchange property: the WATI account the throttle counts against. */
    public static final String THROTTLE_KEY = "watiThrottleKey";
    public static final int MAX_MESSAGE_LENGTH = 4096;
    public static final int MAX_TEMPLATE_NAME_LENGTH = 512;

    private final String userAgent;
    private final ObjectMapper mapper = new ObjectMapper();

    public WatiRequests(String userAgent) {
        this.userAgent = userAgent;
    }

    public void sendSessionMessage(Exchange exchange) {
        ActionFields fields = fields(exchange);
        String number = number(exchange, fields);
        String text = fields.raw("messageText");
        if (text == null || text.isBlank()) {
            throw new ActionRejectedException("No messageText provided");
        }
        if (text.codePointCount(0, text.length()) > MAX_MESSAGE_LENGTH) {
            throw new ActionRejectedException("messageText is longer than " + MAX_MESSAGE_LENGTH + " characters");
        }
        prepare(exchange, "sendSessionMessage/" + number, "messageText=" + encode(text), null, null);
    }

    public void sendTemplateMessage(Exchange exchange) {
        ActionFields fields = fields(exchange);
        String number = number(exchange, fields);
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
        prepare(exchange, "sendTemplateMessage", "whatsappNumber=" + number, "application/json", json(body));
    }

    public void updateContact(Exchange exchange) {
        ActionFields fields = fields(exchange);
        String number = number(exchange, fields);
        List<NumberedParameters.Parameter> attributes = NumberedParameters.collect(fields, true);
        if (attributes.isEmpty()) {
            throw new ActionRejectedException("No contact attributes provided: send parameter_name_N / parameter_value_N pairs");
        }
        prepare(exchange, "updateContactAttributes/" + number, null, "application/json",
                json(Map.of("customParams", attributes)));
    }

    /** Checks what send_session_file needs before anything is downloaded. */
    public void validateSessionFile(Exchange exchange) {
        ActionFields fields = fields(exchange);
        number(exchange, fields);
        if (fields.get("file_url") == null) {
            throw new ActionRejectedException("No file_url provided");
        }
        UrlGuard.requireHttp("file_url", fields.get("file_url").strip());
    }

    /** Multipart from the downloaded temporary file: WATI gets a Content-Length and nothing is held in memory. */
    public void sendSessionFile(Exchange exchange) {
        ActionFields fields = fields(exchange);
        String number = number(exchange, fields);
        DownloadedFile file = exchange.getProperty(MediaDownloader.PROPERTY, DownloadedFile.class);
        String caption = fields.raw("caption");
        if (caption == null || caption.isBlank()) {
            // WATI shows a captionless document as "untitled"
            caption = file.kind().isDocument() ? file.fileName() : null;
        }
        if (caption != null && caption.length() > MAX_MESSAGE_LENGTH) {
            throw new ActionRejectedException("caption is longer than " + MAX_MESSAGE_LENGTH + " characters");
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
        prepare(exchange, "sendSessionFile/" + number, caption == null ? null : "caption=" + encode(caption), null, entity);
    }

    /**
     * Keeps the request in the exchange property {@value #REQUEST}: {@link #apply} puts it on the
     * message before every attempt, so a retry sends exactly the same request.
     */
    private void prepare(Exchange exchange, String operationPath, String rawQuery, String contentType, Object body) {
        WatiCredentials credentials = exchange.getProperty(CredentialsEnricher.PROPERTY, WatiCredentials.class);
        exchange.setProperty(REQUEST, new WatiCall(WatiEndpoints.operation(credentials.endpoint(), operationPath), rawQuery,
                contentType, body, credentials.authorization()));
        exchange.setProperty(OPERATION, operationPath.contains("/") ? operationPath.substring(0, operationPath.indexOf('/')) : operationPath);
        exchange.setProperty(THROTTLE_KEY, credentials.throttleKey());
    }

    /** The camel-http request of this attempt: every other header removed, so nothing else reaches WATI. */
    public void apply(Exchange exchange) {
        WatiCall call = exchange.getProperty(REQUEST, WatiCall.class);
        Message message = exchange.getMessage();
        // Camel keeps the redelivery counter in headers: keep those (camel-http never sends Camel* headers)
        message.removeHeaders("*", "CamelRedeliver*");
        // no CamelHttpMethod header: call-wati's endpoint fixes POST (a String header cost a type-converter miss per call)
        message.setHeader(Exchange.HTTP_URI, call.uri());
        if (call.rawQuery() != null) {
            message.setHeader(Exchange.HTTP_RAW_QUERY, call.rawQuery());
        }
        message.setHeader("Authorization", call.authorization());
        message.setHeader("User-Agent", userAgent);
        message.setHeader("Accept", "application/json");
        if (call.contentType() != null) {
            message.setHeader(Exchange.CONTENT_TYPE, call.contentType());
        }
        message.setBody(call.body());
    }

    /** One WATI request; the body is repeatable (bytes, or a multipart of a file). toString hides the token. */
    public record WatiCall(String uri, String rawQuery, String contentType, Object body, String authorization) {
        @Override
        public String toString() {
            return "WatiCall[POST " + uri + "]";
        }
    }

    private static ActionFields fields(Exchange exchange) {
        return exchange.getProperty(ActionReader.PROPERTY, ActionFields.class);
    }

    private static String number(Exchange exchange, ActionFields fields) {
        String number = PhoneNumbers.normalise(fields.get("whatsappNumber"));
        exchange.setProperty(MASKED_NUMBER, PhoneNumbers.mask(number));
        return number;
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
