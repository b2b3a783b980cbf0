package io.waticamel.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** What a route file defines, as the start-up check compares it with the runtime's own routes. */
class RouteFilesTest {

    static RouteFiles.Definitions of(String yaml) {
        return RouteFiles.definitions(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void routesGiveTheirIdAndTheirConsumerWhateverTheUriSpelling() {
        var defined = of("""
                - route:
                    id: mine
                    from:
                      uri: "direct://wati-action?block=false"
                      steps: []
                - route:
                    id: web
                    from:
                      uri: platform-http:/api//v1/actions/
                """);
        assertThat(defined.owned()).containsExactly("route id 'mine'", "endpoint direct:wati-action", "route id 'web'",
                "HTTP path /api/v1/actions");
        assertThat(defined.problems()).isEmpty();
    }

    @Test
    void restVerbsGiveMethodAndFullPathUnderTheContextPath() {
        var defined = of("""
                - rest:
                    id: my-api
                    path: /v1/actions
                    post:
                      - id: post-it
                        to: direct:x
                    get:
                      - path: /{id}
                        to: direct:y
                """);
        assertThat(defined.owned()).contains("REST id 'my-api'", "route id 'post-it'", "HTTP POST /api/v1/actions",
                "HTTP GET /api/v1/actions/{}");
    }

    @Test
    void aRouteConfigurationWithoutAnIdIsAProblemAndBeansAreNamed() {
        var defined = of("""
                - routeConfiguration:
                    onException: []
                - routeConfiguration:
                    id: mine
                - beans:
                    - name: actions
                      type: java.lang.Object
                """);
        assertThat(defined.problems()).singleElement().asString().startsWith("a routeConfiguration without an id");
        assertThat(defined.owned()).contains("route configuration id 'mine'", "bean 'actions'");
    }

    @Test
    void anythingElseDefinesNothing() {
        assertThat(of("just text").owned()).isEmpty();
        assertThat(of("- from:\n    uri: timer:x\n").owned()).containsExactly("endpoint timer:x");
    }
}
