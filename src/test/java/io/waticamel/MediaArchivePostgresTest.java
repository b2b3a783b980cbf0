package io.waticamel;

import java.util.Map;

import io.waticamel.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;

/** get_media and the files API on a real PostgreSQL server started for this test. */
class MediaArchivePostgresTest extends MediaArchiveContract {

    private PostgresServer postgres;

    @Override
    synchronized Map<String, String> database() throws Exception {
        if (postgres == null) {
            postgres = PostgresServer.start();
        }
        return Map.of("wati.db.url", postgres.jdbcUrl(), "wati.db.user", postgres.user(), "wati.db.password", "");
    }

    @AfterAll
    void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
