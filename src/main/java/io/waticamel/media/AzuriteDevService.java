package io.waticamel.media;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azurite, the Azure Storage emulator (npm {@code azurite}), as a development service: used when
 * no {@code wati.azure.connection-string} is set, the way Quarkus Dev Services start what a local
 * run needs. Installed from npm when missing, data kept under the data folder, stopped with the
 * runtime. Production sets a connection string and never starts it. The test suite uses it too.
 * <p>
 * A runtime killed with {@code kill -9} cannot stop its Azurite, which keeps the port. So the
 * process is recorded in {@value #PID_FILE} in its data folder, and the next start on that folder
 * stops it (after checking that the pid is still that Azurite and its runtime is gone).
 */
public final class AzuriteDevService implements AutoCloseable {

    public static final String VERSION = "3.37.0";
    /** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
    public static final String ACCOUNT = "devstoreaccount1";
    static final String PID_FILE = "azurite.pid";
    private static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final String EXECUTABLE = "node_modules/.bin/azurite-blob";
    /** What Azurite prints once its own socket listens (a connect alone could reach another process on the port). */
    private static final String LISTENING = "successfully listens on";
    private static final Logger LOG = LoggerFactory.getLogger(AzuriteDevService.class);

    private final Process process;
    private final int port;
    private final Path pidFile;

    private AzuriteDevService(Process process, int port, Path pidFile) {
        this.process = process;
        this.port = port;
        this.pidFile = pidFile;
    }

    /**
     * Installs Azurite into {@code installDir} when missing and starts its blob service on
     * 127.0.0.1:{@code port}, storing blobs in {@code dataDir}; returns once it listens. An Azurite an
     * earlier run left on {@code dataDir} is stopped first; a port taken by anything else is an error.
     */
    public static AzuriteDevService start(Path installDir, Path dataDir, int port) throws IOException, InterruptedException {
        Path data = Files.createDirectories(dataDir).toAbsolutePath();
        Path pidFile = data.resolve(PID_FILE);
        stopLeftover(pidFile, data);
        if (accepts(port)) {
            throw new IOException("Port " + port + " on 127.0.0.1 is taken by another process, so the Azurite dev service "
                    + "cannot start: set wati.azurite.port to a free port (or wati.azure.connection-string to use Azure)");
        }
        Path executable = install(installDir);
        List<String> command = List.of(executable.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                "--location", data.toString(), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry");
        Path log = data.resolve("azurite.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AzuriteDevService service = new AzuriteDevService(process, port, pidFile);
        try {
            service.recordPid();
            service.awaitListening(log);
        } catch (IOException | InterruptedException | RuntimeException e) {
            service.close();
            throw e;
        }
        LOG.info("Dev service: Azurite {} started on 127.0.0.1:{} (pid {}, data in {}); set wati.azure.connection-string to use Azure",
                VERSION, port, process.pid(), data);
        return service;
    }

    /** {@code npm install --prefix installDir azurite@3.37.0}, once. */
    public static synchronized Path install(Path installDir) throws IOException, InterruptedException {
        Path executable = installDir.resolve(EXECUTABLE);
        if (Files.isExecutable(executable)) {
            return executable;
        }
        Files.createDirectories(installDir);
        LOG.info("Dev service: installing Azurite {} into {} (npm, first start only)", VERSION, installDir.toAbsolutePath());
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", installDir.toString(),
                    "azurite@" + VERSION).redirectErrorStream(true).redirectOutput(installDir.resolve("npm-install.log").toFile()).start();
        } catch (IOException noNpm) {
            // the container image (like any machine without Node.js) has no npm: say what to set instead
            throw new IOException("npm is not available (" + noNpm.getMessage() + "), and the Azurite dev service needs it: "
                    + "set wati.azure.connection-string (WATI_AZURE_CONNECTION_STRING) to an Azure Storage account", noNpm);
        }
        try {
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IOException("npm install azurite@" + VERSION + " failed, see " + installDir.resolve("npm-install.log"));
            }
        } finally {
            // on failure, timeout or interruption (the runtime stopping) npm and its children must not outlive us
            stop(npm.toHandle());
        }
        LOG.info("Dev service: Azurite {} installed into {}", VERSION, installDir.toAbsolutePath());
        return executable;
    }

    public String connectionString() {
        return connectionString(port);
    }

    public static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/" + ACCOUNT + ";";
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void awaitListening(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(LISTENING)) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited at start, see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Azurite did not start within 60 s, see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** Azurite's pid and this runtime's (with its start time, as pids are reused). */
    private void recordPid() throws IOException {
        ProcessHandle runtime = ProcessHandle.current();
        Properties record = new Properties();
        record.setProperty("azurite.pid", String.valueOf(process.pid()));
        record.setProperty("runtime.pid", String.valueOf(runtime.pid()));
        record.setProperty("runtime.started", runtime.info().startInstant().map(Instant::toString).orElse(""));
        try (Writer out = Files.newBufferedWriter(pidFile)) {
            record.store(out, "Azurite dev service started by a wati-camel runtime; removed when it stops");
        }
    }

    /**
     * Stops the Azurite recorded in the pid file if it still runs and the runtime that started it is
     * gone; refuses when that runtime still runs (two runtimes on one data folder).
     */
    private static void stopLeftover(Path pidFile, Path dataDir) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) {
            return;
        }
        Properties record = new Properties();
        try (Reader in = Files.newBufferedReader(pidFile)) {
            record.load(in);
        }
        Optional<ProcessHandle> azurite = handle(record.getProperty("azurite.pid"))
                .filter(p -> p.isAlive() && isAzuriteServing(p, dataDir));
        if (azurite.isPresent()) {
            Optional<ProcessHandle> owner = handle(record.getProperty("runtime.pid"))
                    .filter(p -> p.isAlive() && p.pid() != ProcessHandle.current().pid()
                            && p.info().startInstant().map(Instant::toString).orElse("?").equals(record.getProperty("runtime.started")));
            if (owner.isPresent()) {
                throw new IOException("The Azurite dev service on " + dataDir + " belongs to another running runtime (pid "
                        + owner.get().pid() + "): give each runtime its own wati.data.dir");
            }
            LOG.info("Dev service: stopping Azurite (pid {}) left running by an earlier run on {}", azurite.get().pid(), dataDir);
            stop(azurite.get());
        }
        Files.delete(pidFile);
    }

    private static Optional<ProcessHandle> handle(String pid) {
        try {
            return pid == null ? Optional.empty() : ProcessHandle.of(Long.parseLong(pid.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Its command line is an azurite-blob keeping its data in {@code dataDir} (a reused pid is something else). */
    private static boolean isAzuriteServing(ProcessHandle process, Path dataDir) {
        List<String> arguments = process.info().arguments().map(List::of).orElse(List.of());
        int location = arguments.indexOf("--location");
        return arguments.stream().anyMatch(a -> a.endsWith(EXECUTABLE))
                && location >= 0 && location + 1 < arguments.size() && arguments.get(location + 1).equals(dataDir.toString());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Azurite may ignore SIGTERM for a while: ask, wait, then kill; its children too. */
    private static void stop(ProcessHandle process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            try {
                process.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException stillThere) {
                LOG.warn("Process {} did not stop", process.pid());
            }
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public void close() {
        try {
            stop(process.toHandle());
            LOG.info("Dev service: Azurite (pid {}) stopped", process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", pidFile, e.getMessage());
        }
    }
}
