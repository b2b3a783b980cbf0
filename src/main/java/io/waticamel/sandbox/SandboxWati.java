package io.waticamel.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.waticamel.http.EchoedText;

/**
 * The built-in WATI sandbox: a stand-in for WATI's V1 API on 127.0.0.1, for trying the runtime and
 * testing workflows without a WATI account (on only with {@code wati.sandbox.enabled}). It answers
 * the operations the runtime calls as WATI does ({@code wati-api.md}): session message and file,
 * template (single and bulk, checked against its {@link SandboxTemplates catalogue}), contact
 * attributes, media ({@code showFile}, {@code getMedia}) and {@code getMessageTemplates}; answers a
 * {@link SandboxRefusals refusal} instead when told to; and records every call it answered.
 * <p>
 * Only the account {@code sandbox} reaches it: it listens on loopback only, on a port chosen at
 * start, and answers nothing but 401 without the token generated at each start, which only that
 * account's configuration holds. A second listener on another port serves sample files (any name
 * with a type WhatsApp takes) for a send_session_file's {@code file_url}; it has no WATI operation
 * and takes no token, so it is the only sandbox origin a request's own URLs may name.
 */
public final class SandboxWati implements AutoCloseable {

    /** The account the sandbox defines. */
    public static final String ACCOUNT = "sandbox";
    /** The endpoint's tenant path (as WATI's {@code https://live-mt-server.wati.io/123456}). */
    static final String TENANT = "/sandbox";
    private static final int MAX_JSON_BODY = 1024 * 1024;
    private static final int MULTIPART_HEAD = 64 * 1024;
    private static final int TAIL = 1024;
    private static final Pattern NUMBER_PATH = Pattern.compile("/api/v1/(sendSessionMessage|sendSessionFile|updateContactAttributes)/([^/]+)");
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=\"?([^\";]+)\"?");
    private static final Pattern DISPOSITION_NAME = Pattern.compile("(?i)[; ]name=\"([^\"]*)\"");
    private static final Pattern FILE_NAME = Pattern.compile("(?i)filename=\"([^\"]*)\"");
    private static final Pattern PART_TYPE = Pattern.compile("(?im)^content-type:\\s*([^\\r\\n]+)");

    private final HttpServer api;
    private final HttpServer samples;
    private final ExecutorService threads;
    private final String token;
    private final byte[] tokenHash;
    private final String webhookSecret;
    private final SandboxRecorder recorder;
    private final SandboxRefusals refusals = new SandboxRefusals();
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SandboxWati(int maxRecorded, Clock clock) throws IOException {
        this.clock = clock;
        this.recorder = new SandboxRecorder(maxRecorded);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.token = "wati_sandbox_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        this.tokenHash = sha256(("Bearer " + token).getBytes(StandardCharsets.UTF_8));
        byte[] webhook = new byte[24];
        random.nextBytes(webhook);
        this.webhookSecret = HexFormat.of().formatHex(webhook);
        // the JDK server writes headers and body separately: without no-delay each answer may wait
        // for a delayed ACK (~40 ms); read once by the JDK, so set before the first server
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("wati-sandbox-", 0).factory());
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.api = HttpServer.create(loopback, 0);
        this.samples = HttpServer.create(loopback, 0);
        api.createContext("/", this::handleApi);
        samples.createContext("/", this::handleSample);
        api.setExecutor(threads);
        samples.setExecutor(threads);
    }

    /** Starts both listeners on free loopback ports; their threads never keep the JVM running (see {@link #startAsDaemons}). */
    public static SandboxWati start(int maxRecorded, Clock clock) throws IOException {
        SandboxWati sandbox = new SandboxWati(maxRecorded, clock);
        try {
            startAsDaemons(sandbox.api, sandbox.samples);
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        return sandbox;
    }

    /**
     * Starts the servers from a daemon thread. The JDK server's {@code HTTP-Dispatcher} thread is made with
     * {@code new Thread(...)} in {@code ServerImpl.start()} (JDK 25), so it takes the daemon status of the thread that
     * starts it: a platform thread of Camel Main would make it a non-daemon, and a runtime whose start failed after the
     * sandbox's (Camel Main then never calls afterStop) would not end. Its handlers run on virtual threads, daemons too.
     */
    private static void startAsDaemons(HttpServer... servers) throws IOException {
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Thread starter = Thread.ofPlatform().daemon().name("wati-sandbox-start").start(() -> {
            try {
                for (HttpServer server : servers) {
                    server.start();
                }
            } catch (RuntimeException e) {
                failed.set(e);
            }
        });
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the WATI sandbox started");
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /** The account's endpoint: {@code http://127.0.0.1:<port>/sandbox}. */
    public String endpoint() {
        return origin(api) + TENANT;
    }

    /** Where the sample files are: {@code http://127.0.0.1:<port>/} + any file name ({@code invoice-17.pdf}). */
    public URI samplesOrigin() {
        return URI.create(origin(samples) + "/");
    }

    /** The account's token (configuration only: never logged, never answered). */
    public String token() {
        return token;
    }

    /** The account's webhook secret (configuration and the inbound events' URL only). */
    public String webhookSecret() {
        return webhookSecret;
    }

    public SandboxRecorder recorder() {
        return recorder;
    }

    public SandboxRefusals refusals() {
        return refusals;
    }

    public Clock clock() {
        return clock;
    }

    /** An id shaped as WATI's (24 hex digits). */
    public String newId() {
        byte[] id = new byte[12];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static String origin(HttpServer server) {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** What WATI answers: a status, headers and a body (JSON, or the media's bytes). */
    record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Answer json(int status, JsonNode json) {
            return new Answer(status, "application/json", json.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Answer json(int status, String json) {
            return new Answer(status, json == null ? null : "application/json", json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8),
                    Map.of());
        }

        static Answer refused(int status, String info) {
            return json(status, JsonNodeFactory.instance.objectNode().put("result", false).put("info", info));
        }
    }

    private void handleApi(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(tokenHash, sha256(auth.strip().getBytes(StandardCharsets.UTF_8)))) {
                // WATI answers a wrong token with 401 and no body; nothing of the caller is recorded
                exchange.getRequestBody().close();
                write(exchange, Answer.json(401, (String) null));
                return;
            }
            String rawPath = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (!rawPath.startsWith(TENANT + "/")) {
                exchange.getRequestBody().close();
                write(exchange, Answer.refused(404, "Not found: the sandbox's endpoint is " + TENANT));
                return;
            }
            String path = exchange.getRequestURI().getPath().substring(TENANT.length());
            JsonNode body = readBody(exchange);
            String operation = operation(path);
            Map<String, String> query = Map.of();
            Refusal refusal = null;
            Answer answer;
            // whatever the request holds, it gets an answer: an exception here would make the JDK server drop the
            // connection, which the runtime takes for WATI unreachable and retries
            try {
                query = query(exchange.getRequestURI().getRawQuery());
                refusal = SandboxRefusals.CALLS.contains(operation) ? refusals.take(operation) : null;
                answer = refusal != null ? refused(refusal, operation, body) : answer(method, operation, path, query, body);
            } catch (MalformedQuery e) {
                answer = Answer.refused(400, "Bad Request: " + e.getMessage());
            } catch (RuntimeException e) {
                // a body the sandbox cannot read as WATI's shape
                answer = Answer.refused(400, "The sandbox could not read the request: " + e.getClass().getSimpleName());
            }
            recorder.add(clock.instant(), method, operation, path, query, body, answer.status(), refusal == null ? null : refusal.label());
            write(exchange, answer);
        }
    }

    /** The operation a path names: {@code /api/v1/<operation>[/...]}; showFile is getMedia. */
    static String operation(String path) {
        if (path.equals("/api/file/showFile")) {
            return "getMedia";
        }
        if (path.startsWith("/api/v1/")) {
            String rest = path.substring("/api/v1/".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(0, slash);
        }
        return path;
    }

    private Answer answer(String method, String operation, String path, Map<String, String> query, JsonNode body) {
        boolean get = operation.equals("getMedia") || operation.equals("getMessageTemplates");
        if (SandboxRefusals.CALLS.contains(operation) && !method.equals(get ? "GET" : "POST")) {
            return Answer.refused(405, operation + " is called with " + (get ? "GET" : "POST"));
        }
        Matcher numbered = NUMBER_PATH.matcher(path);
        String number = numbered.matches() ? numbered.group(2) : query.get("whatsappNumber");
        return switch (operation) {
            case "sendSessionMessage" -> {
                String text = query.get("messageText");
                yield text == null || text.isEmpty() ? Answer.refused(400, "messageText is required") : sent(number, text, "text");
            }
            case "sendSessionFile" -> body == null || !body.has("file") ? Answer.refused(400, "No file: send it as the multipart part 'file'")
                    : sent(number, query.getOrDefault("caption", ""), "document");
            case "sendTemplateMessage" -> templateSent(number, body);
            case "sendTemplateMessages" -> bulkSent(body);
            case "updateContactAttributes" -> Answer.json(200, "{\"result\":true}");
            case "getMessageTemplates" -> Answer.json(200, SandboxTemplates.page(intOr(query.get("pageSize"), 100), intOr(query.get("pageNumber"), 1)));
            case "getMedia" -> {
                SampleMedia.Sample file = SampleMedia.of(query.get("fileName"));
                yield file == null ? Answer.refused(404, "File not found") : new Answer(200, file.contentType(), file.bytes(), Map.of());
            }
            default -> Answer.refused(404, "The WATI sandbox does not answer '" + EchoedText.cut(operation) + "'; it answers "
                    + String.join(", ", SandboxRefusals.CALLS) + " and /api/file/showFile");
        };
    }

    /** A session message or file accepted: WATI's answer with its ids. */
    private Answer sent(String number, String text, String type) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("ok", true);
        answer.put("result", "success");
        ObjectNode message = answer.putObject("message");
        String id = newId();
        message.put("id", id);
        message.put("whatsappMessageId", "wamid.sandbox-" + id);
        message.put("localMessageId", java.util.UUID.randomUUID().toString());
        message.put("text", text);
        message.put("type", type);
        message.put("statusString", "SENT");
        message.put("created", clock.instant().toString());
        message.put("conversationId", newId());
        message.put("ticketId", newId());
        message.put("waId", number);
        return Answer.json(200, answer);
    }

    /** V1's template answer: no message id (WATI sends it later in templateMessageSent). */
    private Answer templateSent(String number, JsonNode body) {
        String template = body == null ? null : body.path("template_name").asText(null);
        String reason = SandboxTemplates.refusal(template, body == null ? null : body.get("parameters"));
        if (reason != null) {
            return Answer.refused(400, reason);
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("result", true);
        answer.put("phone_number", number);
        answer.put("template_name", template);
        answer.set("parameteres", body.get("parameters"));
        answer.putObject("contact").put("wAid", number).put("fullName", "Sandbox customer").put("phone", number);
        answer.putObject("model").putArray("ids").add(newId());
        answer.put("validWhatsAppNumber", true);
        return Answer.json(200, answer);
    }

    /** sendTemplateMessages: the call goes through; a receiver whose parameters WATI would refuse is named in the errors. */
    private Answer bulkSent(JsonNode body) {
        String template = body == null ? null : body.path("template_name").asText(null);
        if (SandboxTemplates.ALL.stream().noneMatch(t -> t.name().equals(template))) {
            return Answer.refused(400, "Template not found or not approved");
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("result", true);
        ObjectNode errors = answer.putObject("errors");
        errors.put("error", false);
        errors.putArray("invalidWhatsappNumbers");
        ArrayNode invalidParameters = errors.putArray("invalidCustomParameters");
        for (JsonNode receiver : body.path("receivers")) {
            String reason = SandboxTemplates.refusal(template, receiver.get("customParams"));
            if (reason != null) {
                invalidParameters.addObject().put("whatsappNumber", receiver.path("whatsappNumber").asText()).put("reason", reason);
            }
        }
        return Answer.json(200, answer);
    }

    /** The refusal as WATI answers it; invalid_number names every receiver of a bulk call. */
    private Answer refused(Refusal refusal, String operation, JsonNode body) {
        if (refusal == Refusal.INVALID_NUMBER && operation.equals("sendTemplateMessages")) {
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("result", true);
            ObjectNode errors = answer.putObject("errors");
            errors.put("error", false);
            ArrayNode numbers = errors.putArray("invalidWhatsappNumbers");
            errors.putArray("invalidCustomParameters");
            if (body != null) {
                body.path("receivers").forEach(r -> numbers.add(r.path("whatsappNumber").asText()));
            }
            return Answer.json(200, answer);
        }
        Answer answer = Answer.json(refusal.status(), refusal.body());
        return new Answer(answer.status(), answer.contentType(), answer.body(), refusal.headers());
    }

    /** The sample files: GET /<name> of any type WhatsApp takes. Not recorded: no WATI call. */
    private void handleSample(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().close();
            String name = exchange.getRequestURI().getPath().substring(1);
            SampleMedia.Sample file = name.contains("/") ? null : SampleMedia.of(name);
            if (!exchange.getRequestMethod().equalsIgnoreCase("GET") && !exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
                write(exchange, new Answer(405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8), Map.of()));
            } else if (file == null) {
                write(exchange, new Answer(404, "text/plain", ("No sample file '" + EchoedText.cut(name)
                        + "': name a file such as invoice-17.pdf or photo.jpg\n").getBytes(StandardCharsets.UTF_8), Map.of()));
            } else {
                write(exchange, new Answer(200, file.contentType(), file.bytes(), Map.of()));
            }
        }
    }

    private static void write(HttpExchange exchange, Answer answer) throws IOException {
        if (answer.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 || head ? -1 : answer.body().length);
        if (!head && answer.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        }
    }

    /**
     * The body as answered and recorded: JSON as sent (when it is JSON, up to 1 MiB; the recorder keeps
     * 64 KiB of it), a file upload as its part's {@code {"file": {"name", "contentType", "bytes"}}} (the
     * file's bytes are counted, not kept), else {@code {"bytes": n}}; null when there is none.
     */
    private JsonNode readBody(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        boolean multipart = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/");
        int keep = multipart ? MULTIPART_HEAD : MAX_JSON_BODY;
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] tail = new byte[0];
        long total = 0;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                if (head.size() < keep) {
                    head.write(buffer, 0, Math.min(n, keep - head.size()));
                }
                byte[] joined = Arrays.copyOf(tail, tail.length + n);
                System.arraycopy(buffer, 0, joined, tail.length, n);
                tail = joined.length <= TAIL ? joined : Arrays.copyOfRange(joined, joined.length - TAIL, joined.length);
                total += n;
            }
        }
        if (total == 0) {
            return null;
        }
        if (multipart) {
            JsonNode part = filePart(contentType, head.toByteArray(), tail, total);
            if (part != null) {
                return part;
            }
        } else if (total <= MAX_JSON_BODY) {
            try {
                return mapper.readTree(head.toByteArray());
            } catch (IOException notJson) {
                // recorded by its size
            }
        }
        return JsonNodeFactory.instance.objectNode().put("bytes", total);
    }

    /** The upload's part {@code file}: its name, content type and exact size (from where the closing boundary starts). */
    static JsonNode filePart(String contentType, byte[] head, byte[] tail, long total) {
        Matcher boundary = BOUNDARY.matcher(contentType);
        if (!boundary.find()) {
            return null;
        }
        String delimiter = "--" + boundary.group(1);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int start; (start = text.indexOf(delimiter, from)) >= 0; from = start + delimiter.length()) {
            int headersEnd = text.indexOf("\r\n\r\n", start);
            if (headersEnd < 0) {
                return null;
            }
            String headers = text.substring(start + delimiter.length(), headersEnd);
            Matcher name = DISPOSITION_NAME.matcher(headers);
            if (!name.find() || !name.group(1).equals("file")) {
                continue;
            }
            long contentStart = headersEnd + 4L;
            String tailText = new String(tail, StandardCharsets.ISO_8859_1);
            int end = tailText.lastIndexOf("\r\n" + delimiter);
            long size = end < 0 ? -1 : total - tail.length + end - contentStart;
            Matcher fileName = FILE_NAME.matcher(headers);
            Matcher partType = PART_TYPE.matcher(headers);
            ObjectNode file = JsonNodeFactory.instance.objectNode();
            ObjectNode part = file.putObject("file");
            part.put("name", fileName.find() ? new String(fileName.group(1).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : null);
            part.put("contentType", partType.find() ? partType.group(1).strip() : null);
            part.put("bytes", size);
            return file;
        }
        return null;
    }

    /** A query that is not URL-encoded (a '%' without two hex digits): WATI's server answers such a request 400. */
    static final class MalformedQuery extends IllegalArgumentException {
        MalformedQuery(String message) {
            super(message);
        }
    }

    /** The query's parameters, decoded (the first of a repeated name). */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            query.putIfAbsent(decoded(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decoded(pair.substring(eq + 1)));
        }
        return query;
    }

    private static String decoded(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedQuery("the query is not URL-encoded ('%' must be followed by two hex digits, as %25 for '%')");
        }
    }

    private static int intOr(String value, int fallback) {
        try {
            return value == null ? fallback : Math.max(1, Math.min(1000, Integer.parseInt(value.strip())));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops both listeners (once: closing again does nothing). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            api.stop(0);
            samples.stop(0);
            threads.shutdownNow();
        }
    }
}
