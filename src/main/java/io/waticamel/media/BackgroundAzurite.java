package io.waticamel.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.waticamel.action.ActionFailedException;
import io.waticamel.action.ActionOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Azurite dev service, installed and started on a background thread, so neither start-up nor
 * an action waits for npm. A get_media that comes before it is ready waits for it, up to
 * {@code readyWait}; after a failure (or if Azurite exits) the next one starts it again, still in
 * the background.
 */
final class BackgroundAzurite implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundAzurite.class);

    private final Path installDir;
    private final Path dataDir;
    private final int port;
    private final Duration readyWait;
    private CompletableFuture<AzuriteDevService> service;
    private Thread preparing;
    private boolean closed;

    BackgroundAzurite(Path installDir, Path dataDir, int port, Duration readyWait) {
        this.installDir = installDir;
        this.dataDir = dataDir;
        this.port = port;
        this.readyWait = readyWait;
    }

    /** Starts preparing Azurite unless it runs or is being prepared. */
    synchronized void start() {
        if (closed || (service != null && !failedOrExited(service))) {
            return;
        }
        if (service != null && !service.isCompletedExceptionally()) {
            LOG.warn("Dev service: Azurite has exited; starting it again");
        }
        CompletableFuture<AzuriteDevService> next = new CompletableFuture<>();
        service = next;
        preparing = Thread.ofVirtual().name("azurite-dev-service").start(() -> prepare(next));
    }

    /** Waits until Azurite runs, up to the ready wait; starting it again first if it failed or exited. */
    void awaitReady() throws InterruptedException {
        CompletableFuture<AzuriteDevService> current;
        synchronized (this) {
            start();
            current = service;
        }
        if (current == null) {
            throw new ActionFailedException("Media storage is not available: the runtime is stopping", null, ActionOutcome.STORAGE_FAILED);
        }
        try {
            current.get(readyWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ActionFailedException("Media storage is not ready: the Azurite dev service is still being installed or started "
                    + "(see the log); try again shortly", null, ActionOutcome.STORAGE_FAILED);
        } catch (ExecutionException e) {
            throw new ActionFailedException("Media storage is not available: " + e.getCause().getMessage(), null,
                    ActionOutcome.STORAGE_FAILED);
        }
    }

    private void prepare(CompletableFuture<AzuriteDevService> result) {
        try {
            AzuriteDevService started = AzuriteDevService.start(installDir, dataDir, port);
            synchronized (this) {
                if (closed) {
                    started.close();
                    return;
                }
                result.complete(started);
            }
        } catch (InterruptedException e) {
            result.completeExceptionally(e);
        } catch (Exception e) {
            LOG.error("Dev service: Azurite could not be started: {}", e.getMessage());
            result.completeExceptionally(e);
        }
    }

    private static boolean failedOrExited(CompletableFuture<AzuriteDevService> service) {
        return service.isCompletedExceptionally() || (service.isDone() && !service.join().isAlive());
    }

    /** Stops Azurite, or the install or start under way (waiting for it, so no process outlives the runtime). */
    @Override
    public void close() {
        CompletableFuture<AzuriteDevService> current;
        Thread thread;
        synchronized (this) {
            closed = true;
            current = service;
            thread = preparing;
        }
        if (thread != null && thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            current.join().close();
        }
    }
}
