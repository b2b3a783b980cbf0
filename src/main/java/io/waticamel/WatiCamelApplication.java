package io.waticamel;

import org.apache.camel.main.Main;

/** Starts the runtime: Camel Main with the YAML routes of {@code wati.routes.dir} and the beans of {@link WatiConfiguration}. */
public final class WatiCamelApplication {

    private WatiCamelApplication() {
    }

    public static void main(String[] args) throws Exception {
        RoutesFolder.ensureExists(RoutesFolder.configured());
        new Main(WatiCamelApplication.class).run(args);
    }
}
