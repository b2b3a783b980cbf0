package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every action (success, WATI refusal, retries exhausted, validation error, wrong key, dead-letter
 * replay) with all logging at TRACE and Camel's tracer and message history on, through the
 * runtime's own log layout: neither the token, nor the API key, nor a full phone number appears in
 * what was logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsInLogsTest {

    static final String TOKEN = "SeCrEtToKeN-7f3a9c2e81d4";
    static final String NUMBER = "27821234567";
    static final String WEBHOOK_SECRET = "hook-secret-5566778899aabbcc";
    final StringWriter log = new StringWriter();
    WatiDouble wati;
    WatiDouble files;
    Appender capture;

    @BeforeAll
    void captureLogs() throws Exception {
        wati = new WatiDouble();
        files = new WatiDouble();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Appender console = context.getConfiguration().getRootLogger().getAppenders().values().iterator().next();
        capture = WriterAppender.newBuilder().setName("capture").setTarget(log)
                .setLayout((org.apache.logging.log4j.core.Layout<?>) console.getLayout()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.addAppender(capture, Level.ALL, null);
        Configurator.setRootLevel(Level.TRACE);
        context.updateLoggers();
    }

    @AfterAll
    void restore() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("capture");
        Configurator.setRootLevel(Level.INFO);
        context.updateLoggers();
        wati.close();
        files.close();
    }

    Map<String, Object> task(String action) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", action);
        task.put("api_endpoint", wati.url());
        task.put("access_token", "Bearer " + TOKEN);
        task.put("whatsappNumber", NUMBER);
        task.put("messageText", "hi");
        task.put("template_name", "t");
        task.put("parameter_name_1", "a");
        task.put("parameter_value_1", "b");
        task.put("file_url", files.url() + "/doc.pdf");
        return task;
    }

    @Test
    void noSecretOrFullNumberIsLogged() throws Exception {
        files.answer(Answer.bytes(200, "application/pdf", "%PDF".getBytes()));
        String azure = io.waticamel.testing.TestAzurite.connectionString();
        try (RunningRuntime runtime = new RunningRuntime(java.util.Map.of("camel.main.tracing", "true",
                "camel.main.message-history", "true", "wati.azure.connection-string", azure, "wati.accounts.main.endpoint", wati.url(),
                "wati.accounts.main.token", TOKEN, "wati.accounts.main.webhook-secret", WEBHOOK_SECRET))) {
            // WATI events in: the secret is in the path, the customer's number in the body
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/webhooks/wati/main/" + WEBHOOK_SECRET)))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"eventType\":\"message\",\"id\":\"e1\",\"waId\":\"" + NUMBER
                            + "\",\"type\":\"text\",\"text\":\"STOP\"}")).build()).status()).isEqualTo(200);
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/webhooks/wati/main/" + WEBHOOK_SECRET + "x")))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).status()).isEqualTo(404);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> runtime.send(HttpRequest.newBuilder(
                    URI.create(runtime.url("/api/v1/opt-outs/" + NUMBER + "?account=main"))).header("X-API-Key", RunningRuntime.API_KEY)
                    .GET().build()).body().contains("\"opted_out\":true"));
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/opt-outs/" + NUMBER + "?account=main")))
                    .header("X-API-Key", RunningRuntime.API_KEY).DELETE().build()).status()).isEqualTo(200);
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/messages?number=" + NUMBER)))
                    .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).status()).isEqualTo(200);
            for (String action : new String[] {"send_session_message", "send_template_message", "send_session_file", "update_contact"}) {
                assertThat(runtime.postAction(task(action)).status()).isEqualTo(200);
            }
            wati.answer(r -> r.method().equals("GET") ? Answer.bytes(200, "image/png", new byte[] {1, 2})
                    : Answer.json(200, "{\"result\":true}"));
            Map<String, Object> media = task("get_media");
            media.put("file_url", wati.url() + "/api/file/showFile?fileName=data/images/a.png");
            assertThat(runtime.postAction(media).status()).isEqualTo(200);
            wati.answer(Answer.json(503, "{}"));
            assertThat(runtime.postAction(task("send_session_message")).status()).isEqualTo(502);
            String letters = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/dead-letters")))
                    .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).body();
            String letterId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(letters).get("dead_letters").get(0).get("id").asText();
            wati.answer(Answer.json(200, "{\"result\":true}"));
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/dead-letters/" + letterId + "/replay")))
                    .header("X-API-Key", RunningRuntime.API_KEY).POST(HttpRequest.BodyPublishers.noBody()).build()).status()).isEqualTo(200);
            wati.answer(Answer.json(200, "{\"result\":false,\"message\":\"Ticket has been expired.\"}"));
            assertThat(runtime.postAction(task("send_session_message")).status()).isEqualTo(502);
            Map<String, Object> bad = task("send_session_message");
            bad.put("whatsappNumber", "12");
            assertThat(runtime.postAction(bad).status()).isEqualTo(400);
            Map<String, Object> unreachable = task("send_session_message");
            unreachable.put("api_endpoint", "http://127.0.0.1:" + RunningRuntime.freePort());
            assertThat(runtime.postAction(unreachable).status()).isEqualTo(502);
            assertThat(runtime.postAction("{\"access_token\": \"" + TOKEN + "\" oops").status()).isEqualTo(400);
            assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                    .header("X-API-Key", "wrong-" + TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")).build()).status())
                    .isEqualTo(401);
        }

        String logged = log.toString();
        assertThat(wati.requests()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(logged).contains("send_session_file to ********567").contains("Ticket has been expired.");
        assertThat(logged).doesNotContain(TOKEN).doesNotContain(RunningRuntime.API_KEY).doesNotContain(NUMBER).doesNotContain(WEBHOOK_SECRET);
        assertThat(logged).contains("opted out for account main");
    }
}
