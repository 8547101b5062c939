package io.rivven.core.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * How a {@link StorageEngine} stops: the close protocol (once; a concurrent second close waits
 * for the first; a close from inside the engine is handed to a thread of its own), which threads
 * count as inside the engine, and closing partitions in parallel without giving up half way.
 * What is released, and in which order, is the engine's ({@link Release}).
 *
 * <p>Why "inside the engine" matters: {@link AppendResult#durable()} callbacks run where the engine
 * completes those futures (its scheduler after a group commit, a thread closing partitions, an
 * append whose write failed, holding that partition's locks). A close or a topic deletion there
 * would wait for the very thread it runs in.
 *
 * <p>Thread safety: {@link #close} is called by any number of threads, each with the answer to
 * "was the engine already closed" taken under the engine's topic lock, so exactly one call runs
 * the release. The static methods are thread-safe.
 *
 * <p>Interrupts: nothing here gives up on an interrupt (a close half done helps nobody); the
 * caller's interrupt flag is set again when its call returns.
 *
 * <p>Messages are logged under {@link StorageEngine}'s logger, as before this class existed.
 */
final class EngineShutdown {

    private static final System.Logger LOG = System.getLogger(StorageEngine.class.getName());

    /**
     * Set in the engine's own threads (its scheduler, the threads that close partitions), where
     * callbacks of the durable() futures they complete run: a close() called there must not wait
     * for a close that waits for that thread.
     */
    private static final ThreadLocal<Boolean> ENGINE_THREAD = new ThreadLocal<>();

    /** Completed when the first {@link #close} is done (a concurrent second one waits for it). */
    private final CompletableFuture<Void> closeDone = new CompletableFuture<>();

    /** What the first close releases, in the engine's order. */
    interface Release {
        void run() throws IOException;
    }

    /** Daemon threads named {@code name} that count as inside the engine (for its scheduler). */
    static ThreadFactory engineThreads(String name) {
        return r -> {
            Thread t = new Thread(() -> {
                ENGINE_THREAD.set(Boolean.TRUE);
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Whether this thread is inside the engine: one of its own threads, or one holding the lock or
     * the flush lock of a partition of {@code topics} (where durable() callbacks run), which a
     * close or a deletion would wait for.
     */
    static boolean insideEngine(Collection<StorageEngine.Topic> topics) {
        if (ENGINE_THREAD.get() != null) {
            return true;
        }
        for (StorageEngine.Topic t : topics) {
            for (PartitionLog p : t.partitions()) {
                if (p.isLockedByCurrentThread()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Runs {@code release} once, as {@link StorageEngine#close()} documents: a second call
     * ({@code second}) returns when the first is done (at once when {@code inside}), without its
     * exception; a first call from {@code inside} the engine returns at once and releases in a
     * {@code rivven-close} thread, which logs a failure; any other first call releases in the
     * caller's thread, uninterruptibly, and throws what {@code release} throws.
     */
    void close(boolean second, boolean inside, Release release) throws IOException {
        if (second) {
            if (!inside) { // never inside the engine: the close may be waiting for this thread
                closeDone.join(); // uninterruptible, as the close it waits for
            }
            return;
        }
        if (inside) {
            Thread.ofPlatform().name("rivven-close").start(() -> {
                try {
                    release.run();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing the engine (asked from a durable() callback) failed: " + e, e);
                } finally {
                    closeDone.complete(null);
                }
            });
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            release.run();
        } finally {
            closeDone.complete(null);
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For an engine abandoned without a close (crash tests): a close called later returns at once. */
    void abandoned() {
        closeDone.complete(null);
    }

    /**
     * Waits up to 30 s for the engine's scheduler, shut down by the caller, to finish its running
     * task (a flush or a retention pass), then logs and goes on. Not interruptible; an interrupt
     * is kept for the caller.
     */
    static void awaitBackgroundWork(ExecutorService scheduler) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean interrupted = false;
        for (;;) {
            try {
                if (!scheduler.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "background flush or retention still running after 30 s; closing partitions anyway");
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting; the flag is set again below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Cancels the background tasks of {@code topics} (a running one finishes) and closes all their
     * partitions in parallel, {@code parallelism} at a time (each close is a few fsyncs); throws
     * the first failure after trying all. Not interruptible; the caller's interrupt flag is kept.
     */
    static void closeTopics(Collection<StorageEngine.Topic> topics, int parallelism) throws IOException {
        List<PartitionLog> all = new ArrayList<>();
        for (StorageEngine.Topic t : topics) {
            t.tasks().forEach(f -> f.cancel(false));
            all.addAll(t.partitions());
        }
        closeAll(all, parallelism);
    }

    private static void closeAll(List<PartitionLog> partitions, int parallelism) throws IOException {
        Semaphore slots = new Semaphore(parallelism);
        IOException first = null;
        // Waits uninterruptibly (a close half done helps nobody); an interrupt is kept for the caller.
        boolean interrupted = Thread.interrupted();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (PartitionLog p : partitions) {
                fs.add(pool.submit(() -> {
                    slots.acquire();
                    ENGINE_THREAD.set(Boolean.TRUE);
                    try {
                        p.close();
                    } finally {
                        ENGINE_THREAD.remove();
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                for (;;) {
                    try {
                        f.get();
                        break;
                    } catch (ExecutionException e) {
                        IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause().toString(), e.getCause());
                        first = first == null ? io : first;
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
