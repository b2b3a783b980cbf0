package io.waticamel.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.files.MediaDownloader;
import io.waticamel.files.UrlGuard;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one client's rules, with its resolver hook standing in for DNS: the addresses checked are the
 * ones connected to, every redirect hop is a new checked connection, and the Authorization header
 * never leaves its origin.
 */
class OutboundHttpTest {

    static final OutboundHttp.Settings SETTINGS = new OutboundHttp.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(30), 4, 8, "wati-camel/test");
    static final InetAddress PUBLIC = address("93.184.215.14");
    static final InetAddress LOOPBACK = address("127.0.0.1");

    final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    final List<String> seen = new CopyOnWriteArrayList<>();
    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server on 127.0.0.1 that records "name path Authorization" and answers with {@code status} and headers. */
    int server(String name, int status, Map<String, String> headers) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(name + " " + exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = "%PDF-1.4".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/pdf");
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    /** Answers each lookup of a name with the next answer (the last one repeats), like a rebinding DNS server. */
    static DnsResolver answers(String name, InetAddress[]... answers) {
        Deque<InetAddress[]> queue = new ArrayDeque<>(List.of(answers));
        return new DnsResolver() {
            @Override
            public synchronized InetAddress[] resolve(String host) throws UnknownHostException {
                if (!host.equals(name)) {
                    return InetAddress.getAllByName(host);
                }
                return queue.size() > 1 ? queue.poll() : queue.peek();
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }

    @Test
    void aNameThatAnswersPublicToTheCheckAndPrivateToTheConnectionIsRefused() throws Exception {
        int port = server("local", 200, Map.of());
        AddressGuard guard = new AddressGuard(false, answers("rebind.test", new InetAddress[] {PUBLIC}, new InetAddress[] {LOOPBACK}));
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, guard)) {
            MediaDownloader downloader = new MediaDownloader(http, new UrlGuard(guard), temp);

            // the early check sees the public answer and passes; the connection gets the private one and is refused
            assertThatThrownBy(() -> downloader.download("http://rebind.test:" + port + "/invoice.pdf"))
                    .isInstanceOf(ActionRejectedException.class)
                    .hasMessage("file_url points to a private or local address, which is not allowed" + AddressGuard.HINT);
            assertThat(seen).isEmpty();
        }
    }

    @Test
    void aPublicAndAPrivateAddressInOneAnswerAreRefused() throws Exception {
        int port = server("local", 200, Map.of());
        AddressGuard guard = new AddressGuard(false, answers("mixed.test", new InetAddress[] {PUBLIC, LOOPBACK}));
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, guard)) {
            assertThatThrownBy(() -> http.execute(new HttpGet("http://mixed.test:" + port + "/"), r -> r.getCode()))
                    .isInstanceOf(AddressGuard.AddressRefusedException.class)
                    .hasMessageContaining("Refused to connect to mixed.test:" + port)
                    .hasMessageContaining(AddressGuard.SETTING);
            assertThat(seen).isEmpty();
        }
    }

    @Test
    void aRedirectToLoopbackFromAnAllowedHostIsRefusedAtTheHop() throws Exception {
        int inside = server("inside", 200, Map.of());
        int allowed = server("allowed", 302, Map.of("Location", "http://127.0.0.1:" + inside + "/secret.pdf"));
        AddressGuard guard = new AddressGuard(false);
        // the operator's own origin (as a configured account's endpoint is): connections to it are allowed
        guard.trust("127.0.0.1", allowed);
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, guard)) {
            assertThatThrownBy(() -> http.execute(new HttpGet("http://127.0.0.1:" + allowed + "/file.pdf"), r -> r.getCode()))
                    .isInstanceOf(AddressGuard.AddressRefusedException.class)
                    .hasMessageContaining("127.0.0.1:" + inside);
            assertThat(seen).containsExactly("allowed /file.pdf null");
        }
    }

    @Test
    void authorizationGoesToItsOriginOnlyAlongRedirects() throws Exception {
        int cdn = server("cdn", 200, Map.of());
        int wati = server("wati", 302, Map.of("Location", "http://localhost:" + cdn + "/media.pdf"));
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, new AddressGuard(true))) {
            HttpGet get = new HttpGet("http://127.0.0.1:" + wati + "/showFile");
            get.addHeader("Authorization", "Bearer secret-token");

            int status = http.execute(get, ClassicHttpResponse::getCode);

            assertThat(status).isEqualTo(200);
            assertThat(seen).containsExactly("wati /showFile Bearer secret-token", "cdn /media.pdf null");
        }
    }

    @Test
    void aPostIsNeverRedirected() throws Exception {
        int other = server("other", 200, Map.of());
        int wati = server("wati", 307, Map.of("Location", "http://127.0.0.1:" + other + "/elsewhere"));
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, new AddressGuard(true))) {
            HttpPost post = new HttpPost("http://127.0.0.1:" + wati + "/api/v1/sendSessionMessage/1");
            post.addHeader("Authorization", "Bearer secret-token");

            assertThat(http.execute(post, ClassicHttpResponse::getCode)).isEqualTo(307);
            assertThat(seen).containsExactly("wati /api/v1/sendSessionMessage/1 Bearer secret-token");
        }
    }

    @Test
    void aRedirectToCloudMetadataIsRefusedForADownload() throws Exception {
        int allowed = server("allowed", 302, Map.of("Location", "http://169.254.169.254/latest/meta-data/"));
        AddressGuard guard = new AddressGuard(false, answers("files.test", new InetAddress[] {PUBLIC}, new InetAddress[] {LOOPBACK}));
        guard.trust("files.test", allowed);
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, guard)) {
            MediaDownloader downloader = new MediaDownloader(http, new UrlGuard(guard), temp);

            assertThatThrownBy(() -> downloader.download("http://files.test:" + allowed + "/invoice.pdf"))
                    .hasMessage("file_url redirect points to a private or local address, which is not allowed" + AddressGuard.HINT);
            assertThat(seen).containsExactly("allowed /invoice.pdf null");
            try (var files = Files.list(temp)) {
                assertThat(files).isEmpty();
            }
        }
    }

    @Test
    void aFinishedExchangeLeavesNoDeadlineBehind() throws Exception {
        int port = server("local", 200, Map.of());
        int before = OutboundHttp.pendingDeadlines();
        try (CloseableHttpClient http = OutboundHttp.client(SETTINGS, new AddressGuard(true))) {
            for (int i = 0; i < 50; i++) {
                int status = http.execute(new HttpGet("http://127.0.0.1:" + port + "/x"), r -> {
                    r.getEntity().getContent().readAllBytes();
                    return r.getCode();
                });
                assertThat(status).isEqualTo(200);
            }
        }
        // each exchange scheduled a 30 s deadline: met, it must be gone, not queued until it would have passed
        assertThat(OutboundHttp.pendingDeadlines()).isLessThanOrEqualTo(before);
    }
}
