package io.rivven.core.log;

import io.rivven.core.config.FlushMode;
import io.rivven.core.metrics.EngineMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The durability of one partition: fsyncs, the recovery point, group commit and failure.
 *
 * <h2>Modes</h2>
 * <ul>
 *   <li>{@code always}: {@link #durable} fsyncs before it returns. Concurrent appenders share
 *       fsyncs: they queue on the flush lock, and one fsync covers everything appended before it
 *       started, so most of them find their offset durable when they get the lock.</li>
 *   <li>{@code interval}: {@link #durable} returns a future that the next group commit completes
 *       (every {@code flush.intervalMs}, run by the engine's scheduler through {@link #flushIfDue},
 *       or as soon as {@code flush.intervalBytes} are unflushed). One fsync releases every waiter
 *       it covers.</li>
 *   <li>{@code os}: nothing is fsynced but at segment roll and close.</li>
 * </ul>
 *
 * <h2>What is fsynced</h2>
 * A flush syncs the {@code .log} of every segment that may hold unflushed data (from the one
 * holding the recovery point on), and the index files of the closed ones among them. The active
 * segment's indexes are only flushed at roll and close: after an unclean shutdown the active
 * segment is always validated and its indexes rebuilt, so their durability buys nothing. The
 * recovery point (offsets below it are durable) only grows; it is checkpointed
 * ({@code recovery-point.checkpoint}) after a roll, after recovery and at close, so a crash
 * rescans at most the segments since the last roll.
 *
 * <h2>Failure</h2>
 * A failed fsync fails the partition for good (the kernel may have dropped the dirty pages, so a
 * retry could hide lost data). So does an fsync that ends in an unchecked exception or an
 * {@link Error}: its outcome is as unknown, and it must not end the engine's scheduled commits
 * with the waiters still waiting. {@link #failure()} is set, every waiting future completes with
 * {@link PartitionFailedException}, and every later append and flush throws it. Reopening the
 * engine recovers the partition from what is on disk.
 *
 * <p>Thread safety: all methods are thread-safe. Lock order: the flush lock, then the partition's
 * lock (taken by {@link Target#dirtySince}).
 */
final class LogFlusher {

    /** The partition as the flusher sees it. */
    interface Target {
        /**
         * Under the partition's lock: the high watermark and the segments that may hold offsets at
         * or above {@code from}, each {@linkplain Segment#retain() retained} (the flusher releases them).
         */
        Dirty dirtySince(long from);
    }

    /** Segments to sync, and the offset everything in them reaches. */
    record Dirty(long endOffset, List<Segment> segments) {
    }

    private final String name;
    private final FlushMode mode;
    private final long intervalMs;
    private final long intervalBytes;
    private final LongSupplier clock;
    private final EngineMetrics metrics;
    private final Path checkpointFile;
    private final Target target;
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();
    private final AtomicLong unflushedBytes = new AtomicLong();
    private final AtomicBoolean flushQueued = new AtomicBoolean();

    private volatile long recoveryPoint;
    private long checkpointed = -1;          // under the flush lock
    private volatile long lastFlushMs;
    private volatile PartitionFailedException failure;
    private volatile boolean closed;
    private volatile Runnable flushWanted = () -> { };

    /**
     * @param recoveryPoint the recovery point at open
     * @param checkpointed  the value the checkpoint file holds (-1 when missing or damaged): it is
     *                      not rewritten while the recovery point stays there
     */
    LogFlusher(String name, LogConfig config, LongSupplier clock, EngineMetrics metrics, Path checkpointFile,
               long recoveryPoint, long checkpointed, Target target) {
        this.name = name;
        this.mode = config.flushMode();
        this.intervalMs = config.flushIntervalMs();
        this.intervalBytes = config.flushIntervalBytes();
        this.clock = clock;
        this.metrics = metrics;
        this.checkpointFile = checkpointFile;
        this.target = target;
        this.recoveryPoint = recoveryPoint;
        this.checkpointed = checkpointed;
        this.lastFlushMs = clock.getAsLong();
    }

    /** Offsets below this are durable. Never decreases. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    /** The failure that stopped the partition, or null. */
    PartitionFailedException failure() {
        return failure;
    }

    /**
     * What to run when unflushed bytes pass {@code flush.intervalBytes} (the engine queues a
     * {@link #flushIfDue} on its scheduler and calls {@link #flushQueueDone} when it runs).
     */
    void onFlushWanted(Runnable action) {
        this.flushWanted = action;
    }

    void flushQueueDone() {
        flushQueued.set(false);
    }

    /** Counts an appended batch. Called by the writer. */
    void appended(int bytes) {
        long unflushed = unflushedBytes.addAndGet(bytes);
        if (mode == FlushMode.INTERVAL && unflushed >= intervalBytes && flushQueued.compareAndSet(false, true)) {
            try {
                flushWanted.run();
            } catch (RejectedExecutionException e) {
                flushQueued.set(false); // the engine is closing: its close flushes everything
            }
        }
    }

    /**
     * After an append returned offsets below {@code endOffset}: a future completed when they are
     * durable (see the class comment for each mode). Under {@code always} this fsyncs first and
     * throws {@link PartitionFailedException} if that fails.
     */
    CompletableFuture<Void> durable(long endOffset) {
        switch (mode) {
            case ALWAYS -> {
                flushUpTo(endOffset);
                return CompletableFuture.completedFuture(null);
            }
            case OS -> {
                return CompletableFuture.completedFuture(null);
            }
            default -> {
                if (recoveryPoint >= endOffset) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> f = waiters.computeIfAbsent(endOffset, k -> new CompletableFuture<>());
                // A flush, a failure or a close may have run between the append and the registration:
                // each of them publishes its state before it releases waiters, so this sees it.
                if (recoveryPoint >= endOffset || failure != null || closed) {
                    settleWaiters();
                }
                return f;
            }
        }
    }

    /** Whether the interval policy wants a flush at {@code nowMs} (bytes or time). */
    boolean flushDue(long nowMs) {
        long unflushed = unflushedBytes.get();
        return unflushed > 0 && (unflushed >= intervalBytes || nowMs - lastFlushMs >= intervalMs);
    }

    /** Flushes if {@link #flushDue}; for the engine's scheduler. A failure fails the partition. */
    void flushIfDue() {
        if (!closed && failure == null && flushDue(clock.getAsLong())) {
            flushUpTo(Long.MAX_VALUE);
        }
    }

    /**
     * fsyncs until {@code offset} is durable ({@code Long.MAX_VALUE}: everything appended so far).
     *
     * @throws PartitionFailedException if the partition failed (now or earlier)
     * @throws StorageException if the partition was closed before {@code offset} was durable
     */
    void flushUpTo(long offset) {
        if (recoveryPoint >= offset) {
            return;
        }
        flushLock.lock();
        try {
            if (recoveryPoint >= offset) {
                return;
            }
            ensureUsable();
            flushLocked();
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * After a roll: makes the sealed segment complete on disk (log and trimmed indexes), everything
     * before the new segment durable, and checkpoints the recovery point. Nothing to do when the
     * partition closed meanwhile without failing: its close flushed everything appended, so the
     * append that rolled stands (it must not fail as if it had been refused).
     */
    void rolled(Segment sealed, long newBase) {
        flushLock.lock();
        try {
            if (closed && failure == null && recoveryPoint >= newBase) {
                return;
            }
            ensureUsable();
            if (sealed.retain()) {
                try {
                    sealed.syncLog();
                    sealed.flushIndexes();
                } catch (IOException | RuntimeException | Error e) { // any failure: the outcome is unknown
                    throw fail("fsync of " + sealed.logFile() + " or its indexes failed at roll", e);
                } finally {
                    sealed.release();
                }
            }
            if (recoveryPoint < newBase) {
                flushLocked();
            }
            checkpointLocked();
        } finally {
            flushLock.unlock();
        }
    }

    /** Writes the recovery point checkpoint if it moved. */
    void checkpoint() {
        flushLock.lock();
        try {
            ensureUsable();
            checkpointLocked();
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Runs {@code action} holding the flush lock, so that no flush runs concurrently (the
     * partition's close).
     */
    <E extends Exception> void exclusively(ThrowingRunnable<E> action) throws E {
        flushLock.lock();
        try {
            action.run();
        } finally {
            flushLock.unlock();
        }
    }

    /** Whether this thread holds the flush lock (the waiters' callbacks run there). */
    boolean isLockedByCurrentThread() {
        return flushLock.isHeldByCurrentThread();
    }

    /** A runnable that may throw. */
    interface ThrowingRunnable<E extends Exception> {
        void run() throws E;
    }

    /**
     * For the partition's close, under {@link #exclusively}: flushes everything, checkpoints, and
     * completes the waiters it covers.
     */
    void flushForClose() throws IOException {
        if (failure != null) {
            return;
        }
        try {
            flushLocked();
            checkpointLocked();
        } catch (PartitionFailedException e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    /** Marks the flusher closed and fails the waiters no flush covered. */
    void close() {
        closed = true;
        settleWaiters();
    }

    /** Fails the partition: every waiter and every later write gets the returned exception. */
    PartitionFailedException fail(String what, Throwable cause) {
        PartitionFailedException e = new PartitionFailedException(name + ": " + what + ": " + cause.getMessage()
                + "; the partition takes no more writes until the engine is reopened", cause);
        synchronized (this) {
            if (failure == null) {
                failure = e;
            }
        }
        settleWaiters();
        return failure;
    }

    /**
     * Completes the waiters the recovery point covers; if the partition failed or closed, fails
     * the others (nothing will flush them any more).
     */
    private void settleWaiters() {
        completeWaiters(recoveryPoint);
        PartitionFailedException f = failure;
        if (f != null) {
            failWaiters(f);
        } else if (closed) {
            failWaiters(new StorageException(name + ": partition closed before the append was flushed"));
        }
    }

    private void ensureUsable() {
        PartitionFailedException f = failure;
        if (f != null) {
            throw new PartitionFailedException(name + ": partition failed earlier and takes no writes until the engine is"
                    + " reopened: " + f.getMessage(), f);
        }
        if (closed) {
            throw new StorageException(name + ": partition is closed");
        }
    }

    /** One flush of everything appended so far. Under the flush lock. */
    private void flushLocked() {
        long counted = unflushedBytes.get();
        long started = clock.getAsLong();
        Dirty dirty = target.dirtySince(recoveryPoint);
        long start = System.nanoTime();
        try {
            for (Segment s : dirty.segments()) {
                try {
                    s.syncLog();
                    if (s.isSealed()) {
                        s.flushIndexes();
                    }
                } catch (IOException | RuntimeException | Error e) { // any failure: the outcome is unknown
                    throw fail("fsync of " + s.logFile() + " failed (written pages may be lost)", e);
                }
            }
        } finally {
            dirty.segments().forEach(Segment::release);
        }
        metrics.fsynced(System.nanoTime() - start);
        if (dirty.endOffset() > recoveryPoint) {
            recoveryPoint = dirty.endOffset();
        }
        unflushedBytes.addAndGet(-counted);
        lastFlushMs = started;
        completeWaiters(recoveryPoint);
    }

    private void checkpointLocked() {
        long rp = recoveryPoint;
        if (rp == checkpointed) {
            return;
        }
        try {
            Checkpoint.writeLong(checkpointFile, rp);
            checkpointed = rp;
        } catch (IOException e) {
            throw fail("writing the recovery point checkpoint " + checkpointFile + " failed", e);
        }
    }

    private void completeWaiters(long durableOffset) {
        Map<Long, CompletableFuture<Void>> done = waiters.headMap(durableOffset, true);
        for (var it = done.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            it.remove();
            e.getValue().complete(null);
        }
    }

    private void failWaiters(Throwable t) {
        for (var it = waiters.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            it.remove();
            e.getValue().completeExceptionally(t);
        }
    }
}
