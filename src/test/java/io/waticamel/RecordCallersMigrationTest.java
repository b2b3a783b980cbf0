package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.waticamel.testing.PostgresServer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V5 on a database that already holds records (schema V4): every dead letter, async action and
 * file is then the caller "default" (wati.api-key's name), and a row written without its caller
 * is refused rather than given to "default" - on H2 and on PostgreSQL.
 */
class RecordCallersMigrationTest {

    static final String[] INSERTS = {
        "INSERT INTO dead_letters (id, action, account, fields_json, error, http_status, attempts, status, replays, created_at, updated_at) "
                + "VALUES ('d1', 'send_session_message', 'main', '{}', 'e', 502, 3, 'open', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO outbox (id, action, fields_json, state, created_at, updated_at) "
                + "VALUES ('o1', 'send_session_message', '{}', 'queued', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO files (id, owner_id, file_url, file_name, size, content_type, source_file_name, container, blob_name, created_at) "
                + "VALUES ('f1', 'o', 'http://blob/x', 'x', 1, 'image/png', 'x', 'c', 'b', CURRENT_TIMESTAMP)"};

    static void existingRecordsBecomeDefaultsAndACallerIsRequired(String url, String user) throws SQLException {
        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").target("4").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            for (String insert : INSERTS) {
                s.executeUpdate(insert);
            }
        }

        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").load().migrate();

        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            for (String table : new String[] {"dead_letters", "outbox", "files"}) {
                try (ResultSet rs = s.executeQuery("SELECT caller FROM " + table)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as(table).isEqualTo("default");
                }
                s.executeUpdate("DELETE FROM " + table);
            }
            for (String insert : INSERTS) {
                // 23502: not null violation, on both databases
                assertThatThrownBy(() -> s.executeUpdate(insert)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("23502"));
            }
        }
    }

    @Test
    void onH2() throws Exception {
        existingRecordsBecomeDefaultsAndACallerIsRequired("jdbc:h2:file:" + Files.createTempDirectory("wati-v5").resolve("db"), "sa");
    }

    @Test
    void onPostgres() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            existingRecordsBecomeDefaultsAndACallerIsRequired(postgres.jdbcUrl(), postgres.user());
        }
    }
}
