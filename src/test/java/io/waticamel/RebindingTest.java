package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.ScriptedNames;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Names whose answers change (DNS rebinding) against the runtime as in production (private hosts
 * refused): the first lookup, made when the request is checked, answers a public address; later
 * ones, made when a retry or a callback connects, answer loopback. Loopback is never reached and
 * the token never leaves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebindingTest {

    static final String PUBLIC = "93.184.215.14";
    static final String TOKEN = "rebinding-token-9e3f";
    /** Stands in for a loopback-only internal service: must see nothing. */
    WatiDouble internal;
    WatiDouble wati;
    RunningRuntime runtime;

    @BeforeAll
    void start() throws Exception {
        internal = new WatiDouble();
        wati = new WatiDouble();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.request-urls.allow-private-hosts", "false");
        properties.put("wati.accounts.local.endpoint", wati.url());
        properties.put("wati.accounts.local.token", TOKEN);
        properties.put("wati.retry.max-attempts", "3");
        properties.put("wati.retry.initial-delay-ms", "100");
        properties.put("wati.notifications.initial-delay-ms", "100");
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
        internal.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
        internal.reset();
        internal.answer(Answer.json(200, "{\"result\":true,\"secret\":\"internal data\"}"));
    }

    int internalPort() {
        return java.net.URI.create(internal.url()).getPort();
    }

    @Test
    void aRetryConnectsOnlyToAnAddressCheckedForIt() throws Exception {
        // checked: public; first attempt: the lookup fails (retried); the retry's lookup: loopback
        ScriptedNames.script("api.rebind.test", PUBLIC, "-", "127.0.0.1");
        Map<String, Object> task = new LinkedHashMap<>(Map.of("wati_action", "send_session_message",
                "api_endpoint", "http://api.rebind.test:" + internalPort() + "/tenant", "access_token", TOKEN,
                "whatsappNumber", "27821234567", "messageText", "hello"));

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.runText()).isEqualTo("Refused to connect to api.rebind.test:" + internalPort()
                + ": a private or local address, which is not allowed (wati.request-urls.allow-private-hosts=true allows it, for local tests only)");
        assertThat(response.body()).doesNotContain("internal data");
        assertThat(internal.requests()).isEmpty();
    }

    @Test
    void aCallbackConnectsOnlyToAnAddressCheckedForIt() throws Exception {
        wati.answer(Answer.json(200, "{\"result\":true}"));
        // checked when the action is accepted: public; when the callback is delivered: loopback
        ScriptedNames.script("cb.rebind.test", PUBLIC, "127.0.0.1");
        Map<String, Object> task = new LinkedHashMap<>(Map.of("wati_action", "send_session_message", "account", "local",
                "whatsappNumber", "27821234567", "messageText", "call me back", "async", true,
                "callback_url", "http://cb.rebind.test:" + internalPort() + "/done"));

        RunningRuntime.Response accepted = runtime.postAction(task);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> wati.requests().size() == 1);
        // the callback is refused at once (not retried); give a wrong delivery time to happen anyway
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> internal.requests().isEmpty());
        assertThat(internal.requests()).isEmpty();
    }
}
