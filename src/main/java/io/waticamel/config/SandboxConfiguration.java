package io.waticamel.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.waticamel.events.EventStore;
import io.waticamel.http.AddressGuard;
import io.waticamel.reliability.Idempotency;
import io.waticamel.sandbox.SandboxApi;
import io.waticamel.sandbox.SandboxWati;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * The sandbox's API (bean {@code watiSandboxApi}): the sandbox {@link SandboxStart} started, or, when
 * it is off, an API that answers every call 404 saying how to turn it on. Its sample files are the
 * only local origin a request's own URLs may name (a send_session_file's file_url in the
 * walkthrough); its WATI endpoint stays refused to them. After EventsConfiguration (the event store).
 */
public class SandboxConfiguration implements CamelConfiguration {

    private SandboxApi api;

    @BindToRegistry(value = "watiSandboxApi", destroyMethod = "close")
    public synchronized SandboxApi watiSandboxApi(CamelContext context, AddressGuard addressGuard,
            @BeanInject("watiEventStore") EventStore events, @PropertyInject("camel.server.host") String host,
            @PropertyInject("camel.server.port") int port, @PropertyInject("wati.sandbox.inbound-wait") String inboundWait) {
        if (api == null) {
            SandboxWati sandbox = context.getRegistry().lookupByNameAndType(SandboxStart.BEAN, SandboxWati.class);
            if (sandbox == null) {
                api = SandboxApi.off();
            } else {
                addressGuard.allowRequests(sandbox.samplesOrigin());
                URI webhook = URI.create("http://" + ownHost(host) + ":" + port + "/webhooks/wati/" + SandboxWati.ACCOUNT + "/"
                        + sandbox.webhookSecret());
                api = new SandboxApi(sandbox, webhook, watiId -> stored(events, watiId), Idempotency.duration(inboundWait));
            }
        }
        return api;
    }

    /** The sandbox account's newest stored event with this WATI id (the sandbox's own events are few and recent). */
    private static Map<String, Object> stored(EventStore events, String watiId) {
        try {
            List<Map<String, Object>> recent = events.list(null, SandboxWati.ACCOUNT, "message", 0, 50);
            return recent.stream().filter(e -> watiId.equals(e.get("wati_id"))).findFirst().orElse(null);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("The stored events could not be read: " + e.getMessage(), e);
        }
    }

    /** The runtime's own address for a POST to itself: loopback when it listens on every interface. */
    static String ownHost(String host) {
        String h = host == null ? "" : host.strip();
        if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
            return "127.0.0.1";
        }
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }
}
