package io.waticamel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

import io.waticamel.sandbox.SandboxWati;
import io.waticamel.security.SecretMasking;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code wati.sandbox.enabled}: starts the built-in WATI sandbox and defines the account
 * {@code sandbox} (endpoint, token and webhook secret of this start) as override properties, before
 * any configuration or bean reads an account, so every part of the runtime (actions, webhooks,
 * templates, opt-outs, throttle) sees it as it sees a configured account. Bound as
 * {@value #BEAN}. Off (the default), nothing is started and {@code sandbox} is a name like any other.
 * <p>
 * The sandbox's one owner: it is closed here, when the CamelContext stops ({@code Main.stop()}, the
 * end of {@code Main.run()}) or after the run ({@code afterStop}), and at once when the rest of this
 * start fails. A runtime whose start fails later gets no afterStop from Camel Main; the sandbox's
 * threads are daemons, so they do not keep that JVM running.
 */
public final class SandboxStart extends MainListenerSupport {

    static final String BEAN = "watiSandbox";
    static final String ENABLED = "wati.sandbox.enabled";
    private static final String PREFIX = "wati.accounts." + SandboxWati.ACCOUNT;
    /** What the sandbox defines itself: configured too, it would be unclear which one a send uses. */
    private static final List<String> OWN_KEYS = List.of(".endpoint", ".token", ".webhook-secret");
    private static final Logger LOG = LoggerFactory.getLogger(SandboxStart.class);

    private SandboxWati sandbox;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!enabled(properties.resolveProperty(ENABLED).orElse("false"))) {
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
        SandboxWati started;
        try {
            started = SandboxWati.start(maxRecorded, clock == null ? Clock.systemUTC() : clock);
        } catch (IOException e) {
            throw new UncheckedIOException("The WATI sandbox (wati.sandbox.enabled) could not listen on 127.0.0.1", e);
        }
        synchronized (this) {
            sandbox = started;
        }
        try {
            SecretMasking.register(started.token());
            SecretMasking.register(started.webhookSecret());
            properties.addOverrideProperty(PREFIX + ".endpoint", started.endpoint());
            properties.addOverrideProperty(PREFIX + ".token", started.token());
            properties.addOverrideProperty(PREFIX + ".webhook-secret", started.webhookSecret());
            if (properties.resolveProperty(PREFIX + ".owner-id").filter(v -> !v.isBlank()).isEmpty()) {
                // the customers' media it plays go to their own container (wati-media-sandbox)
                properties.addOverrideProperty(PREFIX + ".owner-id", SandboxWati.ACCOUNT);
            }
            context.getRegistry().bind(BEAN, started);
            // tests and embedders stop the runtime with Main.stop(), which stops the context but calls no afterStop
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopped(CamelContext stopped) {
                    close();
                }
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("WATI sandbox on (wati.sandbox.enabled): the account '{}' is a local stand-in for WATI at {}, not WATI; "
                + "GET /api/v1/sandbox shows it", SandboxWati.ACCOUNT, started.endpoint());
    }

    /**
     * {@value #ENABLED}: true or false (any case, spaces around ignored). Anything else stops the start: a {@code 1},
     * {@code yes} or {@code on} would otherwise leave the sandbox silently off.
     */
    static boolean enabled(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return v.equals("true");
        }
        String shown = v.length() > 20 ? v.substring(0, 20) + "..." : v;
        throw new IllegalStateException(ENABLED + " (environment WATI_SANDBOX_ENABLED) is true or false, not '"
                + shown.replaceAll("\\p{Cntrl}", "?") + "'");
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        close();
    }

    private synchronized void close() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }
}
