package io.waticamel.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The runtime's own routes come from its jar ({@value #OWN_ROUTES}); the routes folder
 * ({@code wati.routes.dir}) holds only the user's files. A user file that would change what the
 * runtime owns (a route or route configuration id, a consumer endpoint such as
 * {@code direct:wati-action}, an HTTP path, a bean name) or that adds a route configuration
 * without an id (which Camel would apply to the runtime's routes) is refused at start with the
 * file named: an earlier release's copied folder can never change what is sent.
 */
public final class RouteFiles {

    public static final String OWN_ROUTES = "classpath:wati/routes/*.camel.yaml";
    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    private RouteFiles() {
    }

    /** What a set of route files defines, by kind: "route id 'x'", "endpoint direct:x", "HTTP POST /api/v1/x", ... */
    record Definitions(Set<String> owned, List<String> problems) {
    }

    public static void check(CamelContext context, Path userFolder, Set<String> beanNames) throws Exception {
        Set<String> owned = new LinkedHashSet<>(beanNames.stream().map(n -> "bean '" + n + "'").toList());
        for (Resource resource : PluginHelper.getPackageScanResourceResolver(context).findResources(OWN_ROUTES)) {
            try (InputStream in = resource.getInputStream()) {
                owned.addAll(definitions(in.readAllBytes()).owned());
            }
        }
        // a platform-http consumer takes every method: it clashes with any of the runtime's REST paths
        owned.stream().filter(d -> d.startsWith("HTTP ") && !d.startsWith("HTTP path ")).map(d -> "HTTP path " + d.substring(d.indexOf('/')))
                .toList().forEach(owned::add);
        if (!Files.isDirectory(userFolder)) {
            LOG.info("Your routes: none ({} does not exist)", userFolder.toAbsolutePath());
            return;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(userFolder)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        List<String> refusals = new ArrayList<>();
        for (Path file : files) {
            Definitions defined;
            try {
                defined = definitions(Files.readAllBytes(file));
            } catch (RuntimeException unreadable) {
                continue; // Camel's own loader reports YAML errors with line and column
            }
            List<String> clashes = new ArrayList<>(defined.problems());
            defined.owned().stream().filter(owned::contains).forEach(clashes::add);
            if (!clashes.isEmpty()) {
                refusals.add(file + ": " + String.join(", ", clashes));
            }
        }
        if (!refusals.isEmpty()) {
            throw new IllegalStateException("Route files in " + userFolder.toAbsolutePath() + " redefine what the runtime owns:\n  "
                    + String.join("\n  ", refusals) + "\nThe runtime's own routes come from its jar and the routes folder holds only"
                    + " your files. Remove these files (an earlier release copied its routes there) or rename what they define.");
        }
        LOG.info("Your routes: {} file(s) in {}{}", files.size(), userFolder.toAbsolutePath(),
                files.isEmpty() ? " (add *.camel.yaml files there and restart)" : "");
    }

    static Definitions definitions(byte[] yaml) {
        Set<String> owned = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        Object root = new Load(LoadSettings.builder().build()).loadFromString(new String(yaml, java.nio.charset.StandardCharsets.UTF_8));
        if (!(root instanceof Collection<?> items)) {
            return new Definitions(owned, problems);
        }
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> element)) {
                continue;
            }
            element.forEach((kind, value) -> {
                Map<?, ?> body = value instanceof Map<?, ?> m ? m : Map.of();
                switch (String.valueOf(kind)) {
                    case "route" -> {
                        id(body, "route id", owned);
                        Object from = body.get("from");
                        if (from instanceof Map<?, ?> f && f.get("uri") != null) {
                            consumer(String.valueOf(f.get("uri")), owned);
                        }
                    }
                    case "from" -> {
                        if (body.get("uri") != null) {
                            consumer(String.valueOf(body.get("uri")), owned);
                        }
                    }
                    case "routeConfiguration" -> {
                        if (body.get("id") == null) {
                            problems.add("a routeConfiguration without an id (Camel would apply it to the runtime's routes; give it an id"
                                    + " and name it with routeConfigurationId)");
                        }
                        id(body, "route configuration id", owned);
                    }
                    case "rest" -> rest(body, owned);
                    case "beans" -> {
                        if (value instanceof Collection<?> beans) {
                            beans.forEach(b -> {
                                if (b instanceof Map<?, ?> bean && bean.get("name") != null) {
                                    owned.add("bean '" + bean.get("name") + "'");
                                }
                            });
                        }
                    }
                    default -> {
                    }
                }
            });
        }
        return new Definitions(owned, problems);
    }

    private static void id(Map<?, ?> body, String what, Set<String> owned) {
        if (body.get("id") != null) {
            owned.add(what + " '" + body.get("id") + "'");
        }
    }

    /** direct:x, direct://x and direct:x?options are one endpoint; platform-http paths are HTTP paths. */
    private static void consumer(String uri, Set<String> owned) {
        String plain = uri.strip();
        int query = plain.indexOf('?');
        if (query >= 0) {
            plain = plain.substring(0, query);
        }
        int colon = plain.indexOf(':');
        if (colon < 0) {
            return;
        }
        String scheme = plain.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = plain.substring(colon + 1).replaceFirst("^//", "");
        if (scheme.equals("platform-http")) {
            owned.add("HTTP path " + normalisePath(rest));
        } else {
            owned.add("endpoint " + scheme + ":" + rest);
        }
    }

    private static void rest(Map<?, ?> rest, Set<String> owned) {
        id(rest, "REST id", owned);
        String base = rest.get("path") == null ? "" : String.valueOf(rest.get("path"));
        for (String verb : new String[] {"get", "post", "put", "patch", "delete", "head"}) {
            if (rest.get(verb) instanceof Collection<?> operations) {
                for (Object op : operations) {
                    if (op instanceof Map<?, ?> operation) {
                        id(operation, "route id", owned);
                        String path = operation.get("path") == null ? "" : String.valueOf(operation.get("path"));
                        // REST paths sit under camel.rest.context-path (/api): the same path as a platform-http consumer
                        String full = normalisePath("/api/" + base + "/" + path);
                        owned.add("HTTP " + verb.toUpperCase(Locale.ROOT) + " " + full);
                    }
                }
            }
        }
    }

    private static String normalisePath(String path) {
        String p = ("/" + path).replaceAll("/+", "/").replaceAll("\\{[^}]*}", "{}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
