package io.waticamel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 writes every commit before it returns whatever wati.db.url says (PackagedRuntimeIT kills the
 * runtime to prove what this means); a URL that asks for a delay is refused.
 */
class DatabaseTest {

    @TempDir
    Path dir;

    static String writeDelay(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aUserUrlWithoutFlagsGetsEveryCommitWrittenAtOnce() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db");
        try (HikariDataSource db = Database.open(url, "sa", "", 2); Connection c = db.getConnection()) {
            assertThat(writeDelay(c)).isEqualTo("0");
        }
    }

    @Test
    void aUrlAskingForACommitDelayIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> Database.open("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=TRUE; write_delay = 500", "sa", "", 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wati.db.url sets write_delay = 500")
                .hasMessageContaining("Remove WRITE_DELAY from wati.db.url");
    }

    @Test
    void theRuntimesOwnFlagIsAccepted() throws Exception {
        try (HikariDataSource db = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "sa", "", 2);
                Connection c = db.getConnection()) {
            assertThat(writeDelay(c)).isEqualTo("0");
        }
    }

    @Test
    void aUserWhoMayNotSetTheDelayIsToldWhichKeyToChange() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db");
        try (Connection admin = DriverManager.getConnection(url, "sa", ""); Statement s = admin.createStatement()) {
            s.execute("CREATE USER app PASSWORD 'app-password'");
            assertThatThrownBy(() -> Database.open(url, "app", "app-password", 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("wati.db.user 'app' is not an admin of the H2 database in wati.db.url");
        }
    }
}
