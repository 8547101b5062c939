package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchInfo;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.metrics.EngineMetrics;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One partition's log: an ordered set of {@link Segment}s, the last one active.
 *
 * <h2>Offsets</h2>
 * Offsets are assigned at append, contiguously: a batch of n records gets
 * {@code [highWatermark, highWatermark + n)}. The log start offset is the first readable offset;
 * it moves up when retention deletes segments. {@link #highWatermark()} is the offset after the
 * last appended record (everything below it is readable).
 *
 * <h2>Concurrency</h2>
 * One writer at a time: {@link #append}, {@link #appendBatch}, roll, retention, index repair and
 * close run under the partition's lock, so appends from many threads are serialised; records are
 * encoded before the lock is taken, so encoding runs in parallel (in direct memory, with writers
 * from a bounded pool shared by every partition: {@link WriterPool}). Readers take no lock: they see
 * the segment map (a concurrent skip list), the high watermark and each segment's published size,
 * which only ever covers whole, indexed batches, so a reader sees a consistent prefix of the log.
 * A reader holds a reference on the segment it reads ({@link FetchResult} until closed), so
 * retention can delete a segment under it without closing its file.
 *
 * <h2>Thread interrupts</h2>
 * Threads that append or read may be interrupted ({@code Future.cancel(true)},
 * {@code shutdownNow()}): their calls complete (file I/O is uninterruptible, as with
 * {@link java.io.RandomAccessFile}) and return with the interrupt flag still set, and neither the
 * partition nor anything acknowledged suffers. A {@code FileChannel} closes itself when a thread
 * using it is interrupted; the I/O backend reopens a segment file whose channel an interrupt
 * closed and redoes the operation (every backend must, {@code IoBackendContract} checks it), the
 * engine's own file operations (index mappings at roll, checkpoints, directory syncs) do the same
 * through {@link io.rivven.core.io.Uninterruptible}, and fsyncs go through handles that no
 * interrupt can close. Limits: a thread interrupted in a tight loop may see its own call fail
 * after many reopens (an append then fails the partition, as any failed write does). Retention
 * renames an open segment file through its handle ({@link io.rivven.api.io.IoFile#renameTo}), so
 * a reader still using that deleted segment reads on, also through a reopened channel.
 *
 * <h2>Durability</h2>
 * See {@link LogFlusher}: {@code always} fsyncs before an append returns, {@code interval} completes
 * {@link AppendResult#durable()} at the next group commit, {@code os} leaves it to the page cache.
 * A failed write or fsync fails the partition: later appends throw
 * {@link PartitionFailedException}; reads go on. After a crash, what was acknowledged under
 * {@code always} (and what {@code durable()} completed under {@code interval}) is there.
 */
public final class PartitionLog implements AutoCloseable {

    /** The writers of {@link #append}: direct memory, bounded, shared by every partition. */
    static final WriterPool WRITERS = WriterPool.forThisMachine();
    private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());

    private final String topic;
    private final int partition;
    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final SegmentFactory factory;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final ReentrantLock lock = new ReentrantLock();
    private final LogFlusher flusher;
    private final RecordBatchInfo batchInfo;
    private final RecordBatch batchView = new RecordBatch();
    private final PartitionReader reader;
    private final ReadyBatchValidator validator;
    private final SegmentRollPolicy rollPolicy;
    private final List<io.micrometer.core.instrument.Meter> meters;

    private volatile long highWatermark;
    private volatile long logStartOffset;
    private volatile boolean closed;
    private volatile Runnable repairWanted = () -> { };
    private long checkpointedLogStart;       // under the lock

    /** The values the checkpoint files hold at open (-1 when missing): unchanged ones are not rewritten at close. */
    record Checkpointed(long recoveryPoint, long logStartOffset) {
    }

    PartitionLog(String topic, int partition, SegmentFactory factory, LogConfig config, CodecResolver codecs,
                 EngineMetrics metrics, LongSupplier clock, NavigableMap<Long, Segment> loaded,
                 long logStartOffset, long recoveryPoint, Checkpointed onDisk) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.dir = factory.dir();
        this.config = config;
        this.factory = factory;
        this.metrics = metrics;
        this.clock = clock;
        this.segments = new ConcurrentSkipListMap<>(loaded);
        this.batchInfo = new RecordBatchInfo(codecs, BufferAllocator.HEAP);
        Segment last = segments.lastEntry().getValue();
        this.highWatermark = last.nextOffset();
        this.logStartOffset = Math.min(Math.max(logStartOffset, segments.firstKey()), highWatermark);
        this.flusher = new LogFlusher(name, config, clock, metrics, dir.resolve(LogFiles.RECOVERY_POINT),
                Math.min(recoveryPoint, highWatermark), onDisk.recoveryPoint(), this::dirtySince);
        this.checkpointedLogStart = onDisk.logStartOffset();
        for (Segment s : segments.values()) {
            s.onIndexDamage(this::indexDamaged);
        }
        this.reader = new PartitionReader(name, this, segments, codecs, metrics);
        this.validator = new ReadyBatchValidator(name, config.maxBatchBytes(), codecs);
        this.rollPolicy = new SegmentRollPolicy(name, config);
        this.meters = metrics.partitionGauges(topic, partition, this, PartitionLog::segmentCount, PartitionLog::sizeInBytes);
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** The offset after the last appended record. */
    public long highWatermark() {
        return highWatermark;
    }

    /** The first readable offset. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** Offsets below this are durable on disk. */
    public long recoveryPoint() {
        return flusher.recoveryPoint();
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Bytes of all segments' logs. */
    public long sizeInBytes() {
        long n = 0;
        for (Segment s : segments.values()) {
            n += s.size();
        }
        return n;
    }

    /** Base offsets of the segments, oldest first. */
    public List<Long> segmentBaseOffsets() {
        return List.copyOf(segments.keySet());
    }

    /** The segments, oldest first (for tests). */
    List<Segment> segments() {
        return List.copyOf(segments.values());
    }

    // ================================================================= appends

    /**
     * Encodes {@code records} into one batch with the topic's codec and appends it.
     *
     * @throws IllegalArgumentException if {@code records} is empty, a record's timestamp is below -1
     *         (the message names its index in {@code records}) or the batch is too large; nothing
     *         of the call is appended
     * @throws PartitionFailedException if a write or fsync failed (now or earlier)
     * @throws StorageException if the partition is closed (its topic deleted, the engine closed)
     */
    public AppendResult append(List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException(name + ": nothing to append");
        }
        long start = System.nanoTime();
        int count = records.size();
        int size;
        long last;
        // Encoded in direct memory (the file write takes it without a copy); the writer goes back to the
        // pool once the batch is in the file, before an fsync under flush.mode=always.
        RecordBatchWriter w = WRITERS.acquire();
        try {
            w.reset(0, config.codec().id() == 0 ? null : config.codec());
            try {
                w.appendAll(records);
            } catch (IllegalArgumentException e) { // a record Kafka's producer refuses too (timestamp below -1)
                throw new IllegalArgumentException(name + ": " + e.getMessage() + "; nothing of this call was appended", e);
            }
            ByteBuffer batch = w.build();
            size = batch.remaining();
            if (size > config.maxBatchBytes()) {
                throw new IllegalArgumentException(name + ": batch of " + count + " records is " + size
                        + " bytes, above the limit of " + config.maxBatchBytes());
            }
            last = appendLocked(batch);
        } finally {
            WRITERS.release(w);
        }
        return appended(last - count + 1, last, size, count, start);
    }

    /**
     * Appends a ready batch (Kafka RecordBatch v2, any codec) without re-encoding it: its header
     * and CRC are validated, its codec must be loaded, the records of an uncompressed batch must
     * parse (compressed ones are not decompressed for this), and its offsets are assigned by
     * re-stamping the base offset (which the CRC does not cover). A batch of no records (recordCount
     * 0, which readers accept in a log, as Kafka's do) is refused, as Kafka's {@code LogValidator}
     * refuses it: it has no offsets to take. The buffer's remaining bytes must be exactly one batch; the buffer is
     * modified (base offset) and consumed.
     *
     * @throws CorruptRecordException if the batch fails validation (nothing is written)
     * @throws PartitionFailedException if a write or fsync failed (now or earlier)
     * @throws StorageException if the partition is closed (its topic deleted, the engine closed)
     */
    public AppendResult appendBatch(ByteBuffer batch) {
        long start = System.nanoTime();
        RecordBatch view = validator.validate(batch);
        int count = view.recordCount();
        int size = batch.remaining();
        long last = appendLocked(batch);
        return appended(last - count + 1, last, size, count, start);
    }

    /**
     * Under the lock: assigns the offsets of a validated batch with contiguous offset deltas, rolls
     * if needed and writes it to the active segment; then, outside the lock, finishes a roll.
     *
     * @return the batch's last offset (its base offset is the high watermark it found)
     */
    private long appendLocked(ByteBuffer batch) {
        int size = batch.remaining();
        long base = -1;
        long last = -1;
        Segment rolled = null;
        Throwable failed = null;
        lock.lock();
        try {
            ensureWritable();
            base = highWatermark;
            RecordBatch view = batchView.wrap(batch, batch.position());
            view.setBaseOffset(base);
            last = base + view.lastOffsetDelta();
            long now = clock.getAsLong();
            Segment active = segments.lastEntry().getValue();
            if (rollPolicy.shouldRoll(active, size, last, view.maxTimestamp(), now)) {
                Segment next = rollLocked(active);
                rolled = active;
                active = next;
            }
            long position = active.size();
            batchInfo.wrap(view, position);
            try {
                active.reserve(size, config.preallocateBytes(), config.segmentBytes());
                active.append(batch, batchInfo, last, view.maxTimestamp(), now);
            } catch (IOException e) {
                throw flusher.fail("append to " + active.logFile() + " at position " + position + " failed", e);
            }
            highWatermark = last + 1;
            flusher.appended(size);
        } catch (RuntimeException | Error e) {
            failed = e;
            throw e;
        } finally {
            lock.unlock();
            if (rolled != null) { // outside the lock: fsyncs of the closed segment and the checkpoint
                finishRoll(rolled, base, failed);
            }
        }
        return last;
    }

    /** The result of an append whose batch is written: waits for (or fsyncs under {@code always}) durability. */
    private AppendResult appended(long base, long last, int size, int records, long startNanos) {
        AppendResult result = new AppendResult(base, last, size, flusher.durable(last + 1));
        metrics.appended(records, size, System.nanoTime() - startNanos);
        return result;
    }

    /** {@link LogFlusher#rolled}, also when the append that rolled failed ({@code failed}: its failure is kept). */
    private void finishRoll(Segment rolled, long newBase, Throwable failed) {
        try {
            flusher.rolled(rolled, newBase);
        } catch (RuntimeException e) {
            if (failed == null) {
                throw e;
            }
            failed.addSuppressed(e);
        }
    }

    /** Makes every appended batch durable now. */
    public void flush() {
        flusher.flushUpTo(Long.MAX_VALUE);
    }

    /** Writes the recovery point checkpoint (after recovery). */
    void checkpointRecoveryPoint() {
        flusher.checkpoint();
    }

    /** Whether the interval policy wants a flush now (bytes or time). */
    public boolean flushDue(long nowMs) {
        return flusher.flushDue(nowMs);
    }

    /** Flushes if {@link #flushDue}; for the engine's scheduler. Failures fail the partition. */
    public void flushIfDue() {
        flusher.flushIfDue();
    }

    /** What to run when unflushed bytes pass {@code flush.intervalBytes} (the engine queues a flush). */
    void onFlushWanted(Runnable action) {
        flusher.onFlushWanted(action);
    }

    void flushScheduledDone() {
        flusher.flushQueueDone();
    }

    /** What to run when a segment's indexes are found damaged (the engine queues {@link #repairIndexes}). */
    void onRepairWanted(Runnable action) {
        this.repairWanted = action;
    }

    /** Whether this partition failed (a failed write or fsync); reopen the engine to recover it. */
    public boolean isFailed() {
        return flusher.failure() != null;
    }

    /** Whether this thread holds the partition's lock or its flush lock (where durable() callbacks may run). */
    boolean isLockedByCurrentThread() {
        return lock.isHeldByCurrentThread() || flusher.isLockedByCurrentThread();
    }

    private void ensureWritable() {
        if (closed) {
            throw new StorageException(name + ": partition is closed");
        }
        PartitionFailedException f = flusher.failure();
        if (f != null) {
            throw new PartitionFailedException(name + ": partition failed earlier and takes no writes until the engine is reopened: "
                    + f.getMessage(), f);
        }
    }

    /** For the flusher, under the lock: the high watermark and the retained segments from the one holding {@code from}. */
    private LogFlusher.Dirty dirtySince(long from) {
        lock.lock();
        try {
            Long k = segments.floorKey(from);
            List<Segment> dirty = new ArrayList<>();
            for (Segment s : segments.tailMap(k == null ? segments.firstKey() : k, true).values()) {
                if (s.retain()) {
                    dirty.add(s);
                }
            }
            return new LogFlusher.Dirty(highWatermark, dirty);
        } finally {
            lock.unlock();
        }
    }

    // ================================================================= roll

    /**
     * Seals the active segment and opens a new one at the high watermark. Under the lock; the
     * caller then calls {@link LogFlusher#rolled} outside it (fsyncs and the checkpoint).
     */
    private Segment rollLocked(Segment active) {
        long base = highWatermark;
        try {
            active.seal();
            Segment next = factory.create(base);
            next.onIndexDamage(this::indexDamaged);
            segments.put(base, next);
            return next;
        } catch (IOException | RuntimeException e) {
            throw flusher.fail("rolling to a new segment at offset " + base + " failed", e);
        }
    }

    /** Forces a roll now (used by tests and tools); a no-op when the active segment is empty. */
    public void roll() {
        Segment rolled = null;
        long base;
        lock.lock();
        try {
            ensureWritable();
            Segment active = segments.lastEntry().getValue();
            base = highWatermark;
            if (!active.isEmpty()) {
                rollLocked(active);
                rolled = active;
            }
        } finally {
            lock.unlock();
        }
        if (rolled != null) {
            finishRoll(rolled, base, null);
        }
    }

    // ================================================================= reads

    /**
     * Whole batches from the one holding {@code offset}, up to {@code maxBytes} (at least one batch,
     * even a larger one), from a single segment, exactly as stored (not decoded, not copied). Close
     * the result. The first batch may start below {@code offset} (a batch is never split).
     * Lock-free; see {@link PartitionReader}.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is below the log start offset or above the
     *         high watermark (retention may move the log start above an offset while it is read)
     * @throws StorageException if the partition is closed or the segment cannot be read
     */
    public FetchResult read(long offset, int maxBytes) {
        return reader.read(offset, maxBytes);
    }

    /**
     * The offset of the first record whose timestamp is {@code >= timestamp}, or empty if every
     * record is older. Finds the first segment whose largest timestamp reaches it, starts from its
     * time index's entry, and decodes at most the batches from there on.
     *
     * @throws StorageException if the partition is closed or a segment cannot be read
     */
    public OptionalLong offsetForTimestamp(long timestamp) {
        return reader.offsetForTimestamp(timestamp);
    }

    boolean isClosed() {
        return closed;
    }

    private Segment next(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.baseOffset());
        return e == null ? null : e.getValue();
    }

    // ================================================================= retention

    /**
     * Deletes closed segments past retention (time: the segment's newest timestamp older than
     * {@code retention.ms}; size: while the log exceeds {@code retention.bytes}), oldest first,
     * never the active segment. Moves the log start offset and checkpoints it before deleting.
     *
     * @return the number of segments deleted
     */
    public int applyRetention() {
        long now = clock.getAsLong();
        lock.lock();
        try {
            if (closed || isFailed()) {
                return 0;
            }
            List<Segment> doomed = new ArrayList<>();
            long total = sizeInBytes();
            Segment active = segments.lastEntry().getValue();
            for (Segment s : segments.values()) {
                if (s == active) {
                    break;
                }
                boolean bySize = config.retentionBytes() >= 0 && total - s.size() >= config.retentionBytes();
                boolean byTime = false;
                if (!bySize && config.retentionMs() >= 0) {
                    long maxTs = maxTimestampOf(s);
                    byTime = maxTs >= 0 && now - maxTs > config.retentionMs();
                }
                if (!byTime && !bySize) {
                    break;
                }
                doomed.add(s);
                total -= s.size();
            }
            if (doomed.isEmpty()) {
                return 0;
            }
            long newStart = Math.max(next(doomed.getLast()).baseOffset(), logStartOffset);
            try {
                Checkpoint.writeLong(dir.resolve(LogFiles.LOG_START_OFFSET), newStart);
                checkpointedLogStart = newStart;
            } catch (IOException e) {
                throw flusher.fail("writing the log start offset checkpoint failed", e);
            }
            logStartOffset = newStart;
            for (Segment s : doomed) {
                segments.remove(s.baseOffset());
                try {
                    s.delete();
                } catch (IOException e) {
                    throw new StorageException(name + ": deleting " + s.logFile() + " failed: " + e.getMessage()
                            + " (the files are removed at the next open)", e);
                }
            }
            return doomed.size();
        } finally {
            lock.unlock();
        }
    }

    private long maxTimestampOf(Segment s) {
        try {
            return s.maxTimestamp();
        } catch (IOException e) {
            throw new StorageException(name + ": reading the largest timestamp of " + s.logFile() + " failed: " + e.getMessage(), e);
        }
    }

    // ================================================================= index repair

    private void indexDamaged() {
        try {
            repairWanted.run();
        } catch (RejectedExecutionException e) {
            // the engine is closing; the next open checks the indexes again
        }
    }

    /**
     * Rebuilds the indexes of every closed segment found damaged ({@link Segment#indexesDamaged()})
     * and replaces the segment by one over the new files; readers of the old one finish on the old
     * mappings. The engine calls it in the background when a segment reports damage. The old
     * segment's log is fsynced first (a segment rolled a moment ago may not be durable yet, and
     * its replacement is never synced by a flush); a failed fsync fails the partition.
     *
     * @return the number of segments repaired
     * @throws PartitionFailedException if that fsync failed
     */
    int repairIndexes() {
        lock.lock();
        try {
            int repaired = 0;
            for (Segment s : segments.values()) {
                if (closed || !s.isSealed() || !s.indexesDamaged()) {
                    continue;
                }
                try {
                    // the replacement does not open the log, so no flush syncs it again: a segment
                    // whose roll is not flushed yet must be durable before it goes
                    s.syncLog();
                } catch (IOException e) {
                    throw flusher.fail("fsync of " + s.logFile() + " before rebuilding its indexes failed", e);
                }
                try {
                    Segment fresh = factory.rebuildIndexes(s);
                    fresh.onIndexDamage(this::indexDamaged);
                    if (segments.replace(s.baseOffset(), s, fresh)) {
                        s.releaseOwn();
                        repaired++;
                        LOG.log(System.Logger.Level.INFO, "{0}: rebuilt the indexes of {1}", name, s.logFile());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: rebuilding the indexes of {1} failed (reads go on scanning the log): {2}",
                            name, s.logFile(), e.toString());
                }
            }
            return repaired;
        } finally {
            lock.unlock();
        }
    }

    // ================================================================= lifecycle

    /**
     * Flushes, seals the active segment's indexes, checkpoints the recovery point and log start
     * offset, closes every segment (a segment a reader still holds is closed when the reader
     * releases it) and, if nothing failed, writes the clean-shutdown marker so that the next open
     * skips recovery. Appends waiting for a group commit that did not come complete exceptionally.
     * Idempotent.
     */
    @Override
    public void close() throws IOException {
        flusher.exclusively(() -> {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                IOException first = null;
                Segment active = segments.lastEntry().getValue();
                if (flusher.failure() == null) {
                    try {
                        active.seal();
                        flusher.flushForClose();
                        active.flushIndexes();
                        if (checkpointedLogStart != logStartOffset) {
                            Checkpoint.writeLong(dir.resolve(LogFiles.LOG_START_OFFSET), logStartOffset);
                        }
                    } catch (IOException | RuntimeException e) {
                        first = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    }
                }
                if (!active.isSealed()) {
                    // failed, or the seal itself failed: the log stays as it is for recovery (which
                    // rebuilds the active segment's indexes), but the indexes are sealed now, while
                    // their paths are this partition's (see Segment.sealIndexes)
                    try {
                        active.sealIndexes();
                    } catch (IOException | RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "{0}: sealing the active segment''s indexes at close failed: {1}",
                                name, e.toString());
                    }
                }
                closed = true;
                flusher.close();
                for (Segment s : segments.values()) {
                    s.detach();
                    s.releaseOwn();
                }
                metrics.remove(meters);
                if (flusher.failure() == null && first == null) {
                    Checkpoint.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), Long.toString(highWatermark));
                }
                if (first != null) {
                    throw first;
                }
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public String toString() {
        return name + " [" + logStartOffset + ", " + highWatermark + ") " + segments.size() + " segments";
    }
}
