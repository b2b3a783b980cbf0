package io.waticamel.config;

import java.nio.file.Path;
import java.util.Set;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Before any route is loaded: the user's route files may add routes but not change the runtime's
 * own (see {@link RouteFiles}). Camel Main then loads the jar's routes and the folder's
 * ({@code camel.main.routes-include-pattern}).
 */
public class RoutesConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        String folder = context.getPropertiesComponent().resolveProperty("wati.routes.dir").orElse("routes");
        Set<String> beanNames = context.getRegistry().findByTypeWithName(Object.class).keySet();
        RouteFiles.check(context, Path.of(folder), beanNames);
    }
}
