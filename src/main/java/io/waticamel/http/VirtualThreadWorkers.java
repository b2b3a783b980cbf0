package io.waticamel.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

import io.vertx.core.spi.ExecutorServiceFactory;

/**
 * Vert.x's worker pool as virtual threads (a Vert.x SPI, found by the ServiceLoader): platform-http
 * runs each API call's route on a worker and holds it until the exchange ends, including a WATI
 * retry's backoff and the account's throttle turn. A virtual thread waits for free, so 256 actions
 * against a slow WATI need no pool sized for them.
 */
public class VirtualThreadWorkers implements ExecutorServiceFactory {

    @Override
    public ExecutorService createExecutor(ThreadFactory threadFactory, Integer concurrency, Integer maxConcurrency) {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("vertx-virtual-worker-", 0).factory());
    }
}
