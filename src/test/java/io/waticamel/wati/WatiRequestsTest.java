package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

/** The generic request of direct:wati-call: a field's value fills a placeholder and can never change the request's shape. */
class WatiRequestsTest {

    final WatiRequests requests = new WatiRequests();
    final WatiCredentials credentials = new WatiCredentials(null, URI.create("https://live.wati.io/123"), "tok");

    @Test
    void placeholdersInPathAndQueryArePercentEncodedAndTheNumberIsChecked() {
        ActionFields fields = new ActionFields(Map.of("whatsappNumber", "+27 82 123 4567", "pageSize", "10 & more?x=1"));
        WatiCall call = requests.generic(fields, credentials, "get", "getMessages/{whatsappNumber}", "pageSize={pageSize}", null);

        assertThat(call.method()).isEqualTo("GET");
        assertThat(call.uri()).isEqualTo("https://live.wati.io/123/api/v1/getMessages/27821234567");
        assertThat(call.rawQuery()).isEqualTo("pageSize=10%20%26%20more%3Fx%3D1");
        assertThat(call.body()).isNull();
        assertThat(call.recipient()).isEqualTo("********567");
        assertThat(call.authorization()).isEqualTo("Bearer tok");
        assertThat(call.operation()).isEqualTo("getMessages");
    }

    @Test
    void jsonTextPlaceholdersAreEscapedForAJsonString() {
        ActionFields fields = new ActionFields(Map.of("whatsappNumber", "27821234567", "name", "Jo \"JJ\" \\ Smith\n"));
        WatiCall call = requests.generic(fields, credentials, null, "addContact/{whatsappNumber}", null,
                "{\"name\": \"{name}\", \"customParams\": []}");

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.contentType()).isEqualTo("application/json");
        assertThat(new String((byte[]) call.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\": \"Jo \\\"JJ\\\" \\\\ Smith\\n\", \"customParams\": []}");
    }

    @Test
    void aMapBodyIsSentAsJson() {
        WatiCall call = requests.generic(ActionFields.EMPTY, credentials, "POST", "addContact/27821234567", null,
                Map.of("name", "Ann"));
        assertThat(new String((byte[]) call.body(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Ann\"}");
    }

    @Test
    void refusesWhatCouldChangeTheRequestOrLeakTheToken() {
        ActionFields fields = new ActionFields(Map.of("access_token", "secret", "x", "1"));
        assertThatThrownBy(() -> requests.generic(fields, credentials, "GET", "../admin", null, null))
                .isInstanceOf(ActionRejectedException.class).hasMessageStartingWith("watiPath must be a WATI V1 operation");
        assertThatThrownBy(() -> requests.generic(fields, credentials, "GET", "/getContacts", null, null))
                .isInstanceOf(ActionRejectedException.class);
        assertThatThrownBy(() -> requests.generic(fields, credentials, "TRACE", "getContacts", null, null))
                .hasMessage("watiMethod must be one of GET, POST, PUT, PATCH, DELETE");
        assertThatThrownBy(() -> requests.generic(fields, credentials, "GET", "getContacts", "t={access_token}", null))
                .hasMessageStartingWith("access_token cannot be placed in watiPath");
        assertThatThrownBy(() -> requests.generic(fields, credentials, "GET", "getContacts", "a={missing}", null))
                .hasMessage("No missing provided");
        assertThatThrownBy(() -> requests.generic(fields, credentials, "GET", "getContacts", "a=b c", null))
                .hasMessage("watiPath and watiQuery may only hold {fieldName} placeholders");
    }
}
