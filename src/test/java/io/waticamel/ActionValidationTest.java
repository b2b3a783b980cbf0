package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests that are wrong before WATI is called: 400 (or 401) with a clear text, and WATI receives nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActionValidationTest {

    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        runtime = RunningRuntime.start();
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

    @AfterEach
    void watiReceivedNothing() {
        assertThat(wati.requests()).isEmpty();
    }

    Map<String, Object> valid(String action) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", action);
        task.put("api_endpoint", wati.url());
        task.put("access_token", "tok123");
        task.put("whatsappNumber", "27821234567");
        task.put("messageText", "hi");
        task.put("template_name", "t");
        task.put("file_url", wati.url() + "/f.pdf");
        return task;
    }

    @ParameterizedTest(name = "{0} without {1}")
    @CsvSource({
        "send_session_message, api_endpoint, No API endpoint provided",
        "send_session_message, access_token, No Access Token provided",
        "send_session_message, whatsappNumber, No whatsappNumber provided",
        "send_session_message, messageText, No messageText provided",
        "send_template_message, template_name, No template_name provided",
        "send_template_message, whatsappNumber, No whatsappNumber provided",
        "send_session_file, file_url, No file_url provided",
        "update_contact, api_endpoint, No API endpoint provided",
    })
    void missingFieldHasTheSeedsText(String action, String field, String text) throws Exception {
        Map<String, Object> task = valid(action);
        task.remove(field);

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).isEqualTo(text);
        assertThat(response.response().isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "whatsappNumber | 12345 | Invalid whatsappNumber",
        "whatsappNumber | 1234567890123456 | Invalid whatsappNumber",
        "whatsappNumber | ../../etc/passwd | Invalid whatsappNumber",
        "whatsappNumber | 27821234567/../x | Invalid whatsappNumber",
        "api_endpoint | ftp://live-mt-server.wati.io/1 | Invalid api_endpoint",
        "api_endpoint | live-mt-server.wati.io | Invalid api_endpoint",
    })
    void invalidFieldsAreRefusedWithAReason(String field, String value, String textStart) throws Exception {
        Map<String, Object> task = valid("send_session_message");
        task.put(field, value);

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).startsWith(textStart);
    }

    @Test
    void tokenThatCouldSplitAHeaderIsRefusedWithoutEchoingIt() throws Exception {
        Map<String, Object> task = valid("send_session_message");
        task.put("access_token", "abcSECRET\r\nX-Evil: 1");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).startsWith("Invalid access_token");
        assertThat(response.body()).doesNotContain("abcSECRET");
    }

    @Test
    void updateContactNeedsAtLeastOnePair() throws Exception {
        RunningRuntime.Response response = runtime.postAction(valid("update_contact"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).startsWith("No contact attributes provided");
    }

    @Test
    void unknownActionListsTheValidOnes() throws Exception {
        RunningRuntime.Response response = runtime.postAction(valid("send_fax"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).isEqualTo("Unknown wati_action 'send_fax'. Valid actions: send_session_message, "
                + "send_template_message, send_session_file, update_contact, get_media");
    }

    @Test
    void malformedJsonArraysAndNestedObjectsAre400() throws Exception {
        assertThat(runtime.postAction("{\"wati_action\": ").runText()).startsWith("Request body is not valid JSON");
        assertThat(runtime.postAction("[1,2]").runText()).isEqualTo("Request body must be a JSON object of task fields");
        RunningRuntime.Response nested = runtime.postAction("{\"wati_action\":{\"a\":1}}");
        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.runText()).isEqualTo("Field 'wati_action' must be a string, number or boolean, not an object");
        assertThat(runtime.postAction("{\"a\":1,\"a\":2}").status()).isEqualTo(400);
    }

    @Test
    void numbersMayBeJsonNumbers() throws Exception {
        Map<String, Object> task = valid("send_session_message");
        task.put("whatsappNumber", 27821234567L);
        task.put("task_id", 77);
        task.put("api_endpoint", "http://127.0.0.1:" + RunningRuntime.freePort());

        RunningRuntime.Response response = runtime.postAction(task);

        // got as far as calling WATI (nothing listens there): the number was accepted
        assertThat(response.json().get("task_77_run_text").asText()).startsWith("WATI could not be reached");
    }

    @Test
    void namedAccountCannotBeRedirectedToAnotherEndpoint() throws Exception {
        Map<String, Object> task = valid("send_session_message");
        task.put("account", "main");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).startsWith("Give either account or api_endpoint/access_token, not both");
    }

    @Test
    void unknownAccountIsNamed() throws Exception {
        Map<String, Object> task = valid("send_session_message");
        task.remove("api_endpoint");
        task.remove("access_token");
        task.put("account", "nosuch");

        assertThat(runtime.postAction(task).runText()).startsWith("Unknown account 'nosuch'");
    }

    @Test
    void missingOrWrongApiKeyIs401() throws Exception {
        for (String key : new String[] {null, "wrong", RunningRuntime.API_KEY + "x"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\"}"));
            if (key != null) {
                request.header("X-API-Key", key);
            }
            RunningRuntime.Response response = runtime.send(request.build());
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.run()).isFalse();
        }
    }

    @Test
    void formEncodedBodyIs415WithWhatToSendInstead() throws Exception {
        RunningRuntime.Response response = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\"}")).build());

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.runText()).isEqualTo("Send the task fields as a JSON object with Content-Type: application/json");
    }

    @Test
    void jsonWithoutContentTypeIsRead() throws Exception {
        RunningRuntime.Response response = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/actions")))
                .header("X-API-Key", RunningRuntime.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_fax\"}")).build());

        assertThat(response.runText()).startsWith("Unknown wati_action 'send_fax'");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String huge = "{\"messageText\":\"" + "x".repeat(1_100_000) + "\"}";
        assertThat(runtime.postAction(huge).status()).isEqualTo(413);
    }

    @Test
    void sessionFileFromANonHttpUrlIsRefused() throws Exception {
        Map<String, Object> task = valid("send_session_file");
        task.put("file_url", "file:///etc/passwd");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).isEqualTo("file_url must be an http or https URL");
    }
}
