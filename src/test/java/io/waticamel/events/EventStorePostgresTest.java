package io.waticamel.events;

import javax.sql.DataSource;

import io.waticamel.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;

/** The events table on a real PostgreSQL server started for this test: two instances share it. */
class EventStorePostgresTest extends EventStoreContract {

    private PostgresServer postgres;

    @Override
    DataSource dataSource() throws Exception {
        postgres = PostgresServer.start();
        return postgres.dataSource();
    }

    @AfterAll
    void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
