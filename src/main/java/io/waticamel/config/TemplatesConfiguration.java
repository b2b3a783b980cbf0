package io.waticamel.config;

import java.time.Clock;

import javax.sql.DataSource;

import io.waticamel.files.UrlGuard;
import io.waticamel.reliability.Idempotency;
import io.waticamel.templates.TemplateCatalogue;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** Each account's template catalogue and the checks before a template is sent (bean {@code templates}). */
public class TemplatesConfiguration implements CamelConfiguration {

    @BeanInject("watiDataSource")
    private DataSource db;
    @BeanInject("watiClock")
    private Clock clock;

    @BindToRegistry
    public TemplateCatalogue templates(CamelContext context, UrlGuard urlGuard, @PropertyInject("wati.templates.validate") boolean validate,
            @PropertyInject("wati.templates.refresh-interval") String refreshInterval,
            @PropertyInject("wati.templates.recheck-after") String recheckAfter) {
        var configuration = ActionPipelineConfiguration.configuration(context);
        return new TemplateCatalogue(db, TemplateCatalogue.throughWati(context.createProducerTemplate(), new WatiRequests()),
                new WatiAccounts(configuration, urlGuard), () -> ConfiguredNames.of(context, "wati.accounts.", ".endpoint"), clock, validate,
                Idempotency.duration(refreshInterval), Idempotency.duration(recheckAfter));
    }
}
