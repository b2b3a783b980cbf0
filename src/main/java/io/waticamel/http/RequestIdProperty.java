package io.waticamel.http;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCreatedEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Copies an HTTP request's {@value RequestIds#HEADER} (set by {@link RequestIds} on every request)
 * into the exchange property {@value RequestIds#PROPERTY} as the exchange is created. Routes clear
 * headers before calling WATI and before answering; a property stays for the whole exchange, so
 * every log line of the request carries the id (camel-mdc: {@code camel.mdc.customProperties}) and
 * an error answer can name it.
 */
public final class RequestIdProperty extends EventNotifierSupport {

    public RequestIdProperty() {
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeCreatedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((ExchangeCreatedEvent) event).getExchange();
        // any consumer may carry the header (a route file's queue or file route): only a sane one is copied
        String id = exchange.getIn().getHeader(RequestIds.HEADER, String.class);
        if (RequestIds.isSane(id) && exchange.getProperty(RequestIds.PROPERTY) == null) {
            exchange.setProperty(RequestIds.PROPERTY, id);
        }
    }
}
