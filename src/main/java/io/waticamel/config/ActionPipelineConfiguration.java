package io.waticamel.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

import javax.sql.DataSource;

import io.waticamel.action.ActionReader;
import io.waticamel.events.OptOuts;
import io.waticamel.files.MediaDownloader;
import io.waticamel.files.UrlGuard;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.media.MediaArchive;
import io.waticamel.pipeline.ActionApi;
import io.waticamel.pipeline.ActionChecks;
import io.waticamel.pipeline.ActionRequests;
import io.waticamel.pipeline.ActionRoutes;
import io.waticamel.pipeline.ActionSteps;
import io.waticamel.pipeline.RateBuckets;
import io.waticamel.pipeline.SharedRateBuckets;
import io.waticamel.pipeline.WatiCallSteps;
import io.waticamel.pipeline.WatiRetries;
import io.waticamel.pipeline.WatiThrottle;
import io.waticamel.templates.TemplateCatalogue;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.NoErrorHandlerBuilder;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/** The beans of the action pipeline (direct:wati-action, direct:wati-call), named as the route files call them. */
public class ActionPipelineConfiguration implements CamelConfiguration {

    /** {@code wati-camel/<version>}: WATI's CDN has refused library-default agents. */
    public static final String USER_AGENT = "wati-camel/" + version();

    /**
     * Errors by configuration: a route that names no error handler of its own (any route file's
     * included) hands its errors back to the route that called it, so wati-action answers every
     * failure of an action once, and nothing is logged twice.
     */
    @Override
    public void configure(CamelContext context) {
        context.getCamelContextExtension().setErrorHandlerFactory(new NoErrorHandlerBuilder());
    }

    @BindToRegistry
    public ActionSteps actions(CamelContext context, UrlGuard urlGuard, WatiMetrics metrics) {
        WatiAccounts accounts = new WatiAccounts(configuration(context), urlGuard);
        // a quiet-hours mistake stops the start, named, rather than failing the account's sends later
        accounts.checkQuietHours(ConfiguredNames.of(context, "wati.accounts.", ".quiet-hours"));
        return new ActionSteps(new ActionReader(), accounts, new ActionRoutes(context), metrics);
    }

    @BindToRegistry
    public ActionRequests watiRequests(@PropertyInject("wati.data.dir") String dataDir, CloseableHttpClient outboundHttpClient,
            UrlGuard urlGuard) {
        return new ActionRequests(new WatiRequests(), new MediaDownloader(outboundHttpClient, urlGuard, Path.of(dataDir, "tmp")));
    }

    /**
     * What the runtime's actions refuse before any network call, checked before an async 202.
     * get_media's checks are its bean's, bound by MediaConfiguration, opt-outs EventsConfiguration's and the template
     * catalogue TemplatesConfiguration's, all configured before this one.
     */
    @BindToRegistry
    public ActionChecks actionChecks(@BeanInject("mediaArchive") MediaArchive mediaArchive, @BeanInject("optOuts") OptOuts optOuts,
            @BeanInject("templates") TemplateCatalogue templates) {
        return new ActionChecks(new WatiRequests(), mediaArchive::check, optOuts::check, templates::check);
    }

    @BindToRegistry
    public WatiCallSteps watiCall() {
        return new WatiCallSteps(new WatiRequests(), USER_AGENT);
    }

    /**
     * On PostgreSQL each account's rate is one budget for every instance on the database (kept in rate_buckets); on
     * H2 (one instance) the buckets stay in memory.
     */
    @BindToRegistry
    public WatiThrottle watiThrottle(CamelContext context, @PropertyInject("wati.throttle.per-second") int perSecond,
            @PropertyInject("wati.throttle.max-wait-ms") long maxWaitMs, @PropertyInject("wati.db.url") String dbUrl,
            @BeanInject("watiDataSource") DataSource dataSource, WatiMetrics metrics) {
        RateBuckets buckets = Database.isPostgreSql(dbUrl) ? new SharedRateBuckets(dataSource) : RateBuckets.LOCAL;
        return new WatiThrottle(perSecond, maxWaitMs, configuration(context), buckets, metrics);
    }

    /** Logs every retry (onRedelivery) and checks WATI's answers for retryable statuses. */
    @BindToRegistry
    public WatiRetries watiRetries(@PropertyInject("wati.retry.max-attempts") int maxAttempts,
            @PropertyInject("wati.retry.initial-delay-ms") long initialDelayMs,
            @PropertyInject("wati.retry.multiplier") double multiplier,
            @PropertyInject("wati.retry.max-delay-ms") long maxDelayMs, WatiMetrics metrics) {
        return new WatiRetries(maxAttempts, initialDelayMs, multiplier, maxDelayMs, metrics);
    }

    @BindToRegistry
    public RedeliveryPolicy watiRetryPolicy(@PropertyInject("wati.retry.max-attempts") int maxAttempts,
            @PropertyInject("wati.retry.initial-delay-ms") long initialDelayMs,
            @PropertyInject("wati.retry.multiplier") double multiplier,
            @PropertyInject("wati.retry.max-delay-ms") long maxDelayMs) {
        return new WatiRetries(maxAttempts, initialDelayMs, multiplier, maxDelayMs).policy();
    }

    @BindToRegistry
    public ActionApi actionApi() {
        return new ActionApi();
    }

    /** A configuration key's value (file, environment, -D), empty when unset or blank. */
    static Function<String, Optional<String>> configuration(CamelContext context) {
        return key -> context.getPropertiesComponent().resolveProperty(key).filter(v -> !v.isBlank());
    }

    static String version() {
        try (InputStream in = ActionPipelineConfiguration.class.getResourceAsStream("/wati-camel-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
