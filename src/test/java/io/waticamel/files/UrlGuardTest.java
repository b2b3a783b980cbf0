package io.waticamel.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import io.waticamel.http.AddressGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlGuardTest {

    final UrlGuard guard = new UrlGuard(new AddressGuard(false));

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/x", "http://localhost/x", "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://[::1]/", "http://[fd00::1]/",
        "http://0.0.0.0/", "http://224.0.0.1/", "http://100.64.0.1/"})
    void refusesPrivateAndLocalAddresses(String url) {
        assertThatThrownBy(() -> guard.check("file_url", url)).hasMessageContaining("private or local address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "jar:http://x!/", "//example.com/x"})
    void refusesOtherSchemes(String url) {
        assertThatThrownBy(() -> guard.check("file_url", url)).hasMessage("file_url must be an http or https URL");
    }

    @Test
    void publicAddressesPass() throws Exception {
        assertThat(AddressGuard.isPublic(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(AddressGuard.isPublic(InetAddress.getByName("2606:4700::1111"))).isTrue();
    }

    @Test
    void privateHostsMayBeAllowedForLocalDoubles() {
        assertThat(new UrlGuard(new AddressGuard(true)).check("file_url", "http://127.0.0.1:9/x").getPort()).isEqualTo(9);
    }

    @Test
    void anAllowedLocalOriginPassesAndNothingElseOnItsHost() throws Exception {
        AddressGuard addresses = new AddressGuard(false);
        addresses.allowRequests(java.net.URI.create("http://127.0.0.1:4711/"));
        UrlGuard allowing = new UrlGuard(addresses);
        assertThat(allowing.check("file_url", "http://127.0.0.1:4711/invoice-17.pdf").getPath()).isEqualTo("/invoice-17.pdf");
        assertThatThrownBy(() -> allowing.check("api_endpoint", "http://127.0.0.1:4712/sandbox")).hasMessageContaining("private or local address");
        assertThatThrownBy(() -> allowing.check("file_url", "http://127.0.0.1/x")).hasMessageContaining("private or local address");
        // and the connection to it is made
        assertThat(addresses.resolve("127.0.0.1", 4711)).isNotEmpty();
        assertThatThrownBy(() -> addresses.resolve("127.0.0.1", 4712)).isInstanceOf(AddressGuard.AddressRefusedException.class);
    }

    @Test
    void credentialsInUrlsAreRefused() {
        assertThatThrownBy(() -> guard.check("file_url", "http://user:pw@example.com/")).hasMessageContaining("credentials");
    }
}
