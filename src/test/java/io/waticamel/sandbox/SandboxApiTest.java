package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.waticamel.events.WatiEvent;
import io.waticamel.http.RequestIds;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.RecordOwners;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox API's bean on its own: a local webhook stands in for the runtime's, a function for its event store. */
class SandboxApiTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final CamelContext camel = new DefaultCamelContext();
    private final SandboxWati sandbox = start();
    private final RecordOwners owners = RecordOwners.of("ops", List.of("alice", "ops"));
    private final List<String> lookedUp = new CopyOnWriteArrayList<>();
    private final List<String> webhookRequestIds = new CopyOnWriteArrayList<>();
    private final List<byte[]> webhookBodies = new CopyOnWriteArrayList<>();
    private final HttpServer webhook = webhook();
    private final SandboxApi api = new SandboxApi(sandbox, owners, URI.create("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"),
            key -> {
                lookedUp.add(key);
                Map<String, Object> stored = new HashMap<>();
                stored.put("id", 7L);
                stored.put("state", "processed");
                stored.put("attempts", 1);
                return stored;
            }, Duration.ofSeconds(5));

    private static SandboxWati start() {
        try {
            return SandboxWati.start(10, Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpServer webhook() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                try (exchange) {
                    webhookRequestIds.add(String.valueOf(exchange.getRequestHeaders().getFirst(RequestIds.HEADER)));
                    webhookBodies.add(exchange.getRequestBody().readAllBytes());
                    byte[] answer = "{\"received\":true,\"duplicate\":false}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        api.close();
        sandbox.close();
        webhook.stop(0);
    }

    Exchange request(String caller, String json) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RequestIds.PROPERTY, "sandbox-call-42");
        exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, caller);
        if (json != null) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(json.getBytes(StandardCharsets.UTF_8));
        }
        return exchange;
    }

    int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    JsonNode json(Exchange exchange) throws Exception {
        return mapper.readTree(exchange.getMessage().getBody(byte[].class));
    }

    @Test
    void theInboundEventGoesToTheWebhookWithTheCallsRequestIdAndIsFoundByItsDedupKey() throws Exception {
        Exchange call = request("ops", "{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"text\": \"hi\"}");
        api.inbound(call);
        assertThat(status(call)).as(new String(call.getMessage().getBody(byte[].class), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(json(call).get("event_id").asLong()).isEqualTo(7);
        assertThat(webhookRequestIds).containsExactly("sandbox-call-42");
        byte[] posted = webhookBodies.getFirst();
        assertThat(lookedUp).first().isEqualTo(WatiEvent.parse(posted).dedupKey(posted)).isEqualTo("message|" + json(call).get("wati_id").asText() + "|");
    }

    @Test
    void aKeyThatDoesNotSeeEveryCallersRecordsIsRefused() throws Exception {
        Exchange call = request("alice", "{\"type\": \"message\", \"whatsappNumber\": \"27821234567\"}");
        api.inbound(call);
        assertThat(status(call)).isEqualTo(403);
        assertThat(json(call).get("error").asText()).isEqualTo("The sandbox is for the keys of wati.api-admins (or the only key)");
        assertThat(json(call).get("request_id").asText()).isEqualTo("sandbox-call-42");
        assertThat(webhookBodies).isEmpty();
    }

    @Test
    void closingTheApiLeavesTheSandboxToItsOwner() throws Exception {
        api.close();
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newHttpClient()) {
            answer = http.send(HttpRequest.newBuilder(sandbox.samplesOrigin().resolve("photo.jpg")).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(answer.statusCode()).isEqualTo(200);
    }
}
