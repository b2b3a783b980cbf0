package io.waticamel.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.waticamel.action.ActionRejectedException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The outbound client's name resolver, and the one place that decides which addresses the runtime
 * may connect to: the addresses it checks are the addresses the connection is made to, so a name
 * that answers a public address to a check and a private one to the connection (DNS rebinding) is
 * refused. Unless {@code wati.request-urls.allow-private-hosts} is on, no connection goes to an
 * address that is not globally reachable ({@link #isPublic}) or is one of this host's own, except
 * to an origin the operator configured (a named account's endpoint, the alert webhook, a proxy),
 * which is {@link #trust trusted} by host and port.
 */
public class AddressGuard implements DnsResolver {

    private static final long OWN_ADDRESSES_REFRESH_NANOS = 60_000_000_000L;
    /** The setting that turns the check off, named in every refusal so a user with a local WATI stand-in knows it. */
    public static final String SETTING = "wati.request-urls.allow-private-hosts";
    /** What a refusal adds so the user knows the way out, and that it is not for production. */
    public static final String HINT = " (" + SETTING + "=true allows it, for local tests only)";

    private final boolean allowPrivateHosts;
    private final DnsResolver names;
    private final Set<String> trusted = ConcurrentHashMap.newKeySet();
    private final Set<String> requestOrigins = ConcurrentHashMap.newKeySet();
    private final Supplier<Set<InetAddress>> ownAddresses;
    private volatile Set<InetAddress> own;
    private volatile long ownAt;

    public AddressGuard(boolean allowPrivateHosts) {
        this(allowPrivateHosts, SystemDefaultDnsResolver.INSTANCE);
    }

    /** @param names how names are looked up (the system's resolver; a test gives its own) */
    public AddressGuard(boolean allowPrivateHosts, DnsResolver names) {
        this(allowPrivateHosts, names, AddressGuard::interfaceAddresses);
    }

    /** @param ownAddresses this host's addresses, asked again at most once a minute */
    AddressGuard(boolean allowPrivateHosts, DnsResolver names, Supplier<Set<InetAddress>> ownAddresses) {
        this.allowPrivateHosts = allowPrivateHosts;
        this.names = names;
        this.ownAddresses = ownAddresses;
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

    /**
     * A local origin that a request's own URLs may name all the same, and that connections may reach: the WATI
     * sandbox's sample files (only with wati.sandbox.enabled), which serve generated files and nothing else.
     */
    public void allowRequests(URI origin) {
        trust(origin);
        requestOrigins.add(key(origin.getHost(), port(origin)));
    }

    /** Whether a request's URL is on an origin of {@link #allowRequests}. */
    public boolean allowsRequestsTo(URI url) {
        return url.getHost() != null && requestOrigins.contains(key(url.getHost(), port(url)));
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
        InetAddress[] addresses = lookup(host);
        if (!allowPrivateHosts && !trusted.contains(key(host, port))) {
            for (InetAddress address : addresses) {
                if (!allowed(address)) {
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
        return Arrays.stream(lookup(host)).allMatch(this::allowed);
    }

    /** The addresses of {@code host}; none is an unknown host. */
    private InetAddress[] lookup(String host) throws UnknownHostException {
        InetAddress[] addresses = names.resolve(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        return addresses;
    }

    /**
     * Globally reachable: not in a range IANA's special-purpose registries mark as not globally
     * reachable (loopback, private, shared, link-local incl. 169.254.169.254, documentation,
     * benchmarking, reserved, unique-local, multicast, ...), judging an IPv4 address embedded in an
     * IPv6 one (IPv4-mapped and -compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) as that IPv4 address.
     */
    public static boolean isPublic(InetAddress a) {
        byte[] b = a.getAddress();
        for (Range range : NOT_GLOBAL) {
            if (range.contains(b)) {
                return false;
            }
        }
        byte[] embedded = embeddedIpv4(b);
        return embedded == null || isPublic(ipv4(embedded));
    }

    /** Public, and none of this host's own addresses (a service bound to all interfaces answers on them too). */
    boolean allowed(InetAddress a) {
        return isPublic(a) && !ownAddresses().contains(a);
    }

    private Set<InetAddress> ownAddresses() {
        long now = System.nanoTime();
        if (own == null || now - ownAt > OWN_ADDRESSES_REFRESH_NANOS) {
            own = ownAddresses.get();
            ownAt = now;
        }
        return own;
    }

    /** The addresses of this host's network interfaces (without IPv6 scope, as resolvers answer them). */
    static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()).stream().map(AddressGuard::withoutScope).toList());
            }
        } catch (IOException e) {
            // no list of interfaces: the public-address check still applies
        }
        return Set.copyOf(addresses);
    }

    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException impossible) {
            return a;
        }
    }

    private static byte[] embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return null;
        }
        boolean zeros80 = isZero(b, 0, 10);
        if (zeros80 && (isZero(b, 10, 12) || (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff)) {
            return Arrays.copyOfRange(b, 12, 16); // ::a.b.c.d (compatible) and ::ffff:a.b.c.d (mapped)
        }
        if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && isZero(b, 4, 12)) {
            return Arrays.copyOfRange(b, 12, 16); // NAT64 64:ff9b::a.b.c.d
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return Arrays.copyOfRange(b, 2, 6); // 6to4 2002:aabb:ccdd::
        }
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }

    /** An address range in CIDR form. */
    private record Range(byte[] network, int bits) {

        static Range of(String cidr) {
            int slash = cidr.indexOf('/');
            try {
                return new Range(InetAddress.getByName(cidr.substring(0, slash)).getAddress(), Integer.parseInt(cidr.substring(slash + 1)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit += 8) {
                int mask = bits - bit >= 8 ? 0xff : 0xff << (8 - (bits - bit)) & 0xff;
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** IANA IPv4 and IPv6 Special-Purpose Address Registries: the ranges not globally reachable, and multicast. */
    private static final List<Range> NOT_GLOBAL = Stream.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16",
            "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8").map(Range::of).toList();

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

        /** Whether the refused connection was to this URL's own host and port (not to where it redirected). */
        public boolean isFor(URI url) {
            return key(host, port).equals(key(url.getHost(), AddressGuard.port(url)));
        }
    }
}
