package io.waticamel.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.security.SecretMasking;
import io.waticamel.wati.WatiAccounts;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTP edge (bean {@code watiWebhooks}): {@code POST /webhooks/wati/{account}/{secret}}.
 * WATI signs nothing and cannot send an API key, so the URL's secret is the credential
 * ({@code wati.accounts.<name>.webhook-secret}, compared in constant time); a wrong secret and an
 * unknown account are the same 404. The event is stored before the 200 (a redelivery is
 * recognised and answered 200 too); what it leads to happens after, in the events worker.
 */
public class WebhookIntake {

    /** Shorter secrets can be guessed: an account with one takes no events (WARN once). */
    public static final int MIN_SECRET_LENGTH = 16;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);

    private final Function<String, Optional<String>> configuration;
    private final EventStore store;
    private final WatiMetrics metrics;
    private final byte[] unknownAccountSecret = new byte[32];
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** @param configuration looks up a configuration key (file, environment, -D) */
    public WebhookIntake(Function<String, Optional<String>> configuration, EventStore store, WatiMetrics metrics) {
        this.configuration = configuration;
        this.store = store;
        this.metrics = metrics;
        new SecureRandom().nextBytes(unknownAccountSecret);
    }

    /** Stores the event and answers 200 (a redelivery too, stored nothing), 400 for a body that is no JSON object, 404 for a wrong URL. */
    public void receive(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String account = in.getHeader("account", "", String.class).toLowerCase(Locale.ROOT);
        String secret = in.getHeader("secret", "", String.class);
        if (!authentic(account, secret)) {
            JsonAnswer.error(exchange, 404, "Not found");
            return;
        }
        byte[] body = in.getBody(byte[].class);
        WatiEvent event;
        try {
            event = WatiEvent.parse(body);
        } catch (ActionRejectedException e) {
            metrics.webhookEvent(account, null, "invalid");
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        boolean stored = store.insert(account, event, body, Instant.now());
        // the account is a configured one (its secret matched): a bounded label, as the event type is made one
        metrics.webhookEvent(account, event.type(), stored ? "stored" : "duplicate");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", true);
        answer.put("duplicate", !stored);
        JsonAnswer.send(exchange, 200, answer);
    }

    /**
     * Whether {@code secret} is the account's webhook secret. Both sides are hashed first, so the
     * comparison takes the same time whatever the lengths; an unknown account is compared against
     * a random secret, so it takes the same time as a known one.
     */
    boolean authentic(String account, String secret) {
        byte[] expected = unknownAccountSecret;
        boolean known = false;
        if (WatiAccounts.isValidName(account)) {
            Optional<String> configured = configuration.apply("wati.accounts." + account + ".webhook-secret");
            if (configured.isPresent()) {
                String value = configured.get().strip();
                SecretMasking.register(value);
                if (value.length() >= MIN_SECRET_LENGTH) {
                    expected = value.getBytes(StandardCharsets.UTF_8);
                    known = true;
                } else if (warned.add(account)) {
                    LOG.warn("wati.accounts.{}.webhook-secret is shorter than {} characters: its webhook takes no events", account,
                            MIN_SECRET_LENGTH);
                }
            }
        }
        boolean equal = MessageDigest.isEqual(sha256(expected), sha256(secret.getBytes(StandardCharsets.UTF_8)));
        return known && equal;
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event could not be stored (the database is down): 503, and WATI delivers it again later. */
    public void notStored(Exchange exchange) throws JsonProcessingException {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.error("WATI event not stored ({}): answered 503, WATI will deliver it again", e == null ? "unknown" : e.toString());
        // an account from the URL is a label only when it is configured (the failure may have come before its check)
        String account = exchange.getMessage().getHeader("account", "", String.class).toLowerCase(Locale.ROOT);
        boolean configured = WatiAccounts.isValidName(account)
                && configuration.apply("wati.accounts." + account + ".webhook-secret").isPresent();
        metrics.webhookEvent(configured ? account : "unknown", null, "not_stored");
        JsonAnswer.error(exchange, 503, "The event could not be stored; deliver it again later");
    }
}
