package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import io.waticamel.testing.WatiDouble.Recorded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The four send actions through the running runtime's HTTP API, checked on what WATI received. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SendActionsTest {

    static final String TOKEN = "wati_9f1c2d3e-0000-4abc-8def-123456789abc.S3cr3tT0k3n";
    final ObjectMapper mapper = new ObjectMapper();
    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.accounts.main.endpoint", "http://127.0.0.1:1/unused",
                "wati.accounts.main.token", "unused"));
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

    Map<String, Object> task(String action) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", action);
        task.put("api_endpoint", wati.url());
        task.put("access_token", TOKEN);
        task.put("whatsappNumber", "27821234567");
        return task;
    }

    @Test
    void sessionMessageTextArrivesIntactWhateverItContains() throws Exception {
        String text = "Hi Ann & co #1: 100% + tax? a=b\nline 2 \uD83D\uDE00 caf\u00e9 \u65e5\u672c";
        wati.answer(Answer.json(200, "{\"ok\":true,\"result\":\"success\",\"message\":{\"id\":\"m1\"}}"));
        Map<String, Object> task = task("send_session_message");
        task.put("messageText", text);

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.run()).isTrue();
        assertThat(response.runText()).isEqualTo("Successfully sent message.");
        assertThat(response.response().get("message").get("id").asText()).isEqualTo("m1");
        Recorded r = wati.onlyRequest();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.rawPath()).isEqualTo("/api/v1/sendSessionMessage/27821234567");
        assertThat(r.rawQuery()).startsWith("messageText=").doesNotContain("+").doesNotContain("&").doesNotContain("#");
        assertThat(URLDecoder.decode(r.rawQuery().substring("messageText=".length()), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(r.header("User-Agent")).startsWith("wati-camel/");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void onlyTheWatiHeadersLeaveTheRuntime() throws Exception {
        Map<String, Object> task = task("send_session_message");
        task.put("messageText", "hello");

        runtime.postAction(task);

        Recorded r = wati.onlyRequest();
        assertThat(r.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key") || h.toLowerCase().startsWith("camel")
                || h.equalsIgnoreCase("access_token") || h.equalsIgnoreCase("wati_action"));
        assertThat(String.valueOf(r.headers())).doesNotContain(RunningRuntime.API_KEY);
    }

    @Test
    void templateParametersAreOrderedByNumberNotAsText() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true,\"validWhatsAppNumber\":true}"));
        Map<String, Object> task = task("send_template_message");
        task.put("template_name", "order_update");
        for (int n = 11; n >= 1; n--) {
            task.put("parameter_name_" + n, "p" + n);
            task.put("parameter_value_" + n, "v" + n);
        }

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("Successfully sent message.");
        Recorded r = wati.onlyRequest();
        assertThat(r.rawPath()).isEqualTo("/api/v1/sendTemplateMessage");
        assertThat(r.rawQuery()).isEqualTo("whatsappNumber=27821234567");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        StringBuilder expected = new StringBuilder("{\"template_name\":\"order_update\",\"broadcast_name\":\"order_update\",\"parameters\":[");
        for (int n = 1; n <= 11; n++) {
            expected.append(n > 1 ? "," : "").append("{\"name\":\"p").append(n).append("\",\"value\":\"v").append(n).append("\"}");
        }
        assertThat(r.bodyText()).isEqualTo(expected.append("]}").toString());
    }

    @Test
    void templateWithEmptyValueIsRefusedBeforeWati() throws Exception {
        Map<String, Object> task = task("send_template_message");
        task.put("template_name", "order_update");
        task.put("broadcast_name", "autumn");
        task.put("parameter_name_1", "customer_name");
        task.put("parameter_value_1", "");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).contains("customer_name").contains("parameter_value_1");
        assertThat(response.response().isNull()).isTrue();
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void templateRefusedByWatiWith400IsRunFalseWithWatisReason() throws Exception {
        wati.answer(Answer.json(400, "{\"result\":false,\"info\":\"Template not found or not approved\"}"));
        Map<String, Object> task = task("send_template_message");
        task.put("template_name", "missing");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).isEqualTo("WATI answered HTTP 400: Template not found or not approved");
        assertThat(response.response().get("info").asText()).isEqualTo("Template not found or not approved");
    }

    @Test
    void expiredTicketIsRunFalseWithWatisAnswer() throws Exception {
        wati.answer(Answer.json(200, "{\"result\": false, \"message\": \"Ticket has been expired.\", \"ticketStatus\": \"CLOSED\"}"));
        Map<String, Object> task = task("send_session_message");
        task.put("messageText", "hello");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).isEqualTo("Ticket has been expired.");
        assertThat(response.response().get("ticketStatus").asText()).isEqualTo("CLOSED");
    }

    @Test
    void watiUnauthorizedIsFinalAndServerErrorIsRetriedUntilExhausted() throws Exception {
        Map<String, Object> task = task("send_session_message");
        task.put("messageText", "hello");
        wati.answer(new Answer(401, Map.of(), new byte[0]));

        RunningRuntime.Response unauthorized = runtime.postAction(task);

        assertThat(unauthorized.status()).isEqualTo(502);
        assertThat(unauthorized.runText()).isEqualTo("WATI answered HTTP 401");
        assertThat(unauthorized.response().get("status").asInt()).isEqualTo(401);
        assertThat(wati.requests()).hasSize(1);

        wati.reset();
        wati.answer(Answer.json(500, "{\"message\":\"Internal error\"}"));
        RunningRuntime.Response failed = runtime.postAction(task);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.runText()).isEqualTo("WATI answered HTTP 500: Internal error (after 3 attempts)");
        assertThat(wati.requests()).hasSize(3).allSatisfy(r -> assertThat(r.rawQuery()).isEqualTo("messageText=hello"));
    }

    @Test
    void unreachableWatiIsRunFalse502() throws Exception {
        Map<String, Object> task = task("send_session_message");
        task.put("api_endpoint", "http://127.0.0.1:" + RunningRuntime.freePort());
        task.put("messageText", "hello");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).startsWith("WATI could not be reached");
        assertThat(response.response().isNull()).isTrue();
    }

    @Test
    void tenantPathBareOrBearerTokenAndFormattedNumberAreNormalised() throws Exception {
        Map<String, Object> task = task("update_contact");
        task.put("api_endpoint", wati.url() + "/123456/");
        task.put("access_token", "Bearer " + TOKEN);
        task.put("whatsappNumber", "+27 82-123 4567");
        task.put("parameter_name_2", "city");
        task.put("parameter_value_2", "Cape Town");
        task.put("parameter_name_1", "tier");
        task.put("parameter_value_1", "gold");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("Successfully updated contact.");
        Recorded r = wati.onlyRequest();
        assertThat(r.rawPath()).isEqualTo("/123456/api/v1/updateContactAttributes/27821234567");
        assertThat(r.rawQuery()).isNull();
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(r.bodyText()).isEqualTo(
                "{\"customParams\":[{\"name\":\"tier\",\"value\":\"gold\"},{\"name\":\"city\",\"value\":\"Cape Town\"}]}");
    }

    @Test
    void sessionFileIsDownloadedAndUploadedAsMultipart() throws Exception {
        byte[] pdf = new byte[300_000];
        new java.util.Random(7).nextBytes(pdf);
        try (WatiDouble files = new WatiDouble()) {
            files.answer(Answer.bytes(200, "application/pdf", pdf));
            wati.answer(Answer.json(200, "{\"result\":true}"));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/invoices/INV-17.pdf?sig=abc");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.runText()).isEqualTo("Successfully sent file.");
            Recorded download = files.onlyRequest();
            assertThat(download.header("Authorization")).isNull();
            Recorded r = wati.onlyRequest();
            assertThat(r.rawPath()).isEqualTo("/api/v1/sendSessionFile/27821234567");
            // a document without caption is captioned with its file name (WATI shows "untitled" otherwise)
            assertThat(r.rawQuery()).isEqualTo("caption=INV-17.pdf");
            assertThat(r.header("Content-Type")).matches("multipart/form-data; boundary=[^;]+");
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
            Multipart.Part part = Multipart.parse(r.header("Content-Type"), r.body()).single("file");
            assertThat(part.fileName()).isEqualTo("INV-17.pdf");
            assertThat(part.contentType()).isEqualTo("application/pdf");
            assertThat(part.content()).isEqualTo(pdf);
        }
    }

    @Test
    void sessionFileCaptionIsAQueryParameter() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            files.answer(Answer.bytes(200, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/photo.png");
            task.put("caption", "Your order & receipt #5");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(200);
            Recorded r = wati.onlyRequest();
            assertThat(r.rawQuery()).isEqualTo("caption=Your%20order%20%26%20receipt%20%235");
            assertThat(Multipart.parse(r.header("Content-Type"), r.body()).single("file").contentType()).isEqualTo("image/png");
        }
    }

    @Test
    void imageOverFiveMegabytesIsRefusedWithoutUploading() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            files.answer(Answer.bytes(200, "image/jpeg", new byte[5 * 1024 * 1024 + 1]));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/big.jpg");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.runText()).contains("images up to 5 MB");
            assertThat(wati.requests()).isEmpty();
        }
    }

    @Test
    void unsupportedMediaTypeIsRefusedNamingTheTypes() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            files.answer(Answer.bytes(200, "application/x-msdownload", new byte[] {'M', 'Z'}));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/setup.exe");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.runText()).startsWith("Unsupported media type 'application/x-msdownload' for setup.exe");
            assertThat(wati.requests()).isEmpty();
        }
    }

    @Test
    void oversizedVideoWithoutContentLengthStopsDownloadingAtTheLimit() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            long sent = 40L * 1024 * 1024;
            java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
            // chunked (no Content-Length): the runtime only finds out while reading
            files.answer(Answer.streamed("video/mp4", -1, () -> new java.io.FilterInputStream(
                    new io.waticamel.testing.GeneratedBytes(3, sent)) {
                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    int n = super.read(b, off, len);
                    served.addAndGet(Math.max(n, 0));
                    return n;
                }
            }));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/clip.mp4");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.runText()).isEqualTo("clip.mp4 is too large: WhatsApp takes video up to 16 MB");
            assertThat(wati.requests()).isEmpty();
            // the runtime stopped reading right after 16 MB; what the server wrote is bounded by socket buffers
            assertThat(served.get()).isLessThan(sent);
        }
    }

    @Test
    void documentOverADeclaredHundredMegabytesIsRefusedBeforeReadingIt() throws Exception {
        try (WatiDouble files = new WatiDouble()) {
            files.answer(Answer.streamed("application/pdf", 101L * 1024 * 1024, () -> new io.waticamel.testing.GeneratedBytes(4, 101L * 1024 * 1024)));
            Map<String, Object> task = task("send_session_file");
            task.put("file_url", files.url() + "/huge.pdf");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.runText()).isEqualTo("huge.pdf is too large: WhatsApp takes documents up to 100 MB");
            assertThat(wati.requests()).isEmpty();
        }
    }

    @Test
    void namedAccountSuppliesEndpointAndToken() throws Exception {
        try (RunningRuntime withAccount = new RunningRuntime(Map.of("wati.accounts.shop.endpoint", wati.url() + "/777",
                "wati.accounts.shop.token", "Bearer shopToken123"))) {
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("wati_action", "send_session_message");
            task.put("account", "shop");
            task.put("whatsappNumber", "0044 20 7946 0958");
            task.put("messageText", "hi");
            task.put("task_id", "42");

            RunningRuntime.Response response = withAccount.postAction(task);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("task_42_run").booleanValue()).isTrue();
            assertThat(response.json().fieldNames()).toIterable()
                    .containsExactly("task_42_run", "task_42_run_text", "task_42_response");
            Recorded r = wati.onlyRequest();
            assertThat(r.rawPath()).isEqualTo("/777/api/v1/sendSessionMessage/442079460958");
            assertThat(r.header("Authorization")).isEqualTo("Bearer shopToken123");
        }
    }
}
