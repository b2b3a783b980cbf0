package io.waticamel.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.waticamel.action.ActionRejectedException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The outbound client's name resolver, and the one place that decides which addresses the runtime
 * may connect to: the addresses it checks are the addresses the connection is made to, so a name
 * that answers a public address to a check and a private one to the connection (DNS rebinding) is
 * refused. Unless {@code wati.request-urls.allow-private-hosts} is on, no connection goes to a
 * loopback, private, link-local (cloud metadata), unique-local, unspecified, multicast or reserved
 * address, except to an origin the operator configured (a named account's endpoint, the alert
 * webhook, a proxy), which is {@link #trust trusted} by host and port.
 */
public class AddressGuard implements DnsResolver {

    /** The setting that turns the check off, named in every refusal so a user with a local WATI stand-in knows it. */
    public static final String SETTING = "wati.request-urls.allow-private-hosts";
    /** What a refusal adds so the user knows the way out, and that it is not for production. */
    public static final String HINT = " (" + SETTING + "=true allows it, for local tests only)";

    private final boolean allowPrivateHosts;
    private final DnsResolver names;
    private final Set<String> trusted = ConcurrentHashMap.newKeySet();

    public AddressGuard(boolean allowPrivateHosts) {
        this(allowPrivateHosts, SystemDefaultDnsResolver.INSTANCE);
    }

    /** @param names how names are looked up (the system's resolver; a test gives its own) */
    public AddressGuard(boolean allowPrivateHosts, DnsResolver names) {
        this.allowPrivateHosts = allowPrivateHosts;
        this.names = names;
    }

    public boolean allowsPrivateHosts() {
        return allowPrivateHosts;
    }

    /** An origin the operator configured: connections to this host and port are never refused. */
    public void trust(String host, int port) {
        trusted.add(key(host, port));
    }

    /** An origin the operator configured (a URL's scheme, host and port). */
    public void trust(URI origin) {
        trust(origin.getHost(), port(origin));
    }

    /** The URL's port, the scheme's default made explicit. */
    public static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /**
     * The addresses of {@code host}, each checked; this is what the client connects to.
     *
     * @throws AddressRefusedException (an {@link ActionRejectedException}: the caller's URL, 400, never retried)
     *                                 when one of them is not public
     */
    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        InetAddress[] addresses = names.resolve(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        if (!allowPrivateHosts && !trusted.contains(key(host, port))) {
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw new AddressRefusedException(host, port);
                }
            }
        }
        return Arrays.stream(addresses).map(a -> new InetSocketAddress(a, port)).toList();
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return names.resolve(host);
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return names.resolveCanonicalHostname(host);
    }

    /** True when every address of {@code host} is public, as the connection would see it (for early, clear refusals). */
    public boolean isPublicHost(String host) throws UnknownHostException {
        InetAddress[] addresses = names.resolve(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        return Arrays.stream(addresses).allMatch(AddressGuard::isPublic);
    }

    /** Not loopback, link-local (incl. 169.254.169.254), private, unique-local, unspecified, multicast or reserved. */
    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            // fc00::/7 unique local; an IPv4 address embedded in ::ffff:0:0/96 or the NAT64 prefix 64:ff9b::/96 is judged as IPv4
            if ((b[0] & 0xfe) == 0xfc) {
                return false;
            }
            if (isMappedIpv4(b) || isNat64(b)) {
                try {
                    return isPublic(Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException impossible) {
                    return false;
                }
            }
            return true;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        // 0/8 "this network", 100.64/10 carrier-grade NAT, 192.0.0/24, 198.18/15 benchmarking, 240/4 reserved
        return first != 0 && !(first == 100 && second >= 64 && second < 128) && !(first == 192 && second == 0 && (b[2] & 0xff) == 0)
                && !(first == 198 && (second == 18 || second == 19)) && first < 240;
    }

    private static boolean isMappedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static boolean isNat64(byte[] b) {
        if (b[0] != 0 || (b[1] & 0xff) != 0x64 || (b[2] & 0xff) != 0xff || (b[3] & 0xff) != 0x9b) {
            return false;
        }
        for (int i = 4; i < 12; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String key(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h + ":" + port;
    }

    /** A connection the guard refused: the caller's URL (or where it redirected) is not allowed. */
    public static class AddressRefusedException extends ActionRejectedException {

        private final String host;
        private final int port;

        AddressRefusedException(String host, int port) {
            super("Refused to connect to " + host + ":" + port + ": a private or local address, which is not allowed" + HINT);
            this.host = host;
            this.port = port;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }
    }
}
