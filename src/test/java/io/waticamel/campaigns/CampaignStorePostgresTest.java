package io.waticamel.campaigns;

import javax.sql.DataSource;

import io.waticamel.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.postgresql.ds.PGSimpleDataSource;

/** The campaign tables on a real PostgreSQL server started for this test: two instances share it. */
class CampaignStorePostgresTest extends CampaignStoreContract {

    private PostgresServer postgres;

    @Override
    DataSource dataSource() throws Exception {
        postgres = PostgresServer.start();
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(postgres.jdbcUrl());
        pg.setUser(postgres.user());
        return pg;
    }

    @AfterAll
    void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
