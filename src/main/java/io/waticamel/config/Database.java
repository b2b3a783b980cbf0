package io.waticamel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.waticamel.security.OwnerOnlyFiles;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's database: H2 (file) by default, PostgreSQL in production; schema migrated by Flyway at start.
 * <p>
 * H2 (2.x, MVStore) keeps a commit in memory for up to WRITE_DELAY milliseconds (500 unless set)
 * and a background thread writes it to the file later: a kill -9 in between loses commits the
 * caller was already told about, so the outbox would send an action again or forget it. With
 * WRITE_DELAY 0 every commit is written to the file (not synced to the disk) before it returns,
 * which a killed process cannot undo. The setting is the database's, kept in its file, and any
 * connection may change it: it is set on every connection, whatever URL the user gave.
 */
final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** H2's "Admin rights are required for this operation". */
    private static final int H2_ADMIN_RIGHTS_REQUIRED = 90040;

    private Database() {
    }

    static HikariDataSource open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("wati-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        boolean h2 = isH2(url);
        if (h2) {
            refuseWriteDelay(url);
            config.setConnectionInitSql("SET WRITE_DELAY 0");
            h2File(url).ifPresent(Database::ownerOnly);
        }
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (h2 && h2ErrorCode(e) == H2_ADMIN_RIGHTS_REQUIRED) {
                throw new IllegalStateException("wati.db.user '" + user + "' is not an admin of the H2 database in wati.db.url: the "
                        + "runtime sets WRITE_DELAY 0 on each connection (every commit written before it returns, so accepted "
                        + "actions survive a crash), which needs admin rights. Use the database's admin user or PostgreSQL", e);
            }
            throw e;
        }
        try {
            migrate(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    static boolean isH2(String url) {
        return url != null && url.regionMatches(true, 0, "jdbc:h2:", 0, "jdbc:h2:".length());
    }

    static boolean isPostgreSql(String url) {
        return url != null && url.regionMatches(true, 0, "jdbc:postgresql:", 0, "jdbc:postgresql:".length());
    }

    /**
     * The file of an embedded H2 database, as H2 names it ({@code jdbc:h2:file:./data/wati-camel},
     * {@code jdbc:h2:/var/lib/wati/db}, {@code jdbc:h2:~/db}, plus ".mv.db"); none for in-memory and
     * server URLs ({@code mem:}, {@code tcp:}, {@code ssl:}) or H2's other file systems ({@code zip:},
     * {@code nio:}, ...), whose files are not the runtime's to create.
     */
    static Optional<Path> h2File(String url) {
        String name = url.substring("jdbc:h2:".length()).split(";", 2)[0];
        if (name.regionMatches(true, 0, "file:", 0, "file:".length())) {
            name = name.substring("file:".length());
        } else if (name.matches("(?s)[A-Za-z]{2,}:.*")) {
            return Optional.empty();
        }
        if (name.startsWith("~")) {
            name = System.getProperty("user.home") + name.substring(1);
        } else if (!Path.of(name).isAbsolute() && !name.startsWith("./") && !name.startsWith("../")) {
            // implicitly relative ("jdbc:h2:data/db"): H2 refuses it, so nothing is created for it
            return Optional.empty();
        }
        return Optional.of(Path.of(name + ".mv.db"));
    }

    /**
     * The database holds plain numbers and message texts: its file is created owner-only before H2
     * opens it (H2 would create it readable by others), an existing one open to others is made
     * owner-only. Inside wati.data.dir the folder already keeps others out; elsewhere H2 also writes
     * its trace and temporary files beside the database, so a folder open to others is warned about.
     */
    private static void ownerOnly(Path file) {
        try {
            OwnerOnlyFiles.file(file);
            Path folder = file.toAbsolutePath().getParent();
            if (OwnerOnlyFiles.openToOthers(folder)) {
                LOG.warn("The H2 database's folder {} is open to others: H2 writes trace and temporary files there with the "
                        + "process's default permissions. Make it owner-only (chmod 700) or keep the database in wati.data.dir", folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the H2 database " + file.toAbsolutePath() + " owner-only", e);
        }
    }

    /** A URL that asks H2 to delay commits contradicts what the runtime promises: refused, not silently overridden. */
    static void refuseWriteDelay(String url) {
        String[] parts = url.split(";");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0 && parts[i].substring(0, eq).strip().toUpperCase(Locale.ROOT).equals("WRITE_DELAY")
                    && !parts[i].substring(eq + 1).strip().equals("0")) {
                throw new IllegalStateException("wati.db.url sets " + parts[i].strip() + ": H2 would keep each commit in memory "
                        + "that long, and a crash (kill -9) would lose accepted async actions or send them twice. Remove "
                        + "WRITE_DELAY from wati.db.url: the runtime sets WRITE_DELAY 0 on every H2 connection");
            }
        }
    }

    private static int h2ErrorCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getErrorCode();
            }
        }
        return 0;
    }

    static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
        var result = flyway.migrate();
        // targetSchemaVersion is null when nothing was applied: ask for the current version then
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : flyway.info().current().getVersion().getVersion();
        LOG.info("Database schema at version {} ({} migration(s) applied now)", version, result.migrationsExecuted);
    }
}
