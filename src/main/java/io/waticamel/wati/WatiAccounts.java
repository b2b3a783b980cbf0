package io.waticamel.wati;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.files.UrlGuard;
import io.waticamel.security.SecretMasking;

/**
 * The one place an action gets its WATI credentials: a named account from configuration
 * ({@code wati.accounts.<name>.endpoint} / {@code .token}), or the request's {@code api_endpoint}
 * and {@code access_token}.
 */
public class WatiAccounts {

    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final Function<String, Optional<String>> configuration;
    private final UrlGuard endpointGuard;

    /**
     * @param configuration looks up a configuration key (Camel's properties: file, env, -D)
     * @param endpointGuard checks a request's api_endpoint (private and local hosts refused unless allowed);
     *                      configured accounts are the operator's choice, not checked, and trusted at connect
     */
    public WatiAccounts(Function<String, Optional<String>> configuration, UrlGuard endpointGuard) {
        this.configuration = configuration;
        this.endpointGuard = endpointGuard;
    }

    /** A configured account's name (lower case): letters, digits, '-' and '_', at most 63 characters. */
    public static boolean isValidName(String name) {
        return name != null && ACCOUNT_NAME.matcher(name).matches();
    }

    public WatiCredentials resolve(ActionFields fields) {
        String account = fields.get("account");
        if (account == null) {
            var endpoint = WatiEndpoints.normalise(fields.get("api_endpoint"));
            String token = AccessTokens.normalise(fields.get("access_token"));
            endpointGuard.check("api_endpoint", endpoint.toString());
            return new WatiCredentials(null, endpoint, token);
        }
        String name = account.strip().toLowerCase(java.util.Locale.ROOT);
        if (!isValidName(name)) {
            throw new ActionRejectedException("Invalid account name: lower-case letters, digits, '-' and '_' only");
        }
        // a named account's token must only ever go to that account's endpoint
        if (fields.get("api_endpoint") != null || fields.get("access_token") != null) {
            throw new ActionRejectedException(
                    "Give either account or api_endpoint/access_token, not both: a named account's token is only sent to its configured endpoint");
        }
        String endpoint = configuration.apply("wati.accounts." + name + ".endpoint").orElse(null);
        String token = configuration.apply("wati.accounts." + name + ".token").orElse(null);
        if (endpoint == null && token == null) {
            throw new ActionRejectedException("Unknown account '" + name + "': configure wati.accounts." + name
                    + ".endpoint and .token");
        }
        WatiCredentials credentials = new WatiCredentials(name, WatiEndpoints.normalise(endpoint), AccessTokens.normalise(token));
        // the operator's endpoint: connections to it are never refused, whatever address it has
        endpointGuard.trust(credentials.endpoint());
        SecretMasking.register(credentials.token());
        return credentials;
    }

    /**
     * The quiet hours of the credentials' named account, or null when it has none (or the credentials are the request's
     * own: no configuration speaks for them).
     */
    public QuietHours quietHours(WatiCredentials credentials) {
        return credentials == null || credentials.account() == null ? null : quietHours(credentials.account());
    }

    /**
     * The named account's quiet hours ({@code wati.accounts.<name>.quiet-hours} in {@code .time-zone}, UTC when no zone
     * is set), or null when it has none.
     *
     * @throws IllegalStateException when the configured value cannot be read (checked at start: see {@link #checkQuietHours})
     */
    public QuietHours quietHours(String account) {
        String prefix = "wati.accounts." + account;
        String window = configuration.apply(prefix + ".quiet-hours").orElse(null);
        if (window == null) {
            return null;
        }
        try {
            return QuietHours.parse(window, configuration.apply(prefix + ".time-zone").orElse(null));
        } catch (ActionRejectedException e) {
            throw new IllegalStateException("Account '" + account + "' has unreadable quiet hours (" + prefix
                    + ".quiet-hours / .time-zone): " + e.getMessage());
        }
    }

    /** The named account's {@code time-zone} as configured, or null (none, or the request's own credentials). */
    public String timeZone(WatiCredentials credentials) {
        return credentials == null || credentials.account() == null ? null
                : configuration.apply("wati.accounts." + credentials.account() + ".time-zone").orElse(null);
    }

    /** At start: every named account's quiet hours can be read, or the runtime does not start (the mistake named). */
    public void checkQuietHours(java.util.Collection<String> names) {
        names.forEach(this::quietHours);
    }
}
