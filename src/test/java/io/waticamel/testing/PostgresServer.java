package io.waticamel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: {@code initdb} + {@code pg_ctl} on a free port in a temp
 * folder (PostgreSQL 15 server binaries, Debian package postgresql-15). PostgreSQL refuses to run
 * as root, so as root the cluster is owned by and run as the {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path dir;
    private final Path binDir;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path dir, Path binDir, int port, boolean asPostgresUser) {
        this.dir = dir;
        this.binDir = binDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public static PostgresServer start() throws Exception {
        Path bin = findBinDir();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("wati-pg");
        int port = RunningRuntime.freePort();
        PostgresServer server = new PostgresServer(dir, bin, port, root);
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        server.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "wati",
                "--auth=trust", "-E", "UTF8", "--no-sync"));
        server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
        return server;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "wati";
    }

    /** A plain (unpooled) DataSource of this server, for the store contracts. */
    public javax.sql.DataSource dataSource() {
        org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setURL(jdbcUrl());
        pg.setUser(user());
        return pg;
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("failed: " + String.join(" ", command) + "\n" + out);
        }
    }

    static Path findBinDir() throws IOException {
        String configured = System.getenv("PG_BIN");
        if (configured != null) {
            return Path.of(configured);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder());
                if (bin.isPresent()) {
                    return bin.get();
                }
            }
        }
        throw new IOException("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package postgresql");
    }

    @Override
    public void close() throws Exception {
        try {
            pg(List.of(binDir.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
