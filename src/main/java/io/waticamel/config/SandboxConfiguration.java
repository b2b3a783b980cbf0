package io.waticamel.config;

import java.net.URI;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import io.waticamel.http.AddressGuard;
import io.waticamel.reliability.Idempotency;
import io.waticamel.sandbox.SandboxApi;
import io.waticamel.sandbox.SandboxWati;
import io.waticamel.sandbox.StoredEventLookup;
import io.waticamel.security.RecordOwners;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * The sandbox's API (bean {@code watiSandboxApi}): the sandbox {@link SandboxStart} started, or, when
 * it is off, an API that answers every call 404 saying how to turn it on. Its sample files are the
 * only local origin a request's own URLs may name (a send_session_file's file_url in the
 * walkthrough); its WATI endpoint stays refused to them. After SecurityConfiguration (the record
 * owners: who may use it) and StorageConfiguration (the database its inbound calls read events from).
 */
public class SandboxConfiguration implements CamelConfiguration {

    private SandboxApi api;

    /** Closing it closes its HTTP client only: the sandbox is SandboxStart's to close. */
    @BindToRegistry(value = "watiSandboxApi", destroyMethod = "close")
    public synchronized SandboxApi watiSandboxApi(CamelContext context, AddressGuard addressGuard, RecordOwners owners,
            @BeanInject("watiDataSource") DataSource db, @PropertyInject("camel.server.host") String host,
            @PropertyInject("camel.server.port") int port, @PropertyInject("wati.sandbox.inbound-wait") String inboundWait) {
        if (api == null) {
            SandboxWati sandbox = context.getRegistry().lookupByNameAndType(SandboxStart.BEAN, SandboxWati.class);
            if (sandbox == null) {
                api = SandboxApi.off();
            } else {
                addressGuard.allowRequests(sandbox.samplesOrigin());
                URI webhook = URI.create("http://" + ownHost(host) + ":" + port + "/webhooks/wati/" + SandboxWati.ACCOUNT + "/"
                        + sandbox.webhookSecret());
                StoredEventLookup events = new StoredEventLookup(db);
                api = new SandboxApi(sandbox, owners, webhook, dedupKey -> stored(events, dedupKey), Idempotency.duration(inboundWait));
            }
        }
        return api;
    }

    private static Map<String, Object> stored(StoredEventLookup events, String dedupKey) {
        try {
            return events.find(SandboxWati.ACCOUNT, dedupKey);
        } catch (SQLException e) {
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
