package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.events.EventStore;
import io.waticamel.events.WatiEvent;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The inbound call's event, found in the runtime's events table (the real migrations, on H2) by its dedup key. */
class StoredEventLookupTest {

    @Test
    void findsTheEventHoweverManyCameAfterIt() throws Exception {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + Files.createTempDirectory("wati-sandbox-events").resolve("db") + ";WRITE_DELAY=0");
        db.setUser("sa");
        Flyway.configure().dataSource(db).load().migrate();
        InboundEvents customers = new InboundEvents(Clock.systemUTC(), "http://127.0.0.1:1/sandbox", Ids::next);
        String firstKey = null;
        try (EventStore store = new EventStore(db, "test", Duration.ofMinutes(1), 50)) {
            // the first, then more than the 50 newest message events a scan of the newest would see
            for (int i = 0; i < 60; i++) {
                byte[] body = customers.build(new ObjectMapper().readTree(
                        "{\"type\": \"message\", \"whatsappNumber\": \"27821234567\", \"text\": \"message " + i + "\"}")).toString()
                        .getBytes(StandardCharsets.UTF_8);
                WatiEvent event = WatiEvent.parse(body);
                assertThat(store.insert(SandboxWati.ACCOUNT, event, body, Instant.now())).isTrue();
                if (i == 0) {
                    firstKey = event.dedupKey(body);
                }
            }
        }
        StoredEventLookup lookup = new StoredEventLookup(db);
        Map<String, Object> first = lookup.find(SandboxWati.ACCOUNT, firstKey);
        assertThat(first).containsEntry("state", "received").containsEntry("attempts", 0).containsEntry("file_id", null)
                .containsEntry("error", null).containsKey("id");
        assertThat(lookup.find("main", firstKey)).as("another account's").isNull();
        assertThat(lookup.find(SandboxWati.ACCOUNT, "message|no-such-id|")).isNull();
    }

    /** WATI-like ids, unique in the test. */
    private static final class Ids {
        private static final AtomicLong NEXT = new AtomicLong();

        static String next() {
            return "%024x".formatted(NEXT.incrementAndGet());
        }
    }
}
