package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WatiEndpointsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://live-mt-server.wati.io/123456 | https://live-mt-server.wati.io/123456/api/v1/sendSessionMessage/1",
        "https://live-mt-server.wati.io/123456/ | https://live-mt-server.wati.io/123456/api/v1/sendSessionMessage/1",
        "https://live-mt-server.wati.io/123456/api/v1 | https://live-mt-server.wati.io/123456/api/v1/sendSessionMessage/1",
        "https://live-mt-server.wati.io/123456/api/v1/sendSessionMessage/2 | https://live-mt-server.wati.io/123456/api/v1/sendSessionMessage/1",
        "https://live-server-12345.wati.io | https://live-server-12345.wati.io/api/v1/sendSessionMessage/1",
        " HTTPS://Live-Server-12345.wati.io// | https://live-server-12345.wati.io/api/v1/sendSessionMessage/1",
        "http://127.0.0.1:8089/tenant | http://127.0.0.1:8089/tenant/api/v1/sendSessionMessage/1",
    })
    void keepsTheTenantPathAndAppendsApiV1Once(String raw, String expected) {
        assertThat(WatiEndpoints.operation(WatiEndpoints.normalise(raw), "sendSessionMessage/1")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://wati.io", "live-mt-server.wati.io/123", "https://user:pw@wati.io", "https://wati.io/1?x=1",
        "https://wati.io/1#f", "https:///nohost", "javascript:alert(1)", "https://wati.io/../x", "https://wati.io/a b"})
    void refusesWhatIsNotAnHttpEndpoint(String raw) {
        assertThatThrownBy(() -> WatiEndpoints.normalise(raw)).hasMessageStartingWith("Invalid api_endpoint");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void missingEndpointHasTheSeedsText(String raw) {
        assertThatThrownBy(() -> WatiEndpoints.normalise(raw)).hasMessage("No API endpoint provided");
    }
}
