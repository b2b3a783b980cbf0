package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import io.waticamel.testing.PostgresServer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V11 on a database that already holds async actions: each is due when it was accepted (their order
 * kept), a row written without send_at is due at once, and a scheduled row waits - on H2 and on PostgreSQL.
 */
class OutboxSendAtMigrationTest {

    static void existingActionsAreDueWhenTheyWereAccepted(String url, String user) throws Exception {
        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").target("8").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO outbox (id, caller, action, fields_json, state, created_at, updated_at) VALUES "
                    + "('older', 'default', 'send_session_message', '{}', 'queued', TIMESTAMP WITH TIME ZONE '2026-01-01 10:00:00+00', CURRENT_TIMESTAMP), "
                    + "('newer', 'default', 'send_session_message', '{}', 'queued', TIMESTAMP WITH TIME ZONE '2026-01-01 11:00:00+00', CURRENT_TIMESTAMP)");
        }

        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").load().migrate();

        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, send_at, deferred FROM outbox ORDER BY send_at, id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("id")).isEqualTo("older");
                assertThat(rs.getTimestamp("send_at").toInstant()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
                assertThat(rs.getString("deferred")).isNull();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getTimestamp("send_at").toInstant()).isEqualTo(Instant.parse("2026-01-01T11:00:00Z"));
            }
            s.executeUpdate("INSERT INTO outbox (id, caller, action, fields_json, state, created_at, updated_at) "
                    + "VALUES ('now', 'default', 'send_session_message', '{}', 'queued', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            s.executeUpdate("INSERT INTO outbox (id, caller, action, fields_json, state, created_at, updated_at, send_at, deferred) "
                    + "VALUES ('later', 'default', 'send_template_message', '{}', 'queued', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                    + "TIMESTAMP WITH TIME ZONE '2999-01-01 06:00:00+00', 'quiet hours 21:00-08:00 Africa/Johannesburg')");
            // the claim's query
            try (ResultSet rs = s.executeQuery("SELECT id FROM outbox WHERE state = 'queued' AND send_at <= CURRENT_TIMESTAMP ORDER BY send_at, id")) {
                StringBuilder due = new StringBuilder();
                while (rs.next()) {
                    due.append(rs.getString(1)).append(' ');
                }
                assertThat(due.toString()).isEqualTo("older newer now ");
            }
        }
    }

    @Test
    void onH2() throws Exception {
        existingActionsAreDueWhenTheyWereAccepted("jdbc:h2:file:" + Files.createTempDirectory("wati-v11").resolve("db"), "sa");
    }

    @Test
    void onPostgres() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            existingActionsAreDueWhenTheyWereAccepted(postgres.jdbcUrl(), postgres.user());
        }
    }
}
