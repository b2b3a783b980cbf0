package io.waticamel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * H2 writes every commit before it returns whatever wati.db.url says (PackagedRuntimeIT kills the
 * runtime to prove what this means); a URL that asks for a delay is refused. The database file is
 * owner-only wherever the URL puts it.
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

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "none", value = {
        "jdbc:h2:file:./data/wati-camel;WRITE_DELAY=0, ./data/wati-camel.mv.db",
        "jdbc:h2:/var/lib/wati/db, /var/lib/wati/db.mv.db",
        "jdbc:h2:FILE:/var/lib/wati/db;AUTO_SERVER=TRUE, /var/lib/wati/db.mv.db",
        "jdbc:h2:mem:test, none",
        "jdbc:h2:tcp://db:9092/wati, none",
        "jdbc:h2:zip:/backups/db.zip!/wati, none",
        "jdbc:h2:data/db, none"})
    void theFileOfAnEmbeddedH2Database(String url, String file) {
        assertThat(Database.h2File(url).map(Path::toString).orElse(null)).isEqualTo(file);
    }

    @Test
    void theH2DatabaseIsOwnerOnlyFromItsCreationWhereverTheUrlPutsIt() throws Exception {
        Path open = Files.createDirectories(dir.resolve("shared"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        for (Path db : List.of(dir.resolve("new-folder/db"), open.resolve("db"))) {
            try (HikariDataSource ignored = Database.open("jdbc:h2:file:" + db, "sa", "", 2)) {
                assertThat(permissions(Path.of(db + ".mv.db"))).isEqualTo("rw-------");
            }
        }
        assertThat(permissions(dir.resolve("new-folder"))).as("a folder the runtime created").isEqualTo("rwx------");
        assertThat(permissions(open)).as("an existing folder is not the runtime's to change").isEqualTo("rwxr-xr-x");
    }

    @Test
    void anH2DatabaseAnEarlierReleaseLeftReadableIsMadeOwnerOnly() throws Exception {
        Path db = dir.resolve("db");
        try (HikariDataSource ignored = Database.open("jdbc:h2:file:" + db, "sa", "", 2)) {
            Files.setPosixFilePermissions(Path.of(db + ".mv.db"), PosixFilePermissions.fromString("rw-r--r--"));
        }
        try (HikariDataSource ignored = Database.open("jdbc:h2:file:" + db, "sa", "", 2)) {
            assertThat(permissions(Path.of(db + ".mv.db"))).isEqualTo("rw-------");
        }
    }

    static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
