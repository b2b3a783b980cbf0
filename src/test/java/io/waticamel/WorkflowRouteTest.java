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
    void directWatiActionReadsFieldsFromTheBodyOnlyAndGivesTheCallersHeadersBack() {
        ProducerTemplate template = runtime.context().createProducerTemplate();
        Map<String, Object> headers = new LinkedHashMap<>();
        // headers that look like task fields are not fields: a caller's HTTP headers must never become them
        headers.put("messageText", "from a header");
        headers.put("whatsappNumber", "15550001111");
        headers.put("orderId", "A-17");
        String fields = "{\"wati_action\": \"send_session_message\", \"api_endpoint\": \"" + wati.url()
                + "\", \"access_token\": \"tok-1\", \"whatsappNumber\": \"27821234567\", \"messageText\": \"from a route\"}";

        var reply = template.request("direct:wati-action", e -> {
            e.getMessage().setHeaders(headers);
            e.getMessage().setBody(fields);
        });

        assertThat(reply.getMessage().getBody(Map.class)).containsEntry("task_23001_run", true)
                .containsEntry("task_23001_run_text", "Successfully sent message.");
        assertThat(reply.getMessage().getHeaders()).isEqualTo(headers);
        assertThat(reply.getVariable("watiResult", io.waticamel.action.TaskResult.class).httpStatus()).isEqualTo(200);
        assertThat(wati.onlyRequest().rawPath()).isEqualTo("/api/v1/sendSessionMessage/27821234567");
        assertThat(wati.onlyRequest().rawQuery()).isEqualTo("messageText=from%20a%20route");
    }

    @Test
    void headersAloneAreNotAnAction() {
        ProducerTemplate template = runtime.context().createProducerTemplate();
        var reply = template.request("direct:wati-action", e -> {
            e.getMessage().setHeader("wati_action", "send_session_message");
            e.getMessage().setHeader("api_endpoint", wati.url());
        });

        assertThat(reply.getMessage().getBody(Map.class)).containsEntry("task_23001_run", false)
                .containsEntry("task_23001_run_text", "Request body is empty: send a JSON object of task fields");
        assertThat(wati.requests()).isEmpty();
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

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("Successfully sent message.");
        assertThat(wati.requests()).extracting(WatiDouble.Recorded::rawPath)
                .containsExactly("/api/v1/sendSessionFile/27821234567", "/api/v1/sendSessionMessage/27821234567");
        assertThat(wati.requests().get(0).rawQuery()).isEqualTo("caption=Invoice%20INV-9");
    }
}
