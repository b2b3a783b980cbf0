package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import io.waticamel.config.SandboxStart;
import io.waticamel.testing.RunningRuntime;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.support.DefaultRegistry;
import org.junit.jupiter.api.Test;

/** When the sandbox starts and who stops it: SandboxStart, its one owner. */
class SandboxStartTest {

    @Test
    void enabledIsTrueOrFalseAndAnythingElseStopsTheStart() {
        for (String value : new String[] {"1", "yes", "on", ""}) {
            assertThatThrownBy(() -> new RunningRuntime(Map.of("wati.sandbox.enabled", value))).as("'%s'", value)
                    .satisfies(e -> assertThat(messages(e)).contains("wati.sandbox.enabled (environment WATI_SANDBOX_ENABLED) is true or false, not '"
                            + value + "'"));
        }
    }

    @Test
    void theSandboxStopsWithTheRuntime() throws Exception {
        String endpoint;
        // any case, spaces around ignored
        try (RunningRuntime runtime = new RunningRuntime(Map.of("wati.sandbox.enabled", " TRUE "))) {
            RunningRuntime.Response sandbox = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/sandbox")))
                    .header("X-API-Key", RunningRuntime.API_KEY).build());
            assertThat(sandbox.status()).isEqualTo(200);
            endpoint = sandbox.json().get("endpoint").asText();
            assertThat(answers(endpoint)).isTrue();
        }
        // RunningRuntime stops with Main.stop(): no afterStop, the context's stop closes it
        assertThat(answers(endpoint)).isFalse();
    }

    @Test
    void aFailureAfterTheSandboxStartedClosesIt() {
        DefaultCamelContext context = new DefaultCamelContext(false);
        context.getCamelContextExtension().setRegistry(new DefaultRegistry() {
            @Override
            public void bind(String id, Class<?> type, Object bean) {
                throw new IllegalStateException("no binding today");
            }
        });
        context.build();
        context.getPropertiesComponent().addOverrideProperty("wati.sandbox.enabled", "true");
        assertThatThrownBy(() -> new SandboxStart().beforeConfigure(new MainOf(context))).hasMessage("no binding today");
        String endpoint = context.getPropertiesComponent().resolveProperty("wati.accounts.sandbox.endpoint").orElseThrow();
        assertThat(endpoint).startsWith("http://127.0.0.1:");
        assertThat(answers(endpoint)).as("the sandbox at %s still answers", endpoint).isFalse();
    }

    /** Camel Main as a MainListener sees it: its context. */
    private static final class MainOf extends Main {
        MainOf(CamelContext context) {
            camelContext = context;
        }
    }

    /** Whether anything listens at the endpoint (its 401 without a token is an answer). */
    private static boolean answers(String endpoint) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            http.send(HttpRequest.newBuilder(URI.create(endpoint + "/api/v1/getMessageTemplates")).build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
