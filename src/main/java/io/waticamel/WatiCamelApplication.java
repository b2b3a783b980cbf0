package io.waticamel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import java.util.List;

import io.waticamel.config.ActionPipelineConfiguration;
import io.waticamel.config.CampaignsConfiguration;
import io.waticamel.config.DataFolder;
import io.waticamel.config.EventsConfiguration;
import io.waticamel.config.MediaConfiguration;
import io.waticamel.config.MetricsConfiguration;
import io.waticamel.config.OpenApiConfiguration;
import io.waticamel.config.OutboundConfiguration;
import io.waticamel.config.RoutesConfiguration;
import io.waticamel.config.SandboxConfiguration;
import io.waticamel.config.SandboxStart;
import io.waticamel.config.SecurityConfiguration;
import io.waticamel.config.StartupLine;
import io.waticamel.config.StorageConfiguration;
import io.waticamel.config.TemplatesConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;

/**
 * Starts the runtime: Camel Main with the runtime's routes from the jar, the user's route files
 * from {@code wati.routes.dir}, and the beans of the configurations in {@code io.waticamel.config}.
 */
public final class WatiCamelApplication {

    /** The bean name of the runtime's {@link Clock}. */
    public static final String CLOCK = "watiClock";

    private WatiCamelApplication() {
    }

    public static void main(String[] args) throws Exception {
        String logFormat = System.getProperty("wati.log.format", System.getenv().getOrDefault("WATI_LOG_FORMAT", "text"));
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            // the logging set-up names its appender by this value: another would silence every log line
            System.err.println("wati.log.format (WATI_LOG_FORMAT) is text or json, not '" + logFormat + "'");
            System.exit(2);
        }
        // Camel's file: route pattern needs the folder (read before any bean exists): an empty one is fine
        Files.createDirectories(userRoutesFolder());
        newMain().run(args);
    }

    /**
     * Camel Main with the data folder made owner-only before anything else, and the runtime's
     * configurations named, not found by scanning the 50 MB jar for them (scanning cost about a
     * second of every start).
     */
    public static Main newMain() {
        return newMain(Clock.systemUTC());
    }

    /** With the clock every scheduled send, quiet hour and 24-hour window is judged by (bean {@code watiClock}): tests set theirs. */
    public static Main newMain(Clock clock) {
        Main main = new Main();
        main.bind(CLOCK, clock);
        main.addMainListener(new DataFolder());
        main.addMainListener(new SandboxStart());
        main.addMainListener(new StartupLine());
        for (Class<? extends CamelConfiguration> configuration : List.of(RoutesConfiguration.class, MetricsConfiguration.class, OutboundConfiguration.class, SecurityConfiguration.class,
                StorageConfiguration.class, MediaConfiguration.class, EventsConfiguration.class,
                TemplatesConfiguration.class, CampaignsConfiguration.class, ActionPipelineConfiguration.class, SandboxConfiguration.class, OpenApiConfiguration.class)) {
            main.configure().addConfiguration(configuration);
        }
        return main;
    }

    /** {@code -Dwati.routes.dir}, else {@code WATI_ROUTES_DIR}, else {@code routes} (as in application.properties). */
    static Path userRoutesFolder() {
        String dir = System.getProperty("wati.routes.dir");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("WATI_ROUTES_DIR");
        }
        return Path.of(dir == null || dir.isBlank() ? "routes" : dir);
    }
}
