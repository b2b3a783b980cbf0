package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that fails gets the event again later, the others do not; after the last attempt the
 * event is kept as failed, shown to admins at /api/v1/events and processed again on request.
 */
class WebhookRetriesTest {

    static final String SECRET = "retry-secret-0123456789abcdef";

    @Test
    void aFailingSubscriberIsRetriedAloneAndAFailedEventCanBeRetried() throws Exception {
        AtomicInteger flakyStatus = new AtomicInteger(500);
        try (WatiDouble flaky = new WatiDouble(); WatiDouble steady = new WatiDouble()) {
            flaky.answer(r -> WatiDouble.Answer.json(flakyStatus.get(), "{}"));
            Path routes = Files.createTempDirectory("wati-retry-routes");
            for (String[] subscriber : new String[][] {{"flaky", "order", flaky.url()}, {"steady", "*", steady.url()}}) {
                Files.writeString(routes.resolve(subscriber[0] + ".camel.yaml"), """
                        - route:
                            id: %s
                            from:
                              uri: kamelet:wati-event-source
                              parameters:
                                types: "%s"
                              steps:
                                - setHeader:
                                    name: CamelHttpMethod
                                    constant: POST
                                - to: "%s/got"
                        """.formatted(subscriber[0], subscriber[1], subscriber[2]));
            }
            Path data = Files.createTempDirectory("wati-retry-data");
            Map<String, String> settings = Map.ofEntries(Map.entry("wati.routes.dir", routes.toString()),
                    Map.entry("wati.data.dir", data.toString()), Map.entry("wati.db.url", "jdbc:h2:file:" + data.resolve("db")),
                    Map.entry("wati.accounts.main.endpoint", "http://127.0.0.1:9/1"), Map.entry("wati.accounts.main.token", "t0ken-t0ken"),
                    Map.entry("wati.accounts.main.webhook-secret", SECRET), Map.entry("wati.events.retry-initial-delay", "100ms"),
                    Map.entry("wati.events.max-attempts", "3"), Map.entry("wati.events.poll-ms", "50"),
                    Map.entry("wati.api-keys.other", "other-key-0123456789"), Map.entry("wati.api-admins", "default"));
            String id;
            try (RunningRuntime runtime = new RunningRuntime(settings)) {
                RunningRuntime.Response stored = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/webhooks/wati/main/" + SECRET)))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"eventType\":\"order\",\"id\":\"o-1\"}")).build());
                assertThat(stored.status()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(20)).until(() -> events(runtime, "failed").size() == 1);
                assertThat(flaky.requests()).hasSize(3);
                assertThat(steady.requests()).hasSize(1);
                JsonNode failed = events(runtime, "failed").get(0);
                assertThat(failed.get("attempts").asInt()).isEqualTo(3);
                assertThat(failed.get("error").asText()).contains("Subscriber flaky failed").contains("500");
                assertThat(failed.get("delivered_to").asText()).isEqualTo("steady");
                // other keys do not see customers' events
                assertThat(runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/events")))
                        .header("X-API-Key", "other-key-0123456789").GET().build()).status()).isEqualTo(403);
                id = failed.get("id").asText();
                JsonNode one = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/events/" + id)))
                        .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json();
                assertThat(one.get("payload").get("id").asText()).isEqualTo("o-1");
            }

            // a route file added before the restart (loaded first, and before the others in every count): the
            // subscribers keep their names, so the retry reaches the one that failed and the new one, not steady again
            try (WatiDouble added = new WatiDouble()) {
                Files.writeString(routes.resolve("added.camel.yaml"), """
                        - route:
                            id: added
                            from:
                              uri: kamelet:wati-event-source
                              steps:
                                - setHeader:
                                    name: CamelHttpMethod
                                    constant: POST
                                - to: "%s/got"
                        """.formatted(added.url()));
                try (RunningRuntime runtime = new RunningRuntime(settings)) {
                    flakyStatus.set(200);
                    assertThat(retry(runtime, id).status()).isEqualTo(202);
                    await().atMost(Duration.ofSeconds(20)).until(() -> events(runtime, "processed").size() == 1);
                    assertThat(flaky.requests()).hasSize(4);
                    assertThat(steady.requests()).hasSize(1);
                    assertThat(added.requests()).hasSize(1);
                    assertThat(retry(runtime, id).status()).isEqualTo(409);
                    assertThat(retry(runtime, "999999").status()).isEqualTo(404);
                }
            }
        }
    }

    static JsonNode events(RunningRuntime runtime, String state) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/events?state=" + state)))
                .header("X-API-Key", RunningRuntime.API_KEY).GET().build()).json().get("events");
    }

    static RunningRuntime.Response retry(RunningRuntime runtime, String id) throws Exception {
        return runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/events/" + id + "/retry")))
                .header("X-API-Key", RunningRuntime.API_KEY).POST(HttpRequest.BodyPublishers.noBody()).build());
    }
}
