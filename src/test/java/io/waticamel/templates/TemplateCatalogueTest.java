package io.waticamel.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.files.UrlGuard;
import io.waticamel.testing.MutableClock;
import io.waticamel.testing.PostgresServer;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiCredentials;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The catalogue's loads with a page source the test scripts: a slow or failing WATI never holds a send. */
class TemplateCatalogueTest {

    static final String PAGE = "{\"messageTemplates\":[{\"elementName\":\"order_update\",\"status\":\"APPROVED\","
            + "\"customParams\":[{\"paramName\":\"order_number\"}]}],\"link\":{\"total\":1}}";
    final WatiCredentials shop = new WatiCredentials("shop", URI.create("http://127.0.0.1:1/shop"), "token");
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    final AtomicInteger loads = new AtomicInteger();
    JdbcDataSource db;

    @BeforeEach
    void database() throws Exception {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + Files.createTempDirectory("wati-templates").resolve("db"));
        db.setUser("sa");
        Flyway.configure().dataSource(db).load().migrate();
    }

    TemplateCatalogue catalogue(TemplateCatalogue.Pages pages) {
        return new TemplateCatalogue(db, pages, new WatiAccounts(key -> Optional.empty(), new UrlGuard(new io.waticamel.http.AddressGuard(false))), Set::of, clock, true,
                Duration.ofMinutes(15), Duration.ofSeconds(10));
    }

    @Test
    void aSendDoesNotWaitLongForAnotherCallersSlowLoad() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TemplateCatalogue catalogue = catalogue((credentials, size, page) -> {
            loads.incrementAndGet();
            release.await(30, TimeUnit.SECONDS);
            return new ObjectMapper().readTree(PAGE);
        });
        CompletableFuture<TemplateCatalogue.Verdict> first = CompletableFuture.supplyAsync(() -> catalogue.verdict(shop, "order_update"));
        while (loads.get() == 0) {
            Thread.onSpinWait();
        }

        long started = System.nanoTime();
        TemplateCatalogue.Verdict second = catalogue.verdict(shop, "no_such_template");
        long waitedMs = (System.nanoTime() - started) / 1_000_000;

        // unchecked, after the bounded wait (not the 30 s the load takes)
        assertThat(second.refusal()).isNull();
        assertThat(second.approved()).isEmpty();
        assertThat(waitedMs).isLessThan(TimeUnit.SECONDS.toMillis(10));
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).approved()).extracting(Template::name).containsExactly("order_update");
        assertThat(loads).hasValue(1);
    }

    @Test
    void aFailedLoadIsNotTriedAgainBeforeTheRecheckPeriod() {
        TemplateCatalogue catalogue = catalogue((credentials, size, page) -> {
            loads.incrementAndGet();
            throw new IllegalStateException("WATI answered HTTP 500");
        });

        assertThat(catalogue.verdict(shop, "order_update").refusal()).isNull();
        assertThat(catalogue.verdict(shop, "order_update").refusal()).isNull();
        assertThat(loads).hasValue(1);
        clock.advance(Duration.ofSeconds(10));
        catalogue.verdict(shop, "order_update");
        assertThat(loads).hasValue(2);
    }

    @Test
    void twoInstancesLoadingOneCatalogueOnPostgresqlBothSucceed() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            javax.sql.DataSource shared = postgres.dataSource();
            Flyway.configure().dataSource(shared).load().migrate();
            // both instances fetch before either saves: their replacements of the templates meet in the database
            CountDownLatch bothFetched = new CountDownLatch(2);
            TemplateCatalogue.Pages pages = (credentials, size, page) -> {
                bothFetched.countDown();
                bothFetched.await(10, TimeUnit.SECONDS);
                return new ObjectMapper().readTree(PAGE);
            };
            TemplateCatalogue a = new TemplateCatalogue(shared, pages, new WatiAccounts(key -> Optional.empty(),
                    new UrlGuard(new io.waticamel.http.AddressGuard(false))), Set::of, clock, true, Duration.ofMinutes(15), Duration.ofSeconds(10));
            TemplateCatalogue b = new TemplateCatalogue(shared, pages, new WatiAccounts(key -> Optional.empty(),
                    new UrlGuard(new io.waticamel.http.AddressGuard(false))), Set::of, clock, true, Duration.ofMinutes(15), Duration.ofSeconds(10));

            CompletableFuture<TemplateCatalogue.Verdict> first = CompletableFuture.supplyAsync(() -> a.verdict(shop, "order_update"));
            CompletableFuture<TemplateCatalogue.Verdict> second = CompletableFuture.supplyAsync(() -> b.verdict(shop, "order_update"));

            // each loaded and checks (a failed load would leave nothing to check: approved empty)
            assertThat(first.get(30, TimeUnit.SECONDS).approved()).extracting(Template::name).containsExactly("order_update");
            assertThat(second.get(30, TimeUnit.SECONDS).approved()).extracting(Template::name).containsExactly("order_update");
            assertThat(a.read(shop.throttleKey()).size()).isEqualTo(1);
        }
    }

    @Test
    void aCatalogueSurvivesARestartInTheDatabase() throws Exception {
        catalogue((credentials, size, page) -> new ObjectMapper().readTree(PAGE)).verdict(shop, "order_update");

        TemplateCatalogue restarted = catalogue((credentials, size, page) -> {
            throw new AssertionError("loaded again although the database has a fresh copy");
        });
        TemplateCatalogue.Verdict verdict = restarted.verdict(shop, "order_update");

        assertThat(verdict.mismatch(List.of("order_number"))).isNull();
        assertThat(verdict.mismatch(List.of("order"))).contains("missing 'order_number'; unexpected 'order'");
    }
}
