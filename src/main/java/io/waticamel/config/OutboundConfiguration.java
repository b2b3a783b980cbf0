package io.waticamel.config;

import java.net.URI;
import java.time.Duration;

import io.waticamel.files.UrlGuard;
import io.waticamel.http.AddressGuard;
import io.waticamel.http.OutboundHttp;
import io.waticamel.reliability.Idempotency;
import io.waticamel.reliability.Notifications;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the runtime sends out (WATI calls, file_url downloads, get_media, callbacks and alerts)
 * goes through one HTTP client ({@code wati.http.*}) and one
 * address guard ({@code wati.request-urls.allow-private-hosts}); the other configurations take them
 * as parameters of their bean methods (by type), so this one is registered first.
 */
public class OutboundConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundConfiguration.class);

    private AddressGuard addressGuard;

    /**
     * The guard of every outbound connection. {@code wati.files.allow-private-hosts} is the setting's
     * earlier name and still turns it on. The alert webhook is the operator's and always allowed.
     */
    @BindToRegistry
    public synchronized AddressGuard addressGuard(@PropertyInject("wati.request-urls.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.files.allow-private-hosts") boolean earlierName,
            @PropertyInject("wati.alerts.webhook-url") String alertWebhook) {
        if (addressGuard == null) {
            addressGuard = new AddressGuard(allowPrivateHosts || earlierName);
            if (addressGuard.allowsPrivateHosts()) {
                LOG.warn("{} is on: api_endpoint, file_url and callback_url may point to loopback, private and cloud-metadata "
                        + "addresses (for local tests and WATI stand-ins only, never in production)", AddressGuard.SETTING);
            }
            if (alertWebhook != null && !alertWebhook.isBlank()) {
                addressGuard.trust(URI.create(alertWebhook.strip()));
            }
        }
        return addressGuard;
    }

    /** The early, clear check of a URL a request brings, with the guard's resolver. */
    @BindToRegistry
    public UrlGuard urlGuard(@PropertyInject("wati.request-urls.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.files.allow-private-hosts") boolean earlierName,
            @PropertyInject("wati.alerts.webhook-url") String alertWebhook) {
        return new UrlGuard(addressGuard(allowPrivateHosts, earlierName, alertWebhook));
    }

    /** Callbacks and alerts, queued for the notifications route (which sends them with the same client). */
    @BindToRegistry
    public Notifications notifications(CamelContext context) {
        return new Notifications(context.createProducerTemplate());
    }

    /** The one client, closed with Camel; for camel-http endpoints: {@code httpClient=#outboundHttpClient}. */
    @BindToRegistry(value = "outboundHttpClient", destroyMethod = "close")
    public CloseableHttpClient outboundHttpClient(@PropertyInject("wati.request-urls.allow-private-hosts") boolean allowPrivateHosts,
            @PropertyInject("wati.files.allow-private-hosts") boolean earlierName,
            @PropertyInject("wati.alerts.webhook-url") String alertWebhook,
            @PropertyInject("wati.http.connect-timeout-ms") long connectTimeoutMs,
            @PropertyInject("wati.http.read-timeout-ms") long readTimeoutMs,
            @PropertyInject("wati.http.transfer-timeout") String transferTimeout,
            @PropertyInject("wati.http.max-connections-per-host") int maxConnectionsPerHost,
            @PropertyInject("wati.http.max-connections") int maxConnections) {
        return OutboundHttp.client(new OutboundHttp.Settings(Duration.ofMillis(connectTimeoutMs), Duration.ofMillis(readTimeoutMs),
                Idempotency.duration(transferTimeout), maxConnectionsPerHost, maxConnections, ActionPipelineConfiguration.USER_AGENT),
                addressGuard(allowPrivateHosts, earlierName, alertWebhook));
    }
}
