package io.waticamel.campaigns;

import java.nio.file.Files;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

/** The campaign tables on H2 (file), as the runtime uses them by default (kept open, as the runtime's pool does). */
class CampaignStoreH2Test extends CampaignStoreContract {

    @Override
    DataSource dataSource() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + Files.createTempDirectory("wati-campaigns").resolve("db") + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        return h2;
    }
}
