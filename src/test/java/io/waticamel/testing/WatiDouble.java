package io.waticamel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for WATI over real HTTP on 127.0.0.1: records every request exactly as it
 * arrived (method, raw path, raw query, headers, body bytes) and answers from a script.
 */
public final class WatiDouble implements AutoCloseable {

    /** A request as received; {@code body} is kept up to {@value #MAX_RECORDED_BODY} bytes, length and hash always. */
    public record Recorded(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
            long bodyLength, String bodySha256, long receivedNanos) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer; {@code stream} (with {@code length}, -1 for chunked) is sent instead of {@code body} when set. */
    public record Answer(int status, Map<String, String> headers, byte[] body, Supplier<InputStream> stream, long length) {
        public Answer(int status, Map<String, String> headers, byte[] body) {
            this(status, headers, body, null, body.length);
        }

        public static Answer json(int status, String json) {
            return new Answer(status, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
        }

        public static Answer bytes(int status, String contentType, byte[] body) {
            return new Answer(status, Map.of("Content-Type", contentType), body);
        }

        /** A body generated while it is sent, never held in memory. */
        public static Answer streamed(String contentType, long length, Supplier<InputStream> stream) {
            return new Answer(200, Map.of("Content-Type", contentType), new byte[0], stream, length);
        }
    }

    static final int MAX_RECORDED_BODY = 8 * 1024 * 1024;
    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Function<Recorded, Answer>> script = new ConcurrentLinkedDeque<>();
    private volatile Function<Recorded, Answer> fallback = r -> Answer.json(200, "{\"result\":true}");

    public WatiDouble() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The answer for every request not scripted with {@link #next}. */
    public WatiDouble answer(Function<Recorded, Answer> answer) {
        this.fallback = answer;
        return this;
    }

    public WatiDouble answer(Answer answer) {
        return answer(r -> answer);
    }

    /** The answer to the next request only. */
    public WatiDouble next(Answer answer) {
        script.add(r -> answer);
        return this;
    }

    public List<Recorded> requests() {
        return Collections.unmodifiableList(new ArrayList<>(requests));
    }

    public Recorded onlyRequest() {
        List<Recorded> all = requests();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one request to the WATI double, got " + all.size());
        }
        return all.get(0);
    }

    public void reset() {
        requests.clear();
        script.clear();
        fallback = r -> Answer.json(200, "{\"result\":true}");
    }

    private void handle(HttpExchange exchange) throws IOException {
        long receivedNanos = System.nanoTime();
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        long length = 0;
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                length += n;
                sha.update(buffer, 0, n);
                if (kept.size() + n <= MAX_RECORDED_BODY) {
                    kept.write(buffer, 0, n);
                }
            }
        }
        byte[] body = length <= MAX_RECORDED_BODY ? kept.toByteArray() : new byte[0];
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), headers, body, length, java.util.HexFormat.of().formatHex(sha.digest()), receivedNanos);
        requests.add(recorded);
        Function<Recorded, Answer> scripted = script.poll();
        Answer answer = (scripted != null ? scripted : fallback).apply(recorded);
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (answer.stream() != null) {
            exchange.sendResponseHeaders(answer.status(), answer.length() < 0 ? 0 : answer.length());
            try (InputStream in = answer.stream().get(); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the client went away mid-body
            }
            return;
        }
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
