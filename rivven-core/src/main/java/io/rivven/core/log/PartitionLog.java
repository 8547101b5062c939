package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import io.rivven.api.index.TimestampOffset;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.config.FlushMode;
import io.rivven.core.format.v2.RecordBatchInfo;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.index.LazyIndex;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * One writer at a time: {@link #append}, {@link #appendBatch}, roll, truncation and retention run
 * under the partition's lock, so appends from many threads are serialised; records are encoded
 * before the lock is taken, so encoding runs in parallel. Readers take no lock: they see the
 * segment map (a concurrent skip list) and each segment's published size, which only ever covers
 * whole, indexed batches. A reader's view is a consistent prefix of the log.
 *
 * <h2>Durability</h2>
 * {@code always}: each append fsyncs before it returns (concurrent appenders share fsyncs: group
 * commit with no wait). {@code interval}: a scheduler calls {@link #flushIfDue} and appends that
 * wait on {@link AppendResult#durable()} are released together by one fsync. {@code os}: no fsync
 * but at roll and close. A failed fsync fails the partition: every later append throws
 * {@link PartitionFailedException}, and waiting appends complete exceptionally.
 * The recovery point (offsets below it are durable) is checkpointed at roll and at close.
 */
public final class PartitionLog implements AutoCloseable {

    private static final ThreadLocal<RecordBatchWriter> WRITERS = ThreadLocal.withInitial(RecordBatchWriter::new);

    private final String topic;
    private final int partition;
    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final IoBackend io;
    private final CodecResolver codecs;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final RecordBatchInfo batchInfo;
    private final RecordBatch batchView = new RecordBatch();
    private final List<io.micrometer.core.instrument.Meter> meters;

    private volatile long highWatermark;
    private volatile long logStartOffset;
    private volatile long recoveryPoint;     // offsets below are durable
    private volatile long unflushedBytes;
    private volatile long lastFlushMs;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile Runnable flushWanted = () -> { };

    PartitionLog(String topic, int partition, Path dir, LogConfig config, IoBackend io, CodecResolver codecs,
                 EngineMetrics metrics, LongSupplier clock, NavigableMap<Long, Segment> loaded,
                 long logStartOffset, long recoveryPoint) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.dir = dir;
        this.config = config;
        this.io = io;
        this.codecs = codecs;
        this.metrics = metrics;
        this.clock = clock;
        this.segments = new ConcurrentSkipListMap<>(loaded);
        this.batchInfo = new RecordBatchInfo(codecs, BufferAllocator.HEAP);
        Segment last = segments.lastEntry().getValue();
        this.highWatermark = last.nextOffset();
        this.logStartOffset = Math.max(logStartOffset, segments.firstKey());
        this.recoveryPoint = Math.min(recoveryPoint, highWatermark);
        this.lastFlushMs = clock.getAsLong();
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
        return recoveryPoint;
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

    // ================================================================= appends

    /**
     * Encodes {@code records} into one batch with the topic's codec and appends it.
     *
     * @throws IllegalArgumentException if {@code records} is empty
     * @throws PartitionFailedException if an earlier fsync failed
     */
    public AppendResult append(List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException(name + ": nothing to append");
        }
        long start = System.nanoTime();
        RecordBatchWriter w = WRITERS.get();
        w.reset(0, config.codec().id() == 0 ? null : config.codec());
        w.appendAll(records);
        ByteBuffer batch = w.build();
        if (batch.remaining() > config.maxBatchBytes()) {
            throw new IllegalArgumentException(name + ": batch of " + records.size() + " records is " + batch.remaining()
                    + " bytes, above the limit of " + config.maxBatchBytes());
        }
        return appendValidated(batch, records.size(), start);
    }

    /**
     * Appends a ready batch (Kafka RecordBatch v2, any codec) without re-encoding it: its header
     * and CRC are validated, its offsets are assigned by re-stamping the base offset (which the CRC
     * does not cover). The buffer's remaining bytes must be exactly one batch; the buffer is
     * modified (base offset) and consumed.
     *
     * @throws CorruptRecordException if the batch fails validation (nothing is written)
     */
    public AppendResult appendBatch(ByteBuffer batch) {
        long start = System.nanoTime();
        RecordBatch view = new RecordBatch().wrap(batch, batch.position());
        view.ensureValid(config.maxBatchBytes());
        if (view.sizeInBytes() != batch.remaining()) {
            throw new CorruptRecordException(0, "batchLength", name + ": buffer holds " + batch.remaining() + " bytes but the batch at its start is "
                    + view.sizeInBytes() + " bytes; append one batch per call");
        }
        if (view.recordCount() != view.lastOffsetDelta() + 1) {
            throw new CorruptRecordException(0, "lastOffsetDelta", name + ": batch has " + view.recordCount() + " records but last offset delta "
                    + view.lastOffsetDelta() + "; a producer batch has contiguous offset deltas 0..n-1");
        }
        return appendValidated(batch, view.recordCount(), start);
    }

    private AppendResult appendValidated(ByteBuffer batch, int records, long startNanos) {
        int size = batch.remaining();
        long base;
        long last;
        lock.lock();
        try {
            ensureWritable();
            base = highWatermark;
            RecordBatch view = batchView.wrap(batch, batch.position());
            view.setBaseOffset(base);
            last = base + view.lastOffsetDelta();
            long maxTs = view.maxTimestamp();
            Segment active = maybeRoll(size, last);
            long position = active.size();
            batchInfo.wrap(view, position);
            try {
                active.append(batch, batchInfo, last, maxTs);
            } catch (IOException e) {
                throw fail("append to " + active.logFile() + " at position " + position + " failed", e);
            }
            highWatermark = last + 1;
            unflushedBytes += size;
        } finally {
            lock.unlock();
        }
        if (wantsImmediateFlush()) {
            flushWanted.run();
        }
        CompletableFuture<Void> durable = afterAppend(last + 1);
        metrics.appended(records, size, System.nanoTime() - startNanos);
        return new AppendResult(base, last, size, durable);
    }

    private CompletableFuture<Void> afterAppend(long endOffset) {
        switch (config.flushMode()) {
            case ALWAYS -> {
                flushUpTo(endOffset);
                return CompletableFuture.completedFuture(null);
            }
            case OS -> {
                return CompletableFuture.completedFuture(null);
            }
            default -> {
                CompletableFuture<Void> f = waiters.computeIfAbsent(endOffset, k -> new CompletableFuture<>());
                if (recoveryPoint >= endOffset) { // a flush finished between the append and the registration
                    completeWaiters(recoveryPoint);
                }
                Throwable t = failure;
                if (t != null) {
                    failWaiters(t);
                }
                return f;
            }
        }
    }

    /** Whether the interval policy wants a flush now (bytes or time). */
    public boolean flushDue(long nowMs) {
        return unflushedBytes > 0 && (unflushedBytes >= config.flushIntervalBytes()
                || nowMs - lastFlushMs >= config.flushIntervalMs());
    }

    /** Flushes if {@link #flushDue}; for the engine's scheduler. Failures fail the partition. */
    public void flushIfDue() {
        if (!closed && failure == null && flushDue(clock.getAsLong())) {
            flush();
        }
    }

    /** True if an append pushed unflushed bytes over the limit and no flush is queued yet. */
    boolean wantsImmediateFlush() {
        return config.flushMode() == FlushMode.INTERVAL && unflushedBytes >= config.flushIntervalBytes()
                && flushScheduled.compareAndSet(false, true);
    }

    /** What to run when unflushed bytes pass {@code flush.intervalBytes} (the engine queues a flush). */
    void onFlushWanted(Runnable action) {
        this.flushWanted = action;
    }

    void flushScheduledDone() {
        flushScheduled.set(false);
    }

    /** Makes every appended batch durable now. */
    public void flush() {
        flushUpTo(highWatermark);
    }

    /**
     * fsyncs until {@code offset} is durable. Concurrent callers queue on the flush lock; one
     * fsync covers everything appended before it started, so later callers often find their
     * offset already durable and return at once.
     */
    private void flushUpTo(long offset) {
        if (recoveryPoint >= offset) {
            return;
        }
        flushLock.lock();
        try {
            ensureWritable();
            if (recoveryPoint >= offset) {
                return;
            }
            long target;
            List<Segment> dirty;
            lock.lock();
            try {
                target = highWatermark;
                dirty = new ArrayList<>(segments.tailMap(floorBase(recoveryPoint), true).values());
                unflushedBytes = 0;
                lastFlushMs = clock.getAsLong();
            } finally {
                lock.unlock();
            }
            long start = System.nanoTime();
            for (Segment s : dirty) {
                try {
                    s.flush();
                } catch (IOException e) {
                    throw fail("fsync of " + s.logFile() + " failed; the partition is failed (written pages may be lost)", e);
                }
            }
            metrics.fsynced(System.nanoTime() - start);
            recoveryPoint = target;
            completeWaiters(target);
        } finally {
            flushLock.unlock();
        }
    }

    private long floorBase(long offset) {
        Long k = segments.floorKey(offset);
        return k == null ? segments.firstKey() : k;
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

    private PartitionFailedException fail(String what, IOException cause) {
        PartitionFailedException e = new PartitionFailedException(name + ": " + what + ": " + cause.getMessage(), cause);
        failure = e;
        failWaiters(e);
        return e;
    }

    private void ensureWritable() {
        if (closed) {
            throw new StorageException(name + ": partition is closed");
        }
        Throwable t = failure;
        if (t != null) {
            throw new PartitionFailedException(name + ": partition failed earlier and takes no writes until the engine is reopened: "
                    + t.getMessage(), t);
        }
    }

    /** Whether this partition failed (a failed fsync or write); reopen the engine to recover it. */
    public boolean isFailed() {
        return failure != null;
    }

    // ================================================================= roll

    /** The segment the next batch goes to, rolling first when the active one is full or old. Under the lock. */
    private Segment maybeRoll(int batchSize, long lastOffset) {
        Segment active = segments.lastEntry().getValue();
        if (active.isEmpty()) {
            return active;
        }
        long now = clock.getAsLong();
        boolean full = active.size() + batchSize > config.segmentBytes();
        boolean old = config.segmentMs() != Long.MAX_VALUE && now - active.createdMs() >= config.segmentMs();
        boolean offsetsOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        if (!full && !old && !offsetsOverflow && !active.anyIndexFull()) {
            return active;
        }
        return roll(active);
    }

    /** Closes the active segment and opens a new one at the high watermark. Under the lock. */
    private Segment roll(Segment active) {
        long base = highWatermark;
        try {
            active.flush(); // cheap under interval/always (mostly flushed); makes the sealed file complete on disk
            active.seal();
            Segment next = newSegment(base);
            segments.put(base, next);
            recoveryPoint = Math.max(recoveryPoint, base);
            Checkpoint.writeLong(dir.resolve(LogFiles.RECOVERY_POINT), recoveryPoint);
            return next;
        } catch (IOException e) {
            throw fail("rolling to a new segment at offset " + base + " failed", e);
        }
    }

    /** Forces a roll now (used by tests and tools); a no-op when the active segment is empty. */
    public void roll() {
        lock.lock();
        try {
            ensureWritable();
            Segment active = segments.lastEntry().getValue();
            if (!active.isEmpty()) {
                roll(active);
            }
        } finally {
            lock.unlock();
        }
    }

    private Segment newSegment(long base) throws IOException {
        IoFile log = io.open(LogFiles.file(dir, base, LogFiles.LOG), OpenMode.READ_WRITE);
        try {
            return new Segment(name, dir, base, io, indexesFor(base, true), log, 0, base, -1, false, clock.getAsLong());
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    List<LazyIndex> indexesFor(long base, boolean writable) {
        return LogLoader.indexes(topic, partition, dir, base, writable, config);
    }

    // ================================================================= reads

    /**
     * Whole batches from the one holding {@code offset}, up to {@code maxBytes} (at least one batch,
     * even a larger one), from a single segment. Close the result.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is below the log start offset or above the high watermark
     */
    public FetchResult read(long offset, int maxBytes) {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            long hw = highWatermark;
            long lso = logStartOffset;
            if (offset < lso || offset > hw) {
                throw new OffsetOutOfRangeException(name + ": offset " + offset + " is outside the log [" + lso + ", " + hw
                        + "]; read from the log start offset (" + lso + ") or the high watermark");
            }
            if (offset == hw) {
                return FetchResult.empty(hw, lso);
            }
            Map.Entry<Long, Segment> e = segments.floorEntry(offset);
            if (e == null) {
                continue; // retention moved the start: the check above throws next time
            }
            for (Segment s = e.getValue(); s != null; s = next(s)) {
                if (!s.retain()) {
                    break; // deleted under us: start over
                }
                boolean keep = false;
                try {
                    long limit = s.size();
                    long pos = s.positionOf(offset, limit);
                    if (pos < 0) {
                        continue; // offset is in a later segment (e.g. the end of a compacted segment)
                    }
                    long end = s.endOfBatches(pos, maxBytes, limit);
                    keep = true;
                    metrics.read(end - pos, System.nanoTime() - start);
                    return new FetchResult(s, pos, (int) (end - pos), hw, lso);
                } catch (IOException ex) {
                    if (attempt > 3 || segments.containsValue(s)) {
                        throw new StorageException(name + ": read at offset " + offset + " from " + s.logFile() + " failed: "
                                + ex.getMessage(), ex);
                    }
                    break; // the segment was deleted meanwhile: retry from the new log start
                } finally {
                    if (!keep) {
                        s.release();
                    }
                }
            }
            if (attempt > 3) {
                return FetchResult.empty(hw, lso);
            }
        }
    }

    private Segment next(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.baseOffset());
        return e == null ? null : e.getValue();
    }

    /**
     * The offset of the first record whose timestamp is {@code >= timestamp}, or empty if every
     * record is older. Searches the segments' time indexes, then decodes at most the batches from
     * the indexed entry on.
     */
    public OptionalLong offsetForTimestamp(long timestamp) {
        for (Segment s : segments.values()) {
            if (!s.retain()) {
                continue;
            }
            try {
                if (s.maxTimestamp() < timestamp) {
                    continue;
                }
                TimestampOffset from = s.timeLookup(timestamp);
                long startOffset = Math.max(from.offset(), logStartOffset);
                long limit = s.size();
                long pos = s.positionOf(startOffset, limit);
                if (pos < 0) {
                    continue;
                }
                OptionalLong found = scanForTimestamp(s, pos, limit, timestamp, startOffset);
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                throw new StorageException(name + ": timestamp lookup in " + s.logFile() + " failed: " + e.getMessage(), e);
            } finally {
                s.release();
            }
        }
        return OptionalLong.empty();
    }

    private OptionalLong scanForTimestamp(Segment s, long from, long limit, long timestamp, long minOffset) throws IOException {
        IoFile f = s.log();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_LENGTH);
        long pos = from;
        while (pos < limit) {
            header.clear();
            f.readFully(header, pos);
            int size = RecordBatchLayout.sizeInBytes(header, 0);
            long maxTs = RecordBatchLayout.maxTimestamp(header, 0);
            if (maxTs >= timestamp) {
                ByteBuffer whole = ByteBuffer.allocate(size);
                f.readFully(whole, pos);
                whole.flip();
                RecordBatch batch = RecordBatch.of(whole);
                try (RecordCursor c = batch.records(codecs, BufferAllocator.HEAP)) {
                    while (c.next()) {
                        if (c.timestamp() >= timestamp && c.offset() >= minOffset) {
                            return OptionalLong.of(c.offset());
                        }
                    }
                }
            }
            pos += size;
        }
        return OptionalLong.empty();
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
            if (closed) {
                return 0;
            }
            List<Segment> doomed = new ArrayList<>();
            long total = sizeInBytes();
            for (Segment s : segments.values()) {
                if (s == segments.lastEntry().getValue()) {
                    break;
                }
                long maxTs = maxTimestampOf(s);
                boolean byTime = config.retentionMs() >= 0 && maxTs >= 0 && now - maxTs > config.retentionMs();
                boolean bySize = config.retentionBytes() >= 0 && total - s.size() >= config.retentionBytes();
                if (!byTime && !bySize) {
                    break;
                }
                doomed.add(s);
                total -= s.size();
            }
            if (doomed.isEmpty()) {
                return 0;
            }
            long newStart = next(doomed.getLast()).baseOffset();
            try {
                Checkpoint.writeLong(dir.resolve(LogFiles.LOG_START_OFFSET), Math.max(newStart, logStartOffset));
            } catch (IOException e) {
                throw fail("writing the log start offset checkpoint failed", e);
            }
            logStartOffset = Math.max(newStart, logStartOffset);
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

    // ================================================================= lifecycle

    /**
     * Flushes, checkpoints and closes every segment. Returns whether the close was clean (no
     * failure): only then may the caller write the clean-shutdown marker.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            IOException first = null;
            if (failure == null) {
                try {
                    flushAllForClose();
                } catch (IOException e) {
                    first = e;
                }
            }
            closed = true;
            for (Segment s : segments.values()) {
                try {
                    s.release();
                } catch (RuntimeException e) {
                    // release closes quietly; nothing to report
                }
            }
            metrics.remove(meters);
            if (failure == null && first == null) {
                Checkpoint.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), Long.toString(highWatermark));
            }
            failWaiters(new StorageException(name + ": partition closed"));
            if (first != null) {
                throw first;
            }
        } finally {
            lock.unlock();
        }
    }

    private void flushAllForClose() throws IOException {
        for (Segment s : segments.tailMap(floorBase(recoveryPoint), true).values()) {
            s.flush();
        }
        Segment active = segments.lastEntry().getValue();
        for (LazyIndex index : active.indexes()) {
            index.flush();
        }
        recoveryPoint = highWatermark;
        completeWaiters(recoveryPoint);
        Checkpoint.writeLong(dir.resolve(LogFiles.RECOVERY_POINT), recoveryPoint);
        Checkpoint.writeLong(dir.resolve(LogFiles.LOG_START_OFFSET), logStartOffset);
    }

    @Override
    public String toString() {
        return name + " [" + logStartOffset + ", " + highWatermark + ") " + segments.size() + " segments";
    }
}
