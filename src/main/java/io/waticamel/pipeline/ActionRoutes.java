package io.waticamel.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * Which actions exist: one per route consuming {@code direct:wati-action-<name>}, the runtime's
 * and the user's alike. The runtime's five come first, in the order the seed documents.
 */
public class ActionRoutes {

    static final List<String> BUILT_IN = List.of("send_session_message", "send_template_message", "send_session_file",
            "update_contact", "get_media");

    private final CamelContext context;
    private volatile List<String> actions = List.of();

    public ActionRoutes(CamelContext context) {
        this.context = context;
    }

    /** Whether a route serves this action (looked up again when unknown: routes may start after the first call). */
    public boolean exists(String name) {
        return actions.contains(name) || refresh().contains(name);
    }

    public List<String> actions() {
        return actions.isEmpty() ? refresh() : actions;
    }

    private synchronized List<String> refresh() {
        TreeSet<String> found = new TreeSet<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            String name = uri.startsWith("direct://") ? uri.substring("direct://".length()) : uri.substring(uri.indexOf(':') + 1);
            if (uri.startsWith("direct:") && name.startsWith("wati-action-")) {
                int query = name.indexOf('?');
                found.add(name.substring("wati-action-".length(), query < 0 ? name.length() : query));
            }
        }
        List<String> ordered = new ArrayList<>();
        BUILT_IN.stream().filter(found::contains).forEach(ordered::add);
        found.stream().filter(n -> !BUILT_IN.contains(n)).forEach(ordered::add);
        actions = List.copyOf(ordered);
        return actions;
    }
}
