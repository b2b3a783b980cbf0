package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox's WATI answers over real HTTP, without the runtime. */
class SandboxWatiTest {

    private final SandboxWati sandbox = start();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    private static SandboxWati start() {
        try {
            return SandboxWati.start(10, Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sandbox.close();
        http.close();
    }

    HttpResponse<String> call(String method, String path, String authorization, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.endpoint() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(String method, String path, String json) throws Exception {
        return call(method, path, "Bearer " + sandbox.token(), json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void listensOnLoopbackOnlyAndAnswersNothingButAnEmpty401WithoutItsToken() throws Exception {
        assertThat(sandbox.endpoint()).matches("http://127\\.0\\.0\\.1:\\d+/sandbox");
        for (String auth : new String[] {null, "Bearer wrong", "Bearer " + sandbox.token() + "x", sandbox.token()}) {
            HttpResponse<String> answer = call("POST", "/api/v1/sendSessionMessage/27821234567?messageText=hi", auth, null, null);
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.body()).isEmpty();
        }
        assertThat(sandbox.recorder().list(null)).isEmpty();
        assertThat(sandbox.recorder().total()).isZero();
    }

    @Test
    void itsThreadsNeverKeepTheJvmRunning() throws Exception {
        // started from this test's (non-daemon) thread, as Camel Main starts it from its own
        assertThat(Thread.currentThread().isDaemon()).isFalse();
        java.util.Set<Thread> before = dispatchers();
        SandboxWati another = SandboxWati.start(1, Clock.systemUTC());
        try {
            java.util.Set<Thread> started = dispatchers();
            started.removeAll(before);
            assertThat(started).as("the JDK server's HTTP-Dispatcher threads of its two listeners").hasSize(2).allMatch(Thread::isDaemon);
        } finally {
            another.close();
        }
        another.close();
    }

    private static java.util.Set<Thread> dispatchers() {
        java.util.Set<Thread> threads = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(t -> !t.getName().equals("HTTP-Dispatcher"));
        return threads;
    }

    @Test
    void answersASessionMessageAsWatiWithItsIdsAndRecordsItWithoutTheToken() throws Exception {
        HttpResponse<String> answer = call("POST", "/api/v1/sendSessionMessage/27821234567?messageText=Hi%20Ann%2C%20%2317%20%26%20100%25", null);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode json = mapper.readTree(answer.body());
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("result").asText()).isEqualTo("success");
        assertThat(json.at("/message/id").asText()).matches("[0-9a-f]{24}");
        assertThat(json.at("/message/whatsappMessageId").asText()).startsWith("wamid.");
        assertThat(json.at("/message/text").asText()).isEqualTo("Hi Ann, #17 & 100%");
        SandboxRecorder.Recorded recorded = sandbox.recorder().list(null).getFirst();
        assertThat(recorded.operation()).isEqualTo("sendSessionMessage");
        assertThat(recorded.path()).isEqualTo("/api/v1/sendSessionMessage/27821234567");
        assertThat(recorded.query()).containsEntry("messageText", "Hi Ann, #17 & 100%");
        assertThat(recorded.toMap().toString()).doesNotContain(sandbox.token());
    }

    @Test
    void templatesAreCheckedAgainstItsCatalogueAsWatiChecks() throws Exception {
        HttpResponse<String> page = call("GET", "/api/v1/getMessageTemplates?pageSize=2&pageNumber=1", null);
        JsonNode catalogue = mapper.readTree(page.body());
        assertThat(catalogue.get("messageTemplates")).extracting(t -> t.get("elementName").asText()).containsExactly("order_update", "welcome");
        assertThat(catalogue.at("/link/total").asInt()).isEqualTo(3);
        assertThat(catalogue.at("/messageTemplates/0/customParams")).extracting(p -> p.get("paramName").asText())
                .containsExactly("customer_name", "order_number");

        String ok = "{\"template_name\":\"order_update\",\"broadcast_name\":\"b\",\"parameters\":[{\"name\":\"customer_name\",\"value\":\"Ann\"},"
                + "{\"name\":\"order_number\",\"value\":\"A-17\"}]}";
        HttpResponse<String> sent = call("POST", "/api/v1/sendTemplateMessage?whatsappNumber=27821234567", ok);
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(sent.body()).get("validWhatsAppNumber").asBoolean()).isTrue();

        HttpResponse<String> unknown = call("POST", "/api/v1/sendTemplateMessage?whatsappNumber=27821234567",
                "{\"template_name\":\"order_updates\",\"broadcast_name\":\"b\",\"parameters\":[]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Template not found or not approved");
        HttpResponse<String> blank = call("POST", "/api/v1/sendTemplateMessage?whatsappNumber=27821234567", ok.replace("A-17", " "));
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.body()).contains("blank text");

        HttpResponse<String> bulk = call("POST", "/api/v1/sendTemplateMessages", "{\"template_name\":\"spring_sale\",\"broadcast_name\":\"s\","
                + "\"receivers\":[{\"whatsappNumber\":\"27821234567\",\"customParams\":[{\"name\":\"name\",\"value\":\"Ann\"},"
                + "{\"name\":\"code\",\"value\":\"A\"}]},{\"whatsappNumber\":\"27821234568\",\"customParams\":[{\"name\":\"name\",\"value\":\"Bob\"}]}]}");
        JsonNode errors = mapper.readTree(bulk.body()).get("errors");
        assertThat(errors.get("invalidWhatsappNumbers")).isEmpty();
        assertThat(errors.get("invalidCustomParameters")).singleElement().satisfies(e -> assertThat(e.get("whatsappNumber").asText())
                .isEqualTo("27821234568"));
    }

    @Test
    void answersTheRefusalsItIsToldToAsWatiDoes() throws Exception {
        sandbox.refusals().add("sendSessionMessage", "ticket_expired", 1);
        sandbox.refusals().add("*", "rate_limited", 1);
        sandbox.refusals().add("sendTemplateMessages", "invalid_number", 1);
        HttpResponse<String> expired = call("POST", "/api/v1/sendSessionMessage/27821234567?messageText=hi", null);
        assertThat(expired.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(expired.body()).get("message").asText()).isEqualTo("Ticket has been expired.");
        HttpResponse<String> limited = call("POST", "/api/v1/updateContactAttributes/27821234567", "{\"customParams\":[]}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        HttpResponse<String> bulk = call("POST", "/api/v1/sendTemplateMessages",
                "{\"template_name\":\"welcome\",\"broadcast_name\":\"w\",\"receivers\":[{\"whatsappNumber\":\"27821234567\",\"customParams\":[]}]}");
        assertThat(mapper.readTree(bulk.body()).at("/errors/invalidWhatsappNumbers/0").asText()).isEqualTo("27821234567");
        assertThat(call("POST", "/api/v1/sendSessionMessage/27821234567?messageText=hi", null).statusCode()).isEqualTo(200);
        assertThat(sandbox.recorder().list(null)).extracting(SandboxRecorder.Recorded::refusal)
                .containsExactly("ticket_expired", "rate_limited", "invalid_number", null);
    }

    @Test
    void recordsAFileUploadByItsPartWithTheExactSize() throws Exception {
        byte[] file = new byte[200_000];
        java.util.Arrays.fill(file, (byte) '-');
        String boundary = "b0undary";
        byte[] body = concat(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"invoice-17.pdf\"\r\n"
                + "Content-Type: application/pdf\r\n\r\n").getBytes(StandardCharsets.UTF_8), file,
                ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = call("POST", "/api/v1/sendSessionFile/27821234567?caption=Invoice", "Bearer " + sandbox.token(),
                "multipart/form-data; boundary=" + boundary, body);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode recorded = sandbox.recorder().list(null).getFirst().body().get("file");
        assertThat(recorded.get("name").asText()).isEqualTo("invoice-17.pdf");
        assertThat(recorded.get("contentType").asText()).isEqualTo("application/pdf");
        assertThat(recorded.get("bytes").asLong()).isEqualTo(file.length);
    }

    @Test
    void servesMediaWithItsContentTypeAndSampleFilesWithoutAToken() throws Exception {
        HttpResponse<byte[]> media = http.send(HttpRequest.newBuilder(URI.create(sandbox.endpoint()
                + "/api/file/showFile?fileName=data/images/abc.jpg")).header("Authorization", "Bearer " + sandbox.token()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(media.statusCode()).isEqualTo(200);
        assertThat(media.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(media.body()).startsWith((byte) 0xFF, (byte) 0xD8);
        assertThat(call("GET", "/api/v1/getMedia?fileName=data/x.exe", null).statusCode()).isEqualTo(404);

        HttpResponse<byte[]> sample = http.send(HttpRequest.newBuilder(sandbox.samplesOrigin().resolve("invoice-17.pdf")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(sample.statusCode()).isEqualTo(200);
        assertThat(sample.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(new String(sample.body(), StandardCharsets.US_ASCII)).startsWith("%PDF-1.4").contains("invoice-17.pdf").endsWith("%%EOF\n");
        // the sample files' origin has no WATI operation
        assertThat(http.send(HttpRequest.newBuilder(sandbox.samplesOrigin().resolve("sandbox/api/v1/getMessageTemplates"))
                .header("Authorization", "Bearer " + sandbox.token()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(sandbox.recorder().list(null)).extracting(SandboxRecorder.Recorded::operation).containsExactly("getMedia", "getMedia");
    }

    @Test
    void aQueryThatIsNotUrlEncodedIsA400NotADroppedConnection() throws Exception {
        assertThat(SandboxWati.query("messageText=Hi%20Ann&caption=100%25")).containsEntry("messageText", "Hi Ann").containsEntry("caption", "100%");
        for (String raw : new String[] {"messageText=100%", "messageText=%zz", "m%2=x"}) {
            assertThatThrownBy(() -> SandboxWati.query(raw)).as(raw).isInstanceOf(SandboxWati.MalformedQuery.class)
                    .hasMessageContaining("not URL-encoded");
        }
        // over HTTP the JDK server answers such a request line 400 itself, before the sandbox reads it: an answer either way
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(sandbox.endpoint()).getPort())) {
            socket.getOutputStream().write(("POST /sandbox/api/v1/sendSessionMessage/27821234567?messageText=100% HTTP/1.1\r\nHost: sandbox\r\n"
                    + "Authorization: Bearer " + sandbox.token() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void anOperationItDoesNotKnowIsA404NamingTheOnesItDoes() throws Exception {
        HttpResponse<String> answer = call("GET", "/api/v1/getContacts", null);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).contains("does not answer 'getContacts'").contains("sendSessionMessage");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
