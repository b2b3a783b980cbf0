package io.waticamel.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Set;

import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a connection may go to (IANA's special-purpose registries, embedded IPv4, this host). */
class AddressGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "0.1.2.3", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.7", "192.88.99.1",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "fe80::1", "fd00::1", "fc00::5", "fec0::1", "ff02::1", "2001:db8::1", "100::1", "2001::1", "2001:0:4136:e378::1",
        "3fff::1", "5f00::1", "64:ff9b:1::1",
        // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4
        "::ffff:127.0.0.1", "::127.0.0.1", "::10.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2002:a9fe:a9fe::1"})
    void refusesWhatIsNotGloballyReachable(String address) throws Exception {
        assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.215.14", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "2a00:1450:4001::1",
        "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"})
    void letsGloballyReachableAddressesThrough(String address) throws Exception {
        assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }

    @Test
    void thisHostsOwnAddressesAreRefusedEvenWhenPublic() throws Exception {
        InetAddress ownPublic = InetAddress.getByName("93.184.215.14");
        AddressGuard guard = new AddressGuard(false, SystemDefaultDnsResolver.INSTANCE, () -> Set.of(ownPublic));

        assertThatThrownBy(() -> guard.resolve("93.184.215.14", 443)).isInstanceOf(AddressGuard.AddressRefusedException.class);
        assertThat(guard.isPublicHost("93.184.215.14")).isFalse();
        assertThat(guard.resolve("8.8.8.8", 443)).hasSize(1);
    }

    @Test
    void theHostsInterfacesAreKnown() {
        assertThat(AddressGuard.interfaceAddresses()).contains(InetAddress.getLoopbackAddress());
    }
}
