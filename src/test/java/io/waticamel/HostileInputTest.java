package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile requests over the running runtime's HTTP API. Every one must be refused with a 4xx and
 * a clear {@code task_23001_run_text}, without the token echoed, without the WATI double (the
 * request's api_endpoint) receiving anything, and without hanging; afterwards the runtime is
 * still healthy and a valid action still works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {

    static final String SECRET = "S3cr3tT0k3n";
    static final String TOKEN = "wati_hostile-0f1e." + SECRET;
    static final String NUMBER = "27821234567";
    static final String VALID_ACTIONS = "Valid actions: send_session_message, send_template_message, send_session_file, "
            + "update_contact, get_media";
    static final String INVALID_NUMBER = "Invalid whatsappNumber: give the country code and number, 7 to 15 digits";
    static final String INVALID_ENDPOINT = "Invalid api_endpoint: give the http(s) API Endpoint URL from the WATI dashboard";
    static final String NOT_HTTP = "file_url must be an http or https URL";
    static final String PRIVATE = "file_url points to a private or local address, which is not allowed";
    static final String REDIRECT_PRIVATE = "file_url redirect points to a private or local address, which is not allowed";
    static final String UNAUTHORIZED = "Missing or invalid API key: send the X-API-Key header";
    /** A public address (example.com's former one): public to the URL guard, and only ever reached through the local proxy. */
    static final String PUBLIC_HOST = "93.184.215.14";
    static final String RAW = "@@raw@@";

    final ObjectMapper mapper = new ObjectMapper();
    WatiDouble wati;
    /** A local file host for file_url: answers hostile downloads, and must see nothing in the SSRF cases. */
    WatiDouble files;
    /** wati.request-urls.allow-private-hosts=true (RunningRuntime's default): downloads from 127.0.0.1 allowed. */
    RunningRuntime lenient;
    /** wati.request-urls.allow-private-hosts=false, as in production. */
    RunningRuntime strict;
    /** Stands in for the public host PUBLIC_HOST: answers every request with a redirect to a private address. */
    HttpServer proxy;
    final List<String> proxied = new CopyOnWriteArrayList<>();
    ProxySelector previousProxySelector;

    enum On { LENIENT, STRICT }

    enum Key { VALID, MISSING, WRONG, IN_QUERY }

    /**
     * One hostile request and what must come back: {@code status}, and a run_text starting with
     * {@code text} (or matching it, when {@code regex}). {@code fileHostHits}: requests the local
     * file host may receive (the hostile-download cases fetch once before refusing).
     */
    record Case(String name, On on, Key key, String contentType, Function<HostileInputTest, byte[]> body, int status, String text,
            boolean regex, int fileHostHits, int proxyHits) {

        Case on(On where) {
            return new Case(name, where, key, contentType, body, status, text, regex, fileHostHits, proxyHits);
        }

        Case key(Key k) {
            return new Case(name, on, k, contentType, body, status, text, regex, fileHostHits, proxyHits);
        }

        Case contentType(String type) {
            return new Case(name, on, key, type, body, status, text, regex, fileHostHits, proxyHits);
        }

        Case matching() {
            return new Case(name, on, key, contentType, body, status, text, true, fileHostHits, proxyHits);
        }

        Case fileHostHits(int hits) {
            return new Case(name, on, key, contentType, body, status, text, regex, hits, proxyHits);
        }

        Case proxyHits(int hits) {
            return new Case(name, on, key, contentType, body, status, text, regex, fileHostHits, hits);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Case refused(String name, int status, String text, Function<HostileInputTest, String> json) {
        return new Case(name, On.LENIENT, Key.VALID, "application/json", t -> json.apply(t).getBytes(StandardCharsets.UTF_8),
                status, text, false, 0, 0);
    }

    static Case refusedBytes(String name, int status, String text, Function<HostileInputTest, byte[]> body) {
        return new Case(name, On.LENIENT, Key.VALID, "application/json", body, status, text, false, 0, 0);
    }

    // ------------------------------------------------------------------ building request bodies

    Map<String, Object> task(String action) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", action);
        task.put("api_endpoint", wati.url());
        task.put("access_token", TOKEN);
        task.put("whatsappNumber", NUMBER);
        if (action.equals("send_session_message")) {
            task.put("messageText", "hello");
        }
        if (action.equals("send_session_file")) {
            task.put("file_url", files.url() + "/invoice.pdf");
        }
        if (action.equals("get_media")) {
            task.put("file_url", wati.url() + "/api/v1/getMedia?fileName=data/images/a.jpg");
        }
        return task;
    }

    /** The action's valid fields with some replaced (a null value removes the field). */
    String with(String action, Object... pairs) {
        Map<String, Object> task = task(action);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                task.remove((String) pairs[i]);
            } else {
                task.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return json(task);
    }

    /** As {@link #with}, one field's value given as raw JSON text (escapes such as \\u0000 or \\ud800 kept as written). */
    String withRaw(String action, String field, String rawJsonValue) {
        return with(action, field, RAW).replace("\"" + RAW + "\"", rawJsonValue);
    }

    String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String nested(int depth) {
        return "{\"x\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    // ------------------------------------------------------------------ the cases

    Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // body shape
        c.add(refused("malformed JSON", 400, "Request body is not valid JSON (line 1, column",
                t -> "{\"wati_action\": \"send_session_message\", \"access_token\": \"" + TOKEN + "\" \"x\""));
        c.add(refused("JSON array instead of an object", 400, "Request body must be a JSON object of task fields",
                t -> "[" + t.with("send_session_message") + "]"));
        c.add(refused("JSON string instead of an object", 400, "Request body must be a JSON object of task fields",
                t -> "\"send_session_message\""));
        c.add(refused("nested object in messageText", 400, "Field 'messageText' must be a string, number or boolean, not an object",
                t -> t.withRaw("send_session_message", "messageText", "{\"text\":\"hi\"}")));
        c.add(refused("array in whatsappNumber", 400, "Field 'whatsappNumber' must be a string, number or boolean, not an array",
                t -> t.withRaw("send_session_message", "whatsappNumber", "[\"" + NUMBER + "\",\"447700900123\"]")));
        c.add(refused("nesting 40 levels deep", 400, "Request body is not valid JSON",
                t -> t.withRaw("send_session_message", "caption", nested(40))));
        c.add(refused("duplicate keys", 400, "Request body is not valid JSON",
                t -> t.with("send_session_message").replaceFirst("^\\{", "{\"wati_action\":\"update_contact\",")));
        c.add(refused("empty body", 400, "Request body is empty: send a JSON object of task fields", t -> ""));
        c.add(refused("form-encoded body", 415, "Send the task fields as a JSON object with Content-Type: application/json",
                t -> "wati_action=send_session_message&api_endpoint=" + t.wati.url() + "&access_token=" + TOKEN
                        + "&whatsappNumber=" + NUMBER + "&messageText=form")
                .contentType("application/x-www-form-urlencoded"));
        c.add(refusedBytes("invalid UTF-8 bytes in a string", 400, "Request body is not valid JSON",
                t -> concat(t.withRaw("send_session_message", "messageText", "\"" + RAW + "\"").split(RAW)[0],
                        new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, t.withRaw("send_session_message", "messageText",
                                "\"" + RAW + "\"").split(RAW)[1])));
        c.add(refused("number with a 2^31 exponent (BigDecimal.toPlainString bomb)", 400,
                "(Field 'messageText'|Request body is not valid JSON).*",
                t -> t.withRaw("send_session_message", "messageText", "1e2147483647")).matching());
        // sizes
        c.add(refused("body over 1 MB", 413, "", t -> t.with("send_session_message", "caption", "x".repeat(1_100_000))));
        c.add(refused("single field over 8192 characters", 400, "Field 'caption' is longer than 8192 characters",
                t -> t.with("send_session_message", "caption", "x".repeat(8193))));
        c.add(refused("messageText over 4096 characters", 400, "messageText is longer than 4096 characters",
                t -> t.with("send_session_message", "messageText", "m".repeat(4097))));
        c.add(refused("field name over 64 characters", 400, "Field name is longer than 64 characters",
                t -> t.with("send_session_message", "n".repeat(65), "x")));
        c.add(refused("101 parameter pairs", 400, "Too many parameters: at most 100 pairs", t -> {
            Map<String, Object> task = t.task("update_contact");
            for (int i = 1; i <= 101; i++) {
                task.put("parameter_name_" + i, "attr" + i);
                task.put("parameter_value_" + i, "v" + i);
            }
            return t.json(task);
        }));
        c.add(refused("parameter_value without parameter_name", 400, "parameter_value_2 has no parameter_name_2",
                t -> t.with("update_contact", "parameter_name_1", "city", "parameter_value_1", "Cape Town",
                        "parameter_value_2", "gold")));
        // control characters, NUL, CRLF
        c.add(refused("NUL (escaped) in messageText", 400, "Field 'messageText' contains a NUL character",
                t -> t.withRaw("send_session_message", "messageText", "\"hi\\u0000there\"")));
        c.add(refused("NUL (escaped) in access_token", 400, "Field 'access_token' contains a NUL character",
                t -> t.withRaw("send_session_message", "access_token", "\"" + TOKEN + "\\u0000\"")));
        c.add(refused("control characters in whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", "2782\u0007123\u001b4567")));
        c.add(refused("control character in wati_action", 400, "Unknown wati_action 'send_session_message?'. " + VALID_ACTIONS,
                t -> t.with("send_session_message", "wati_action", "send_session_message\u0001")));
        c.add(refused("CRLF in access_token", 400, "Invalid access_token: it contains characters a token cannot have",
                t -> t.with("send_session_message", "access_token", TOKEN + "\r\nX-Evil: 1")));
        c.add(refused("CRLF in whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", NUMBER + "\r\nX-Evil: 1")));
        c.add(refused("CRLF in api_endpoint", 400, INVALID_ENDPOINT,
                t -> t.with("send_session_message", "api_endpoint", t.wati.url() + "/\r\nHost: evil.example")));
        c.add(refused("CRLF in wati_action", 400, "Unknown wati_action 'send_session_message??X-Evil: 1'. " + VALID_ACTIONS,
                t -> t.with("send_session_message", "wati_action", "send_session_message\r\nX-Evil: 1")));
        c.add(refused("CRLF in task_id", 400, "Invalid task_id: digits only (default 23001)",
                t -> t.with("send_session_message", "task_id", "1\r\nX-Evil: 1")));
        // path traversal
        c.add(refused("../../x as whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", "../../x")));
        c.add(refused("%2e%2e in whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", "%2e%2e%2f" + NUMBER)));
        c.add(refused("task_id that is not digits", 400, "Invalid task_id: digits only (default 23001)",
                t -> t.with("send_session_message", "task_id", "../23001")));
        c.add(refused("api_endpoint with encoded dot segments", 400, INVALID_ENDPOINT,
                t -> t.with("send_session_message", "api_endpoint", t.wati.url() + "/%2e%2e/%2e%2e/admin")));
        c.add(refused("file_url path traversal, served file named by the URL", 400,
                "Unsupported media type 'application/octet-stream' for passwd:",
                t -> t.with("send_session_file", "file_url", t.files.url() + "/dl/%2e%2e/%2e%2e/etc/passwd")).fileHostHits(1));
        c.add(refused("file_url with Content-Disposition ../../../etc/passwd", 400,
                "Unsupported media type 'application/octet-stream' for passwd:",
                t -> t.with("send_session_file", "file_url", t.files.url() + "/dl/disposition")).fileHostHits(1));
        c.add(refused("file_url with Content-Disposition filename* ../.bashrc CRLF", 400,
                "Unsupported media type 'application/octet-stream' for bashrc_:",
                t -> t.with("send_session_file", "file_url", t.files.url() + "/dl/encoded")).fileHostHits(1));
        // schemes and credentials
        c.add(refused("file_url file:", 400, NOT_HTTP, t -> t.with("send_session_file", "file_url", "file:///etc/passwd")));
        c.add(refused("file_url ftp:", 400, NOT_HTTP, t -> t.with("send_session_file", "file_url", "ftp://127.0.0.1/invoice.pdf")));
        c.add(refused("file_url gopher:", 400, NOT_HTTP,
                t -> t.with("send_session_file", "file_url", "gopher://127.0.0.1:6379/_FLUSHALL%0D%0A")));
        c.add(refused("file_url jar:", 400, NOT_HTTP,
                t -> t.with("send_session_file", "file_url", "jar:" + t.files.url() + "/x.jar!/invoice.pdf")));
        c.add(refused("file_url with user credentials", 400, "file_url must not contain user credentials",
                t -> t.with("send_session_file", "file_url", "http://admin:" + SECRET + "@127.0.0.1:" + port(t.files) + "/a.pdf")));
        c.add(refused("api_endpoint with user credentials", 400, INVALID_ENDPOINT,
                t -> t.with("send_session_message", "api_endpoint", "http://admin:" + SECRET + "@127.0.0.1:" + port(t.wati))));
        c.add(refused("api_endpoint file:", 400, INVALID_ENDPOINT, t -> t.with("send_session_message", "api_endpoint", "file:///etc/passwd")));
        c.add(refused("api_endpoint javascript:", 400, INVALID_ENDPOINT,
                t -> t.with("send_session_message", "api_endpoint", "javascript:alert(1)")));
        // actions, keys
        c.add(refused("unknown wati_action", 400, "Unknown wati_action '../../admin'. " + VALID_ACTIONS,
                t -> t.with("send_session_message", "wati_action", "../../admin")));
        c.add(refused("wrong API key", 401, UNAUTHORIZED, t -> t.with("send_session_message")).key(Key.WRONG));
        c.add(refused("missing API key", 401, UNAUTHORIZED, t -> t.with("send_session_message")).key(Key.MISSING));
        c.add(refused("API key in the query string, not the header", 401, UNAUTHORIZED,
                t -> t.with("send_session_message")).key(Key.IN_QUERY));
        // unicode
        c.add(refused("RTL override in whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", "\u202e" + NUMBER)));
        c.add(refused("fullwidth digits in whatsappNumber", 400, INVALID_NUMBER,
                t -> t.with("send_session_message", "whatsappNumber", "\uff12\uff17\uff18\uff12\uff11\uff12\uff13\uff14\uff15\uff16\uff17")));
        c.add(refused("zero-width joiner in wati_action", 400, "Unknown wati_action 'send\u200dsession_message'. " + VALID_ACTIONS,
                t -> t.with("send_session_message", "wati_action", "send\u200dsession_message")));
        c.add(refused("emoji in the wati_action field name", 400, "No wati_action provided. " + VALID_ACTIONS,
                t -> t.with("send_session_message", "wati_action", null, "wati_action\ud83d\ude00", "send_session_message")));
        c.add(refused("unpaired surrogate \\ud800 in messageText", 400, "(Field 'messageText'|messageText|Request body is not valid JSON).*",
                t -> t.withRaw("send_session_message", "messageText", "\"hi \\ud800 there\"")).matching());
        c.add(refused("unpaired surrogate \\ud800 in wati_action", 400, "Field 'wati_action' contains an invalid character (an unpaired UTF-16 surrogate)",
                t -> t.withRaw("send_session_message", "wati_action", "\"send\\ud800\"")));
        // get_media
        c.add(refused("get_media owner_id with ../", 400, "Invalid owner_id: 1 to 40 letters, digits or single hyphens",
                t -> t.with("get_media", "owner_id", "../../other-owner")));
        c.add(refused("get_media file_url on a foreign origin", 400, "file_url must be on the WATI endpoint's origin (http://127.0.0.1:",
                t -> t.with("get_media", "file_url", t.files.url() + "/api/v1/getMedia?fileName=data/images/a.jpg")));
        c.add(refused("get_media fileName that is only ../", 400, "Invalid filepath within URL",
                t -> t.with("get_media", "file_url", t.wati.url() + "/api/v1/getMedia?fileName=../../")));
        // SSRF: private hosts not allowed
        c.add(refused("api_endpoint on the cloud metadata address", 400,
                "api_endpoint points to a private or local address, which is not allowed",
                t -> t.with("send_session_message", "api_endpoint", "http://169.254.169.254/latest")).on(On.STRICT));
        c.add(refused("api_endpoint on localhost", 400, "api_endpoint points to a private or local address, which is not allowed",
                t -> t.with("send_session_message", "api_endpoint", "http://localhost:" + port(t.wati))).on(On.STRICT));
        c.add(refused("file_url 127.0.0.1", 400, PRIVATE, t -> t.with("send_session_file", "file_url", t.files.url() + "/invoice.pdf"))
                .on(On.STRICT));
        c.add(refused("file_url localhost", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://localhost:" + port(t.files) + "/invoice.pdf")).on(On.STRICT));
        c.add(refused("file_url 169.254.169.254 (cloud metadata)", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"))
                .on(On.STRICT));
        c.add(refused("file_url 10.0.0.1", 400, PRIVATE, t -> t.with("send_session_file", "file_url", "http://10.0.0.1/invoice.pdf"))
                .on(On.STRICT));
        c.add(refused("file_url [::1]", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://[::1]:" + port(t.files) + "/invoice.pdf")).on(On.STRICT));
        c.add(refused("file_url [::ffff:127.0.0.1]", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://[::ffff:127.0.0.1]:" + port(t.files) + "/invoice.pdf"))
                .on(On.STRICT));
        c.add(refused("file_url [fd00::1]", 400, PRIVATE, t -> t.with("send_session_file", "file_url", "http://[fd00::1]/invoice.pdf"))
                .on(On.STRICT));
        for (String embedded : new String[] {"[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[2001:db8::1]"}) {
            c.add(refused("file_url " + embedded + " (IPv4 embedded in IPv6, or reserved)", 400, PRIVATE,
                    t -> t.with("send_session_file", "file_url", "http://" + embedded + ":" + port(t.files) + "/invoice.pdf"))
                    .on(On.STRICT));
        }
        c.add(refused("file_url redirecting to a malformed Location", 400, "file_url could not be downloaded: Invalid redirect URI",
                t -> t.with("send_session_file", "file_url", t.files.url() + "/bad-redirect/invoice.pdf")).fileHostHits(1));
        c.add(refused("file_url 0.0.0.0", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://0.0.0.0:" + port(t.files) + "/invoice.pdf")).on(On.STRICT));
        c.add(refused("file_url 2130706433 (decimal 127.0.0.1)", 400, PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://2130706433:" + port(t.files) + "/invoice.pdf")).on(On.STRICT));
        c.add(refused("file_url public host redirecting (302) to 169.254.169.254", 400, REDIRECT_PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://" + PUBLIC_HOST + "/to-metadata/invoice.pdf")).on(On.STRICT)
                .proxyHits(1));
        c.add(refused("file_url public host redirecting (302) to 127.0.0.1", 400, REDIRECT_PRIVATE,
                t -> t.with("send_session_file", "file_url", "http://" + PUBLIC_HOST + "/to-loopback/invoice.pdf")).on(On.STRICT)
                .proxyHits(1));
        return c.stream();
    }

    static int port(WatiDouble server) {
        return URI.create(server.url()).getPort();
    }

    static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }

    // ------------------------------------------------------------------ lifecycle

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        files = new WatiDouble();
        files.answer(HostileInputTest::fileHostAnswer);
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            String target = exchange.getRequestURI().toString();
            proxied.add(target);
            String location = target.contains("/to-metadata/") ? "http://169.254.169.254/latest/meta-data/"
                    : files.url() + "/invoice.pdf";
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        proxy.start();
        InetSocketAddress proxyAddress = proxy.getAddress();
        previousProxySelector = ProxySelector.getDefault();
        ProxySelector.setDefault(new OnlyPublicHostProxy(proxyAddress, previousProxySelector));
        lenient = RunningRuntime.start();
        // strict: private hosts refused; it reaches the local WATI double only as a configured account
        strict = new RunningRuntime(Map.of("wati.request-urls.allow-private-hosts", "false",
                "wati.accounts.local.endpoint", wati.url(), "wati.accounts.local.token", TOKEN));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (strict != null) {
                strict.close();
            }
            if (lenient != null) {
                lenient.close();
            }
        } finally {
            ProxySelector.setDefault(previousProxySelector);
            proxy.stop(0);
            files.close();
            wati.close();
        }
    }

    @BeforeEach
    void reset() {
        wati.reset();
        files.reset();
        files.answer(HostileInputTest::fileHostAnswer);
        proxied.clear();
    }

    /** The local file host: /dl/... serves a file WhatsApp does not take, named by the URL or a hostile Content-Disposition. */
    static Answer fileHostAnswer(WatiDouble.Recorded r) {
        byte[] body = "root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.UTF_8);
        if (r.rawPath().startsWith("/dl/disposition")) {
            return new Answer(200, Map.of("Content-Type", "application/octet-stream",
                    "Content-Disposition", "attachment; filename=\"../../../etc/passwd\""), body);
        }
        if (r.rawPath().startsWith("/dl/encoded")) {
            return new Answer(200, Map.of("Content-Type", "application/octet-stream",
                    "Content-Disposition", "attachment; filename*=UTF-8''..%2F..%2F.bashrc%0D%0A"), body);
        }
        if (r.rawPath().startsWith("/bad-redirect/")) {
            return new Answer(302, Map.of("Location", "http://[not a host/x.pdf"), new byte[0]);
        }
        if (r.rawPath().startsWith("/dl/")) {
            return Answer.bytes(200, "application/octet-stream", body);
        }
        return Answer.bytes(200, "application/pdf", "%PDF-1.4\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends PUBLIC_HOST to the local proxy; everything else as before (127.0.0.1 direct). */
    static final class OnlyPublicHostProxy extends ProxySelector {
        private final Proxy proxy;
        private final ProxySelector delegate;

        OnlyPublicHostProxy(InetSocketAddress address, ProxySelector delegate) {
            this.proxy = new Proxy(Proxy.Type.HTTP, address);
            this.delegate = delegate;
        }

        @Override
        public List<Proxy> select(URI uri) {
            if (PUBLIC_HOST.equals(uri.getHost())) {
                return List.of(proxy);
            }
            return delegate != null ? delegate.select(uri) : List.of(Proxy.NO_PROXY);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {
            if (delegate != null) {
                delegate.connectFailed(uri, address, e);
            }
        }
    }

    // ------------------------------------------------------------------ the tests

    RunningRuntime.Response post(RunningRuntime runtime, Case c) throws Exception {
        String path = c.key() == Key.IN_QUERY ? "/api/v1/actions?X-API-Key=" + RunningRuntime.API_KEY : "/api/v1/actions";
        byte[] body = c.body().apply(this);
        if (runtime == strict) {
            body = viaLocalAccount(body);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url(path)))
                .timeout(Duration.ofSeconds(30)) // a hang fails the case instead of the build
                .header("Content-Type", c.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (c.key() == Key.VALID) {
            request.header("X-API-Key", RunningRuntime.API_KEY);
        } else if (c.key() == Key.WRONG) {
            request.header("X-API-Key", RunningRuntime.API_KEY + "x");
        }
        return runtime.send(request.build());
    }

    /**
     * The strict runtime refuses the local double as api_endpoint: a case that uses it goes through
     * the configured account instead (cases with another api_endpoint are sent as they are).
     */
    byte[] viaLocalAccount(byte[] body) throws IOException {
        Map<String, Object> task = mapper.readValue(body, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {
        });
        if (!wati.url().equals(task.get("api_endpoint"))) {
            return body;
        }
        task.remove("api_endpoint");
        task.remove("access_token");
        task.put("account", "local");
        return mapper.writeValueAsBytes(task);
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void hostileRequestIsRefusedCleanly(Case c) throws Exception {
        RunningRuntime.Response response = post(c.on() == On.STRICT ? strict : lenient, c);

        assertThat(response.status()).as("HTTP status; body: %s; WATI double received: %s", abbreviate(response.body()),
                received()).isEqualTo(c.status());
        assertThat(response.body()).as("the token is never echoed").doesNotContain(SECRET);
        if (c.status() == 413) {
            // the HTTP server answers before the action runs: the error shape, not the task variables
            assertThat(response.json()).as("413 body: %s", response.body()).isNotNull();
            assertThat(response.json().get("status").asInt()).isEqualTo(413);
            assertThat(response.json().get("error").asText()).contains("larger than");
        } else {
            assertThat(response.json()).as("JSON body: %s", abbreviate(response.body())).isNotNull();
            assertThat(response.json().size()).isEqualTo(3);
            assertThat(response.json().get("task_23001_run").isBoolean()).isTrue();
            assertThat(response.run()).isFalse();
            assertThat(response.runText()).isNotBlank();
            if (c.regex()) {
                assertThat(response.runText()).matches("(?s)" + c.text());
            } else {
                assertThat(response.runText()).startsWith(c.text());
            }
            assertThat(response.response().isNull()).as("task_23001_response").isTrue();
        }
        assertThat(wati.requests()).as("requests that reached the WATI double: %s", received()).isEmpty();
        assertThat(files.requests()).as("requests that reached the local file host").hasSize(c.fileHostHits());
        assertThat(proxied).as("requests that reached the public host (via the local proxy)").hasSize(c.proxyHits());
    }

    /** A query parameter named like the key, with the right key in the header as well: refused however the name is written. */
    @Order(1)
    @ParameterizedTest(name = "[{index}] ?{0}=<key>")
    @ValueSource(strings = {"X-API-Key", "x-api-key", "X-API-K%65y", "%58-%41%50%49-%4b%45%59", "X-API-Key+", "X-API-Key%20",
        "task_id=1;X-API-Key", "task_id=1&X-API-K%65y"})
    void apiKeyNamedInTheQueryIsRefused(String name) throws Exception {
        RunningRuntime.Response response = lenient.send(HttpRequest.newBuilder(URI.create(lenient.url("/api/v1/actions?" + name + "="
                + RunningRuntime.API_KEY))).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-API-Key", RunningRuntime.API_KEY).POST(HttpRequest.BodyPublishers.ofString(with("send_session_message"))).build());

        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.runText()).startsWith(UNAUTHORIZED);
        assertThat(wati.requests()).as("requests that reached the WATI double").isEmpty();
    }

    /** Health answers anyone (load balancers send no key), but without the key only UP or DOWN, whatever the query asks. */
    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/observe/health?exposureLevel=full", "/observe/health?exposureLevel=full&stackTrace=true&data=true",
        "/observe/health/live?exposureLevel=full", "/observe/health/ready?exposureLevel=full", "/observe/health/?exposureLevel=full"})
    void healthDetailNeedsTheApiKey(String path) throws Exception {
        for (String key : new String[] {null, RunningRuntime.API_KEY + "x"}) {
            HttpRequest.Builder anonymous = HttpRequest.newBuilder(URI.create(lenient.url(path))).timeout(Duration.ofSeconds(30));
            if (key != null) {
                anonymous.header("X-API-Key", key);
            }
            RunningRuntime.Response health = lenient.send(anonymous.build());

            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json()).as("X-API-Key %s: %s", key, health.body()).isEqualTo(mapper.readTree("{\"status\":\"UP\"}"));
        }
        RunningRuntime.Response detail = lenient.send(HttpRequest.newBuilder(URI.create(lenient.url(path)))
                .header("X-API-Key", RunningRuntime.API_KEY).timeout(Duration.ofSeconds(30)).build());
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.json().has("checks")).as("with the key, the detail asked for: %s", detail.body()).isTrue();
    }

    List<String> received() {
        return wati.requests().stream().map(r -> r.method() + " " + r.rawPath() + (r.rawQuery() == null ? "" : "?" + r.rawQuery()))
                .toList();
    }

    static String abbreviate(String body) {
        return body == null || body.length() < 400 ? body : body.substring(0, 400) + "...";
    }

    @Order(2)
    @Test
    void bothRuntimesAreStillHealthyAndAValidActionStillWorks() throws Exception {
        for (RunningRuntime runtime : List.of(lenient, strict)) {
            RunningRuntime.Response health = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/observe/health")))
                    .timeout(Duration.ofSeconds(30)).GET().build());
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("UP");

            wati.reset();
            String valid = with("send_session_message", "messageText", "still here");
            RunningRuntime.Response ok = runtime.postAction(runtime == strict
                    ? new String(viaLocalAccount(valid.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8) : valid);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.run()).isTrue();
            assertThat(ok.runText()).isEqualTo("Successfully sent message.");
            WatiDouble.Recorded sent = wati.onlyRequest();
            assertThat(sent.rawPath()).isEqualTo("/api/v1/sendSessionMessage/" + NUMBER);
            assertThat(sent.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        }
    }
}
