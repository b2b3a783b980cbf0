package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Routes call the actions through direct:wati-action, as a user's own route file would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkflowRouteTest {

    WatiDouble wati;
    WatiDouble files;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        files = new WatiDouble();
        runtime = new RunningRuntime(Map.of("wati.examples.follow-up-delay-ms", "50"));
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
        files.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        files.reset();
    }

    @Test
    void directWatiActionTakesHeadersAndGivesTheTaskVariablesKeepingTheCallersHeaders() {
        ProducerTemplate template = runtime.context().createProducerTemplate();
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("wati_action", "send_session_message");
        headers.put("api_endpoint", wati.url());
        headers.put("access_token", "tok-1");
        headers.put("whatsappNumber", "27821234567");
        headers.put("messageText", "from a route");
        headers.put("orderId", "A-17");

        var reply = template.request("direct:wati-action", e -> e.getMessage().setHeaders(headers));

        assertThat(reply.getMessage().getBody(Map.class)).containsEntry("task_23001_run", true)
                .containsEntry("task_23001_run_text", "Successfully sent message.");
        assertThat(reply.getMessage().getHeader("orderId")).isEqualTo("A-17");
        assertThat(wati.onlyRequest().rawQuery()).isEqualTo("messageText=from%20a%20route");
    }

    @Test
    void directWatiActionTakesAMapBody() {
        ProducerTemplate template = runtime.context().createProducerTemplate();
        Map<String, Object> reply = template.requestBody("direct:wati-action", Map.of("wati_action", "update_contact",
                "api_endpoint", wati.url(), "access_token", "tok-1", "whatsappNumber", "27821234567",
                "parameter_name_1", "city", "parameter_value_1", "Durban", "task_id", "5"), Map.class);

        assertThat(reply).containsEntry("task_5_run", true).containsEntry("task_5_run_text", "Successfully updated contact.");
        assertThat(wati.onlyRequest().bodyText()).isEqualTo("{\"customParams\":[{\"name\":\"city\",\"value\":\"Durban\"}]}");
    }

    @Test
    void exampleWorkflowSendsTheInvoiceThenTheMessage() throws Exception {
        files.answer(Answer.bytes(200, "application/pdf", "%PDF-1.4 invoice".getBytes()));
        Map<String, Object> fields = Map.of("api_endpoint", wati.url(), "access_token", "tok-1",
                "whatsappNumber", "27821234567", "file_url", files.url() + "/INV-9.pdf", "caption", "Invoice INV-9",
                "messageText", "Your invoice is attached");

        RunningRuntime.Response response = runtime.send(HttpRequest.newBuilder(
                        URI.create(runtime.url("/api/v1/workflows/invoice-then-message")))
                .header("X-API-Key", RunningRuntime.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(fields))).build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("Successfully sent message.");
        assertThat(wati.requests()).extracting(WatiDouble.Recorded::rawPath)
                .containsExactly("/api/v1/sendSessionFile/27821234567", "/api/v1/sendSessionMessage/27821234567");
        assertThat(wati.requests().get(0).rawQuery()).isEqualTo("caption=Invoice%20INV-9");
    }
}
