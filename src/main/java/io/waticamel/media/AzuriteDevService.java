package io.waticamel.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azurite, the Azure Storage emulator (npm {@code azurite}), as a development service: used when
 * no {@code wati.azure.connection-string} is set, the way Quarkus Dev Services start what a local
 * run needs. Installed from npm on first use, data kept under the data folder, stopped with the
 * runtime. Production sets a connection string and never starts it. The test suite uses it too.
 */
public final class AzuriteDevService implements AutoCloseable {

    public static final String VERSION = "3.37.0";
    /** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
    public static final String ACCOUNT = "devstoreaccount1";
    private static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Logger LOG = LoggerFactory.getLogger(AzuriteDevService.class);

    private final Process process;
    private final int port;

    private AzuriteDevService(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Installs Azurite into {@code installDir} when missing and starts its blob service on
     * 127.0.0.1:{@code port}, storing blobs in {@code dataDir}; returns once it accepts connections.
     */
    public static AzuriteDevService start(Path installDir, Path dataDir, int port) throws IOException, InterruptedException {
        Path executable = install(installDir);
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(port), "--location", dataDir.toString(), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("azurite.log").toFile()).start();
        AzuriteDevService service = new AzuriteDevService(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!service.accepts()) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited at start, see " + dataDir.resolve("azurite.log"));
            }
            if (System.nanoTime() > deadline) {
                service.close();
                throw new IOException("Azurite did not start within 60 s, see " + dataDir.resolve("azurite.log"));
            }
            Thread.sleep(50);
        }
        LOG.info("Dev service: Azurite {} blob storage on 127.0.0.1:{} (data in {}); set wati.azure.connection-string to use Azure",
                VERSION, port, dataDir.toAbsolutePath());
        return service;
    }

    /** {@code npm install --prefix installDir azurite@3.37.0}, once. */
    public static synchronized Path install(Path installDir) throws IOException, InterruptedException {
        Path executable = installDir.resolve("node_modules/.bin/azurite-blob");
        if (Files.isExecutable(executable)) {
            return executable;
        }
        Files.createDirectories(installDir);
        LOG.info("Installing Azurite {} from npm into {} (first use only)", VERSION, installDir.toAbsolutePath());
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", installDir.toString(),
                "azurite@" + VERSION).redirectErrorStream(true).redirectOutput(installDir.resolve("npm-install.log").toFile()).start();
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IOException("npm install azurite@" + VERSION + " failed, see " + installDir.resolve("npm-install.log"));
        }
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

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Azurite may ignore SIGTERM for a while: ask, wait, then kill. */
    @Override
    public void close() {
        var children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
