package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API port's connection deadlines and the API key before the body, over raw sockets (an HTTP
 * client would send a request whole): a head or a body trickled a byte at a time is cut, an idle
 * connection is closed, a caller without a valid key gets its 401 and a closed connection without
 * ever sending its body, and an action slower than every deadline is still answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundLimitsTest {

    static final Duration DEADLINE = Duration.ofSeconds(1);
    /** Far longer than any deadline above, far shorter than a trickle of a whole head at PACE; a cut before half the deadline would not be the deadline. */
    static final Duration CUT_WITHIN = Duration.ofSeconds(10);
    static final Duration PACE = Duration.ofMillis(200);

    WatiDouble wati;
    RunningRuntime runtime;
    int port;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        String deadline = DEADLINE.toMillis() + "ms";
        runtime = new RunningRuntime(Map.of("wati.api.idle-timeout", deadline, "wati.api.request-head-timeout", deadline,
                "wati.api.request-body-timeout", deadline));
        port = URI.create(runtime.url("/")).getPort();
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
    }

    String action() {
        return "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"t-1\","
                + "\"whatsappNumber\":\"27821234567\",\"messageText\":\"slow\"}";
    }

    String head(String key, int contentLength) {
        return "POST /api/v1/actions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (key == null ? "" : "X-API-Key: " + key + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    @Test
    void aRequestHeadTrickledAByteAtATimeIsCut() throws Exception {
        byte[] head = head(RunningRuntime.API_KEY, action().length()).getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            Trickle trickle = trickle(socket, head);

            assertThat(trickle.closed()).as("the server closed the connection (%d of %d bytes sent)", trickle.sent(), head.length).isTrue();
            assertThat(trickle.sent()).isLessThan(head.length);
            assertThat(trickle.elapsed()).isBetween(DEADLINE.dividedBy(2), CUT_WITHIN);
        }
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void aRequestBodyTrickledAByteAtATimeIsCut() throws Exception {
        byte[] body = action().getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(head(RunningRuntime.API_KEY, body.length).getBytes(StandardCharsets.US_ASCII));
            Trickle trickle = trickle(socket, body);

            assertThat(trickle.closed()).as("the server closed the connection (%d of %d bytes sent)", trickle.sent(), body.length).isTrue();
            assertThat(trickle.sent()).isLessThan(body.length);
            assertThat(trickle.elapsed()).isBetween(DEADLINE.dividedBy(2), CUT_WITHIN);
        }
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            long start = System.nanoTime();
            assertThat(readUntilClosed(socket)).as("bytes the server sent").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(DEADLINE.dividedBy(2), CUT_WITHIN);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterItsAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("GET /observe/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readAnswer(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");

            long idleSince = System.nanoTime();
            assertThat(readUntilClosed(socket)).as("bytes after the answer").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isBetween(DEADLINE.dividedBy(2), CUT_WITHIN);
        }
    }

    /** The client sends the head only and waits: the 401 must come without the body, and the connection must not wait for it. */
    @ParameterizedTest(name = "X-API-Key: {0}")
    @ValueSource(strings = {"wrong-key", "(none)"})
    void aCallerWithoutAValidKeyGets401AndAClosedConnectionBeforeSendingItsBody(String key) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(head(key.equals("(none)") ? null : key, 1024 * 1024).getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) CUT_WITHIN.toMillis());

            String answer = readAnswer(socket.getInputStream());
            long answeredAt = System.nanoTime();

            assertThat(answer).startsWith("HTTP/1.1 401").contains("Missing or invalid API key");
            assertThat(readUntilClosed(socket)).as("bytes after the 401").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - answeredAt)).as("closed with the 401, not by the body deadline")
                    .isLessThan(DEADLINE.dividedBy(2));
        }
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void anActionSlowerThanEveryDeadlineIsStillAnswered() throws Exception {
        Duration slow = DEADLINE.multipliedBy(3);
        wati.answer(r -> {
            LockSupport.parkNanos(slow.toNanos());
            return WatiDouble.Answer.json(200, "{\"result\":true}");
        });

        RunningRuntime.Response response = runtime.postAction(action());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.run()).isTrue();
    }

    // ------------------------------------------------------------------ a slow client

    record Trickle(boolean closed, int sent, Duration elapsed) {
    }

    /**
     * Sends the bytes one at a time, PACE apart: the pause is a read with that timeout, which also
     * notices at once when the server closes the connection (end of stream or reset) or answers.
     */
    static Trickle trickle(Socket socket, byte[] bytes) throws IOException {
        socket.setSoTimeout((int) PACE.toMillis());
        long start = System.nanoTime();
        for (int sent = 0; sent < bytes.length; sent++) {
            try {
                socket.getOutputStream().write(bytes[sent]);
                socket.getOutputStream().flush();
                boolean closed = socket.getInputStream().read() == -1;
                return new Trickle(closed, sent + 1, Duration.ofNanos(System.nanoTime() - start));
            } catch (SocketTimeoutException stillOpen) {
                // nothing from the server within PACE: send the next byte
            } catch (SocketException closed) {
                return new Trickle(true, sent, Duration.ofNanos(System.nanoTime() - start));
            }
        }
        return new Trickle(false, bytes.length, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Everything the server sends until it closes the connection; fails if it is still open after CUT_WITHIN. */
    static byte[] readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout((int) CUT_WITHIN.toMillis());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(received);
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the connection is still open after " + CUT_WITHIN, stillOpen);
        } catch (SocketException reset) {
            // closed by a reset: closed all the same
        }
        return received.toByteArray();
    }

    /** One HTTP/1.1 answer with a Content-Length: status line, headers and body, as text. */
    static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new AssertionError("connection closed before an answer: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
