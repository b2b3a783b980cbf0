package io.waticamel.events;

import java.nio.file.Files;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

/** The events table on H2 (file), as the runtime uses it by default. */
class EventStoreH2Test extends EventStoreContract {

    @Override
    DataSource dataSource() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + Files.createTempDirectory("wati-events").resolve("db") + ";WRITE_DELAY=0");
        h2.setUser("sa");
        return h2;
    }
}
