package io.waticamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opt-out changes on a real (H2) database: the newest change wins, whatever order they arrive in. */
class OptOutsTest {

    JdbcDataSource db;
    OptOuts optOuts;

    @BeforeEach
    void database() throws Exception {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + Files.createTempDirectory("wati-opt-outs").resolve("db"));
        db.setUser("sa");
        Flyway.configure().dataSource(db).load().migrate();
        optOuts = new OptOuts(db, " stop, Unsubscribe ,", "START", account -> account.equals("main") ? "https://wati.example/1" : null,
                io.waticamel.security.RecordOwners.of("", java.util.List.of("default")));
    }

    boolean optedOut(String account, String number) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT opted_out FROM opt_outs WHERE account = ? AND number = ?")) {
            s.setString(1, account);
            s.setString(2, number);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Test
    void aStopAndAStartArrivingOutOfOrderEndAsTheCustomerMeant() throws Exception {
        Instant stop = Instant.parse("2026-11-29T10:00:00Z");
        Instant start = stop.plusSeconds(60);
        assertThat(optOuts.change("main", "27821234567", false, "keyword START", start)).isTrue();
        assertThat(optOuts.change("main", "27821234567", true, "keyword STOP", stop)).isFalse();
        assertThat(optedOut("main", "27821234567")).isFalse();

        assertThat(optOuts.change("main", "27829999999", true, "keyword STOP", stop)).isTrue();
        assertThat(optOuts.change("main", "27829999999", false, "keyword START", start)).isTrue();
        assertThat(optOuts.change("main", "27829999999", true, "Meta 131050", start.plusSeconds(1))).isTrue();
        assertThat(optedOut("main", "27829999999")).isTrue();
        // another account's customer is another opt-out
        assertThat(optedOut("other", "27829999999")).isFalse();
    }

    @Test
    void keywordsAreTrimmedAndCaseInsensitive() {
        assertThat(OptOuts.keywords(" stop, Unsubscribe ,")).containsExactlyInAnyOrder("STOP", "UNSUBSCRIBE");
        assertThat(OptOuts.keywords("")).isEmpty();
        assertThat(OptOuts.keywords(null)).isEmpty();
    }
}
