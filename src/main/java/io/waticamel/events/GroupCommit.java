package io.waticamel.events;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit: callers hand in work and wait; one thread takes everything that has queued (up to
 * a group's size) and writes it in one transaction. A commit is what a write costs (on H2 each is
 * written to the file at once, on PostgreSQL fsynced), so many callers at once share one.
 *
 * @param <T> one caller's work
 * @param <R> its result
 */
final class GroupCommit<T, R> implements AutoCloseable {

    /** Writes a group, completing each item's result (or failing it). */
    interface Writer<T, R> {
        void write(List<Item<T, R>> group);
    }

    /** One caller's work and the result it waits for. */
    record Item<T, R>(T work, CompletableFuture<R> result) {
    }

    private static final int CAPACITY = 10_000;
    private final BlockingQueue<Item<T, R>> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final int maxGroup;
    private final Writer<T, R> writer;
    private final Thread thread;

    GroupCommit(String name, int maxGroup, Writer<T, R> writer) {
        this.maxGroup = maxGroup;
        this.writer = writer;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Queues the work and waits until its group is committed (at most 30 s). */
    R submit(T work) throws SQLException, InterruptedException {
        Item<T, R> item = new Item<>(work, new CompletableFuture<>());
        if (!queue.offer(item, 5, TimeUnit.SECONDS)) {
            throw new SQLException("The database is not keeping up: " + CAPACITY + " writes waiting");
        }
        try {
            return item.result().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getCause());
        } catch (TimeoutException e) {
            throw new SQLException("Not written within 30 s", e);
        }
    }

    private void run() {
        List<Item<T, R>> group = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                group.clear();
                group.add(queue.take());
                queue.drainTo(group, maxGroup - 1);
                writer.write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                // the writer outlives any one group's failure: those callers get it, the next group is written
                group.forEach(item -> item.result().completeExceptionally(e));
            }
        }
        SQLException stopped = new SQLException("The runtime is stopping: not written");
        group.forEach(item -> item.result().completeExceptionally(stopped));
        for (Item<T, R> item; (item = queue.poll()) != null;) {
            item.result().completeExceptionally(stopped);
        }
    }

    /** Stops the thread (with Camel): what is still queued fails its caller's wait. */
    @Override
    public void close() {
        thread.interrupt();
    }
}
