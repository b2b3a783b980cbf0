package io.waticamel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

import io.waticamel.sandbox.SandboxWati;
import io.waticamel.security.SecretMasking;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code wati.sandbox.enabled}: starts the built-in WATI sandbox and defines the account
 * {@code sandbox} (endpoint, token and webhook secret of this start) as override properties, before
 * any configuration or bean reads an account, so every part of the runtime (actions, webhooks,
 * templates, opt-outs, throttle) sees it as it sees a configured account. Bound as
 * {@value #BEAN}; stopped with the runtime. Off (the default), nothing is started and {@code sandbox}
 * is a name like any other.
 */
public final class SandboxStart extends MainListenerSupport {

    static final String BEAN = "watiSandbox";
    private static final String PREFIX = "wati.accounts." + SandboxWati.ACCOUNT;
    /** What the sandbox defines itself: configured too, it would be unclear which one a send uses. */
    private static final List<String> OWN_KEYS = List.of(".endpoint", ".token", ".webhook-secret");
    private static final Logger LOG = LoggerFactory.getLogger(SandboxStart.class);

    private SandboxWati sandbox;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!Boolean.parseBoolean(properties.resolveProperty("wati.sandbox.enabled").orElse("false").strip())) {
            return;
        }
        for (String key : OWN_KEYS) {
            if (properties.resolveProperty(PREFIX + key).filter(v -> !v.isBlank()).isPresent()) {
                throw new IllegalStateException("wati.sandbox.enabled is on, and " + PREFIX + key + " is configured: the account '"
                        + SandboxWati.ACCOUNT + "' is the sandbox's own. Remove " + PREFIX + ".endpoint/.token/.webhook-secret "
                        + "(environment WATI_ACCOUNTS_SANDBOX_*), or turn the sandbox off to use that name for a real account");
            }
        }
        int maxRecorded;
        try {
            maxRecorded = Integer.parseInt(properties.resolveProperty("wati.sandbox.max-recorded").orElse("1000").strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("wati.sandbox.max-recorded must be a whole number (1 or more)");
        }
        Clock clock = context.getRegistry().lookupByNameAndType("watiClock", Clock.class);
        try {
            sandbox = SandboxWati.start(maxRecorded, clock == null ? Clock.systemUTC() : clock);
        } catch (IOException e) {
            throw new UncheckedIOException("The WATI sandbox (wati.sandbox.enabled) could not listen on 127.0.0.1", e);
        }
        SecretMasking.register(sandbox.token());
        SecretMasking.register(sandbox.webhookSecret());
        properties.addOverrideProperty(PREFIX + ".endpoint", sandbox.endpoint());
        properties.addOverrideProperty(PREFIX + ".token", sandbox.token());
        properties.addOverrideProperty(PREFIX + ".webhook-secret", sandbox.webhookSecret());
        if (properties.resolveProperty(PREFIX + ".owner-id").filter(v -> !v.isBlank()).isEmpty()) {
            // the customers' media it plays go to their own container (wati-media-sandbox)
            properties.addOverrideProperty(PREFIX + ".owner-id", SandboxWati.ACCOUNT);
        }
        context.getRegistry().bind(BEAN, sandbox);
        LOG.info("WATI sandbox on (wati.sandbox.enabled): the account '{}' is a local stand-in for WATI at {}, not WATI; "
                + "GET /api/v1/sandbox shows it", SandboxWati.ACCOUNT, sandbox.endpoint());
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }
}
