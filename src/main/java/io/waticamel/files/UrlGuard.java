package io.waticamel.files;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

import io.waticamel.action.ActionRejectedException;

/**
 * Checks a URL the runtime is asked to fetch: http(s) only, and unless private hosts are allowed,
 * every address its host resolves to must be public (no loopback, link-local incl. cloud metadata,
 * RFC 1918, fc00::/7, unspecified or multicast).
 */
public class UrlGuard {

    private final boolean allowPrivateHosts;

    public UrlGuard(boolean allowPrivateHosts) {
        this.allowPrivateHosts = allowPrivateHosts;
    }

    public static URI requireHttp(String field, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw new ActionRejectedException(field + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ActionRejectedException(field + " must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ActionRejectedException(field + " must not contain user credentials");
        }
        return uri;
    }

    public URI check(String field, String url) {
        URI uri = requireHttp(field, url);
        if (allowPrivateHosts) {
            return uri;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new ActionRejectedException(field + " host cannot be resolved: " + uri.getHost());
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new ActionRejectedException(field + " points to a private or local address, which is not allowed");
            }
        }
        return uri;
    }

    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // fc00::/7 unique local
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        // 0/8 "this network", 100.64/10 carrier-grade NAT, 192.0.0/24, 198.18/15 benchmarking, 240/4 reserved
        return first != 0 && !(first == 100 && second >= 64 && second < 128) && !(first == 192 && second == 0 && (b[2] & 0xff) == 0)
                && !(first == 198 && (second == 18 || second == 19)) && first < 240;
    }
}
