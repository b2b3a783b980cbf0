package io.waticamel.files;

import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.AddressGuard;

/**
 * Checks a URL a request brings ({@code api_endpoint}, {@code file_url}, {@code callback_url}) before
 * anything is queued or sent, for a clear early answer: http(s) only, no user info, and unless
 * private hosts are allowed, every address its host resolves to must be public. The connection
 * itself is checked again by the {@link AddressGuard} (the same resolver), where it is made.
 */
public class UrlGuard {

    private final AddressGuard addresses;

    public UrlGuard(AddressGuard addresses) {
        this.addresses = addresses;
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
        // the sandbox's sample files: only as a file to send, never as an endpoint or a callback
        if (addresses.allowsPrivateHosts() || "file_url".equals(field) && addresses.allowsRequestsTo(uri)) {
            return uri;
        }
        boolean isPublic;
        try {
            isPublic = addresses.isPublicHost(uri.getHost());
        } catch (UnknownHostException e) {
            throw new ActionRejectedException(field + " host cannot be resolved: " + uri.getHost());
        }
        if (!isPublic) {
            throw refused(field);
        }
        return uri;
    }

    /** An endpoint the operator configured: the connection guard never refuses its origin. */
    public void trust(URI origin) {
        addresses.trust(origin);
    }

    /** The refusal of a URL (or of where it redirected) on a private or local address, naming the setting. */
    public static ActionRejectedException refused(String what) {
        return new ActionRejectedException(what + " points to a private or local address, which is not allowed" + AddressGuard.HINT);
    }
}
