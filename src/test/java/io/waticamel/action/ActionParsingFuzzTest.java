package io.waticamel.action;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.waticamel.files.FileNames;
import io.waticamel.wati.AccessTokens;
import io.waticamel.wati.PhoneNumbers;
import io.waticamel.wati.WatiEndpoints;
import org.junit.jupiter.api.Test;

/**
 * Seeded random property tests of the parsers and normalisers that see caller input first. Every
 * run uses the same seeds, so a failure is reproducible; a failure lists the shortest inputs that
 * broke the property (Java-escaped).
 */
class ActionParsingFuzzTest {

    static final long SEED = 0x5EED_CA3E1L;
    static final String MARKER = "S3CR3T";
    static final Pattern DIGITS_7_15 = Pattern.compile("[0-9]{7,15}");
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");
    static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    static final String INVALID_NUMBER =
            "Invalid whatsappNumber: give the country code and number, 7 to 15 digits (e.g. 447700900123)";
    static final Set<String> TOKEN_MESSAGES = Set.of("No Access Token provided",
            "Invalid access_token: it contains characters a token cannot have");
    static final Set<String> ENDPOINT_MESSAGES = Set.of("No API endpoint provided",
            "Invalid api_endpoint: give the http(s) API Endpoint URL from the WATI dashboard, e.g. https://live-mt-server.wati.io/123456");

    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    final ActionReader reader = new ActionReader();

    /** Runs a property for every generated input; collects the inputs that break it. */
    static <T> void forAll(String property, int iterations, Random random, java.util.function.Function<Random, T> generator,
            java.util.function.Consumer<T> check) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            T input = generator.apply(random);
            try {
                check.accept(input);
            } catch (Throwable t) {
                failures.add(describe(input) + "  ->  " + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()));
            }
        }
        failures.sort(Comparator.comparingInt(String::length));
        assertThat(failures.size()).as("%s: %d of %d inputs broke it; shortest first:%n  %s", property, failures.size(),
                iterations, String.join("\n  ", failures.subList(0, Math.min(5, failures.size())))).isZero();
    }

    /** A cheap assertion for the hot loops (AssertJ only builds the final report). */
    static void require(boolean holds, String what, Object... args) {
        if (!holds) {
            throw new AssertionError(String.format(what, args));
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> a + " " + b).orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    static String describe(Object input) {
        String text = input instanceof byte[] b ? "bytes:" + escape(new String(b, StandardCharsets.ISO_8859_1)) : escape(String.valueOf(input));
        return text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.append('"').toString();
    }

    @SafeVarargs
    static <T> T pick(Random r, T... pool) {
        return pool[r.nextInt(pool.length)];
    }

    // ------------------------------------------------------------------ ActionReader.fromJson

    static final String[] JSON_STRING_PIECES = {"a", "Z", "0", " ", "wati_action", "send_session_message", MARKER,
        "\\\"", "\\\\", "\\/", "\\n", "\\r\\n", "\\t", "\\u0000", "\\u0001", "\\u001b", "\\ud800", "\\udfff", "\\ud83d\\ude00",
        "\\u202e", "\\u200d", "\\uFEFF", "\u00e9", "\u65e5", "\ud83d\ude00", "\\x", "\\u12", "\\", "\"", "\r", "\n", "\u0000",
        "%2e%2e/", "../", "{", "}", "[", "]", ":", ","};
    static final String[] NUMBERS = {"0", "-0", "1", "27821234567", "1.50", "-1.5e3", "1e5", "1E-7", "0.0000001",
        "123456789012345678901234567890", "9".repeat(999), "9".repeat(1001), "1e309", "-1e-400", "01", "1.", ".5", "+1",
        "NaN", "Infinity", "-", "0x1F", "1e", "1e+", "1.5e999", "1e99999", "2e-99999",
        // a few bytes whose plain text would be 2^31 characters long
        "1e2147483647", "-1E-2147483647", "1.0e+2147483640"};

    /** A JSON string literal, sometimes malformed; the secret marker only ever in values, never in names. */
    static String jsonString(Random r, boolean value) {
        StringBuilder b = new StringBuilder("\"");
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            String piece = pick(r, JSON_STRING_PIECES);
            b.append(value || !piece.equals(MARKER) ? piece : "k");
        }
        if (r.nextInt(40) == 0) {
            b.append("x".repeat(8185 + r.nextInt(16)));
        }
        return b.append('"').toString();
    }

    static String jsonValue(Random r, int depth) {
        int kind = depth > 20 ? 3 + r.nextInt(4) : r.nextInt(9);
        switch (kind) {
            case 0:
            case 1: {
                StringBuilder b = new StringBuilder("{");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append(r.nextInt(8) == 0 ? "\"wati_action\"" : jsonString(r, false)).append(':').append(jsonValue(r, depth + 1));
                }
                return b.append('}').toString();
            }
            case 2: {
                StringBuilder b = new StringBuilder("[");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(jsonValue(r, depth + 1));
                }
                return b.append(']').toString();
            }
            case 3:
            case 4:
                return jsonString(r, true);
            case 5:
                return pick(r, NUMBERS);
            default:
                return pick(r, "true", "false", "null", "tru", "nul", "'x'", "undefined");
        }
    }

    /** A flat object, mostly well-formed: the shape of a real task. */
    static String flatObject(Random r) {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            String name = r.nextBoolean()
                    ? pick(r, "wati_action", "api_endpoint", "access_token", "whatsappNumber", "messageText", "task_id",
                            "parameter_name_" + (1 + r.nextInt(120)), "parameter_value_" + (1 + r.nextInt(120)))
                    : jsonString(r, false).substring(1).replace("\"", "");
            if (!name.startsWith("\"")) {
                name = "\"" + name + "\"";
            }
            b.append(name).append(':').append(r.nextInt(5) == 0 ? jsonValue(r, 0) : jsonString(r, true));
        }
        return b.append('}').toString();
    }

    static byte[] mutate(Random r, byte[] in) {
        byte[] out = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = r.nextInt(out.length);
            switch (r.nextInt(4)) {
                case 0 -> out[at] = (byte) r.nextInt(256);
                case 1 -> out = java.util.Arrays.copyOf(out, at);
                case 2 -> {
                    byte[] grown = new byte[out.length + 1];
                    System.arraycopy(out, 0, grown, 0, at);
                    int[] pool = {'{', '}', '"', '\\', ':', ',', '[', 0, 0xC0, 0xED, 0xFF, 0xFE, 0xEF};
                    grown[at] = (byte) pool[r.nextInt(pool.length)];
                    System.arraycopy(out, at, grown, at + 1, out.length - at);
                    out = grown;
                }
                default -> {
                    int other = r.nextInt(out.length);
                    byte t = out[at];
                    out[at] = out[other];
                    out[other] = t;
                }
            }
        }
        return out;
    }

    static byte[] randomJsonInput(Random r) {
        switch (r.nextInt(6)) {
            case 0: {
                byte[] bytes = new byte[r.nextInt(48)];
                r.nextBytes(bytes);
                return bytes;
            }
            case 1:
                return jsonValue(r, 0).getBytes(StandardCharsets.UTF_8);
            case 2:
            case 3:
                return flatObject(r).getBytes(StandardCharsets.UTF_8);
            case 4:
                return mutate(r, flatObject(r).getBytes(StandardCharsets.UTF_8));
            default: {
                // deep nesting around a field, sometimes past the reader's depth limit of 16
                int depth = 10 + r.nextInt(15);
                String open = "{\"a\":".repeat(depth);
                return (open + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void anyInputEitherParsesOrIsRejectedWithAPrintableMessage() {
        forAll("fromJson parses or throws ActionRejectedException", 30_000, new Random(SEED), ActionParsingFuzzTest::randomJsonInput,
                bytes -> {
                    try {
                        ActionFields fields = reader.fromJson(new ByteArrayInputStream(bytes));
                        fields.asMap().forEach((k, v) -> {
                            require(k.length() <= 64, "name longer than 64: %s", k.length());
                            require(v.length() <= ActionReader.MAX_FIELD_LENGTH, "value longer than 8192: %s", v.length());
                            require(v.indexOf('\u0000') < 0, "NUL in value of %s", escape(k));
                        });
                    } catch (ActionRejectedException e) {
                        String message = e.getMessage();
                        require(e.httpStatus() == 400, "status %s", e.httpStatus());
                        require(message != null && !message.isBlank(), "blank message");
                        require(!message.contains(MARKER), "message quotes a value: %s", escape(message));
                        require(!CONTROL.matcher(message).find(), "control character in message: %s", escape(message));
                    }
                });
    }

    /** Well-formed flat objects: accepted exactly (values as sent), or refused for the one documented reason. */
    @Test
    void wellFormedFlatObjectsKeepEveryValueExactly() {
        forAll("flat object round trip", 5_000, new Random(SEED + 1), r -> {
            Map<String, Object> task = new LinkedHashMap<>();
            int n = r.nextInt(10);
            for (int i = 0; i < n; i++) {
                String name = r.nextInt(3) == 0 ? randomText(r, 1 + r.nextInt(r.nextInt(10) == 0 ? 80 : 12))
                        : pick(r, "wati_action", "whatsappNumber", "messageText", "parameter_name_" + i, "parameter_value_" + i);
                Object value = switch (r.nextInt(6)) {
                    case 0 -> r.nextLong();
                    case 1 -> r.nextBoolean();
                    case 2 -> null;
                    default -> MARKER + randomText(r, r.nextInt(50) == 0 ? 8184 + r.nextInt(6) : r.nextInt(30));
                };
                task.put(name, value);
            }
            return task;
        }, task -> {
            String json;
            try {
                json = MAPPER.writeValueAsString(task);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            // a null value is skipped, its name never looked at
            boolean tooLongName = task.entrySet().stream().anyMatch(e -> e.getValue() != null && e.getKey().length() > 64);
            boolean tooLongValue = task.values().stream().anyMatch(v -> v != null && String.valueOf(v).length() > 8192);
            boolean nul = task.values().stream().anyMatch(v -> v != null && String.valueOf(v).contains("\u0000"));
            try {
                ActionFields fields = reader.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
                require(!(tooLongName || tooLongValue || nul), "accepted although it breaks a limit");
                Map<String, String> expected = new LinkedHashMap<>();
                task.forEach((k, v) -> {
                    if (v != null) {
                        expected.put(k, String.valueOf(v));
                    }
                });
                require(new ArrayList<>(fields.asMap().entrySet()).equals(new ArrayList<>(expected.entrySet())),
                        "fields %s differ from %s", describe(fields.asMap()), describe(expected));
            } catch (ActionRejectedException e) {
                require(tooLongName || tooLongValue || nul, "refused: %s", e.getMessage());
                require(!e.getMessage().contains(MARKER), "message quotes a value: %s", escape(e.getMessage()));
            }
        });
    }

    static String randomText(Random r, int length) {
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                b.append((char) ('a' + r.nextInt(26)));
            } else if (kind == 6) {
                b.append((char) r.nextInt(0x20));
            } else if (kind == 7) {
                b.append(pick(r, "\u202e", "\u200d", "\ud83d\ude00", "\u00e9", "\u65e5", "\"", "\\", "\r\n"));
            } else {
                b.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        int end = Math.min(length, b.length());
        if (end > 0 && Character.isHighSurrogate(b.charAt(end - 1))) {
            end--; // never cut a pair: a lone surrogate is not text Jackson can write as UTF-8
        }
        return b.substring(0, end);
    }

    // ------------------------------------------------------------------ PhoneNumbers

    static final String[] PHONE_PIECES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "27", "82", "123", "4567", "00",
        " ", "-", ".", "(", ")", "\u00a0", "+", "++", "/", "\\", "..", "%2e", "e", "x", "#", "*", "\t", "\r\n", "\u0000",
        "\u202e", "\u200d", "\uff12", "\u0662", "\u0967", "\ud83d\ude00", "\u2212", "\u3000", ";", ","};

    static String phoneInput(Random r) {
        StringBuilder b = new StringBuilder(pick(r, "", "", "+", " +", "00", "+00", "0", "\u00a0+"));
        int n = r.nextInt(18);
        for (int i = 0; i < n; i++) {
            // mostly digits, so that many inputs are valid
            b.append(r.nextInt(3) > 0 ? String.valueOf((char) ('0' + r.nextInt(10))) : pick(r, PHONE_PIECES));
        }
        return b.toString();
    }

    /** The documented rule, written independently: one leading '+' (after spaces only), the usual separators, 00 dropped. */
    static String expectedNumber(String raw) {
        if (raw.isBlank()) {
            return null;
        }
        StringBuilder digits = new StringBuilder();
        boolean plusSeen = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '+') {
                if (plusSeen || !raw.substring(0, i).chars().allMatch(ch -> ch == ' ')) {
                    return null;
                }
                plusSeen = true;
            } else if (" -.()\u00a0".indexOf(c) < 0) {
                return null;
            }
        }
        String number = digits.toString();
        number = number.startsWith("00") ? number.substring(2) : number;
        return number.length() >= 7 && number.length() <= 15 && !number.startsWith("0") ? number : null;
    }

    @Test
    void normalisedNumbersAreSevenToFifteenAsciiDigitsAndStable() {
        forAll("PhoneNumbers.normalise", 50_000, new Random(SEED + 2), ActionParsingFuzzTest::phoneInput, raw -> {
            String expected = expectedNumber(raw);
            String number;
            try {
                number = PhoneNumbers.normalise(raw);
            } catch (ActionRejectedException e) {
                require(expected == null, "refused a valid number (%s)", expected);
                require(e.getMessage().equals("No whatsappNumber provided") || e.getMessage().equals(INVALID_NUMBER),
                        "message %s", e.getMessage());
                return;
            }
            require(DIGITS_7_15.matcher(number).matches() && !number.startsWith("0"), "normalised to %s", escape(number));
            require(number.equals(expected), "normalised to %s, expected %s", number, expected);
            require(PhoneNumbers.normalise(number).equals(number), "not idempotent");
            require(PhoneNumbers.normalise("+" + number).equals(number), "+%s not the same number", number);
        });
    }

    // ------------------------------------------------------------------ AccessTokens

    static final String TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=";
    static final String[] TOKEN_BAD = {" ", "\t", "\r\n", "\n", "\u0000", ":", "\"", ",", ";", "\u00f6", "\u00a0", "\u3000",
        "\u202e", "\u200d", "\ud83d\ude00", "\ud800", "%0d%0a", "\u2028", "\u000b", "\\", "'", "<", "@"};

    static String tokenInput(Random r) {
        StringBuilder core = new StringBuilder();
        int n = r.nextInt(10) == 0 ? 4080 + r.nextInt(30) : r.nextInt(40);
        for (int i = 0; i < n; i++) {
            core.append(TOKEN_CHARS.charAt(r.nextInt(TOKEN_CHARS.length())));
        }
        if (r.nextBoolean()) {
            core.insert(r.nextInt(core.length() + 1), MARKER);
        }
        if (r.nextInt(3) == 0) {
            core.insert(r.nextInt(core.length() + 1), pick(r, TOKEN_BAD));
        }
        String prefix = pick(r, "", "", "Bearer ", "bearer\t", "BEARER   ", "Bearer Bearer ", "Bearer", "bearer\u3000",
                "  ", "Bearer:", "Bearer\u000b", "Basic ", "Bearer\r\n");
        return prefix + core + pick(r, "", "", " ", "\t", "\r\n", "\u00a0");
    }

    @Test
    void normalisedTokensAreHeaderSafeStableAndNeverEchoed() {
        forAll("AccessTokens.normalise", 30_000, new Random(SEED + 3), ActionParsingFuzzTest::tokenInput, raw -> {
            String token;
            try {
                token = AccessTokens.normalise(raw);
            } catch (ActionRejectedException e) {
                require(TOKEN_MESSAGES.contains(e.getMessage()), "message %s", escape(e.getMessage()));
                require(!e.getMessage().contains(MARKER), "message echoes the token");
                require(raw.strip().length() < 4 || !e.getMessage().contains(raw.strip()), "message echoes the input");
                return;
            }
            require(TOKEN.matcher(token).matches() && token.length() <= 4096, "normalised to %s", escape(token));
            require(raw.contains(token), "token %s is not part of the input", escape(token));
            require(AccessTokens.normalise(token).equals(token), "not idempotent");
            require(AccessTokens.normalise("Bearer " + token).equals(token), "Bearer + token differs");
            String header = AccessTokens.authorizationHeader(token);
            require(header.indexOf('\r') < 0 && header.indexOf('\n') < 0, "CR/LF in the header");
        });
    }

    // ------------------------------------------------------------------ WatiEndpoints

    static String endpointInput(Random r) {
        StringBuilder b = new StringBuilder(pick(r, "", "", " ", "\t", "\r\n"));
        b.append(pick(r, "https://", "http://", "HTTPS://", "Http://", "ftp://", "file://", "javascript:", "jar:http://",
                "gopher://", "//", "", "https:", "https:///", "http:\\\\", "hxxp://"));
        if (r.nextInt(6) == 0) {
            b.append(pick(r, "user@", "user:pw@", ":@", "a%40b@", MARKER + "@"));
        }
        b.append(pick(r, "live-mt-server.wati.io", "Live-Server-12345.WATI.io", "127.0.0.1", "[::1]", "[fe80::1%25eth0]", "localhost",
                "wati.io.", "a..b", "", "w\u00e4ti.io", "host_name", "-bad-.io", "xn--wti-qla.io", "1.2.3.4", "evil.com\\@wati.io"));
        if (r.nextInt(3) == 0) {
            b.append(pick(r, ":443", ":8089", ":", ":0", ":99999", ":-1", ":x"));
        }
        int segments = r.nextInt(5);
        for (int i = 0; i < segments; i++) {
            b.append(pick(r, "/", "/", "//", "\\")).append(pick(r, "123456", "tenant", "api", "v1", "api/v1", "sendSessionMessage",
                    "..", ".", "%2e%2e", "%2F", "a b", "x%00", "\u00e9", "", "~user", ";x=1", "@", "v2"));
        }
        if (r.nextInt(5) == 0) {
            b.append(pick(r, "?x=1", "?", "#", "#frag", "?" + MARKER));
        }
        b.append(pick(r, "", "", "/", "//", "///", " ", "\r\n", "\u00a0"));
        return b.toString();
    }

    @Test
    void normalisedEndpointsArePlainHttpAndStable() {
        forAll("WatiEndpoints.normalise", 50_000, new Random(SEED + 4), ActionParsingFuzzTest::endpointInput, raw -> {
            URI uri;
            try {
                uri = WatiEndpoints.normalise(raw);
            } catch (ActionRejectedException e) {
                require(ENDPOINT_MESSAGES.contains(e.getMessage()), "message %s", escape(e.getMessage()));
                return;
            }
            String text = uri.toString();
            require(uri.getScheme().equals("http") || uri.getScheme().equals("https"), "scheme of %s", text);
            require(uri.getHost() != null, "no host in %s", text);
            require(uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null,
                    "userinfo, query or fragment kept in %s", escape(text));
            require(!text.endsWith("/") && !text.endsWith("/api/v1"), "%s ends with / or /api/v1", text);
            require(!text.contains("..") && !text.contains(" ") && !CONTROL.matcher(text).find(), "%s", escape(text));
            require(WatiEndpoints.normalise(text).equals(uri), "not idempotent: %s", text);
            require(WatiEndpoints.operation(uri, "sendSessionMessage/1").equals(text + "/api/v1/sendSessionMessage/1"), "operation");
        });
    }

    // ------------------------------------------------------------------ FileNames

    static final String[] NAME_PIECES = {"a", "Z", "0", "-", "_", ".", "..", "...", "/", "\\", "../", "..\\", " ", "\u00e9", "e\u0301",
        "\ufb01", "\uff0f", "\uff3c", "\u2024", "\u2025", "\u2026", "\uff0e", "\u0000", "\r\n", "\t", "\u007f", "\u0085", "\u202e",
        "\u200d", "\ud83d\ude00", "\ud800", "%2e%2e", "%2f", ":", "*", "?", "<", ">", "|", "\"", "CON", ".pdf", ".tar.gz",
        ".pdf.exe", "invoice", "\u65e5\u672c", "\u0130", "\u00df"};

    static String fileNameInput(Random r) {
        if (r.nextInt(4) == 0) {
            // long names with dots near the cut: the truncation keeps the extension
            return "a".repeat(100 + r.nextInt(40)) + pick(r, ".", "..", "_", "") + randomPieces(r, 3) + pick(r, ".pdf", ".jpeg", ".x", ".docx", "");
        }
        return randomPieces(r, r.nextInt(12));
    }

    static String randomPieces(Random r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(pick(r, NAME_PIECES));
        }
        return b.toString();
    }

    @Test
    void safeFileNamesHaveNoPathPartsAndAreStable() {
        forAll("FileNames.safe", 50_000, new Random(SEED + 5), ActionParsingFuzzTest::fileNameInput, raw -> {
            String safe = FileNames.safe(raw, "file");
            require(SAFE_NAME.matcher(safe).matches() && safe.length() <= 120, "%s", escape(safe));
            require(safe.indexOf('/') < 0 && safe.indexOf('\\') < 0 && !CONTROL.matcher(safe).find(), "%s", escape(safe));
            require(!safe.contains(".."), "%s contains ..", safe);
            require(!safe.startsWith("."), "%s starts with a dot", safe);
            String again = FileNames.safe(safe, "file");
            require(again.equals(safe), "not idempotent: %s -> %s", safe, again);
        });
    }

    @Test
    void generatorsAreReproducible() {
        Supplier<String> sample = () -> {
            Random r = new Random(SEED);
            return describe(randomJsonInput(r)) + phoneInput(r) + tokenInput(r) + endpointInput(r) + fileNameInput(r);
        };
        assertThat(sample.get()).isEqualTo(sample.get());
    }
}
