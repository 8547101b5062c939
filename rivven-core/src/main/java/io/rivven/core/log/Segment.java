package io.rivven.core.log;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.index.TimestampOffset;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.index.LazyIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a partition's log: {@code <base offset>.log} plus its indexes (offset, time and
 * any configured plugin index), all named by the 20-digit base offset.
 *
 * <p>The {@code .log} holds Kafka RecordBatch v2 batches back to back; the segment publishes its
 * size (a volatile) only after a batch is completely written and indexed, so readers never see a
 * partial batch. Indexes are {@link LazyIndex}es: nothing is mapped until a lookup or append needs it.
 * A closed (sealed) segment also opens its {@code .log} lazily, so an engine with many segments
 * holds no descriptor for segments nobody reads.
 *
 * <p>Thread safety: one writer (the partition's, under its lock) calls {@link #append},
 * {@link #truncateTo}, {@link #seal}; any number of readers call the lookup and read methods
 * concurrently. Readers {@link #retain()} a segment while they use its file, so that retention
 * can delete it without pulling the file from under them: the files are closed when the last
 * reference is {@link #release() released}.
 *
 * <p>Crashes: the log is validated and truncated by {@link LogLoader} after an unclean shutdown;
 * indexes are rebuilt from it there.
 */
final class Segment {

    /** Bytes of a batch header needed to walk the log: base offset, length, ..., last offset delta. */
    private static final int WALK_HEADER = RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET + RecordBatchLayout.LAST_OFFSET_DELTA_LENGTH;
    private static final ThreadLocal<ByteBuffer> HEADER = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(RecordBatchLayout.HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN));

    /** {@link #maxTimestamp} not known yet: read lazily from the time index. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private final String name;           // topic-partition, for messages
    private final Path dir;
    private final long baseOffset;
    private final IoBackend io;
    private final LazyIndex offsetIndex;
    private final LazyIndex timeIndex;
    private final List<LazyIndex> indexes; // all, offset and time first
    private final Object openLock = new Object();
    private final AtomicInteger refs = new AtomicInteger(1);

    private volatile IoFile log;
    private volatile long size;
    private volatile long nextOffset;
    private volatile long maxTimestamp;
    private volatile boolean sealed;
    private volatile boolean deleted;
    private volatile Runnable pendingRemoval;
    private long createdMs;

    /**
     * @param indexes the segment's indexes: offset index first, time index second, then plugin indexes
     * @param size    the bytes of valid batches already in the log (after recovery)
     * @param nextOffset the offset after the last record in the log ({@code baseOffset} when empty)
     * @param maxTimestamp the largest timestamp in the log, -1 when empty, {@link #UNKNOWN} to read it lazily
     */
    Segment(String name, Path dir, long baseOffset, IoBackend io, List<LazyIndex> indexes, IoFile openLog,
            long size, long nextOffset, long maxTimestamp, boolean sealed, long createdMs) {
        this.name = name;
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.io = io;
        this.indexes = List.copyOf(indexes);
        this.offsetIndex = indexes.get(0);
        this.timeIndex = indexes.get(1);
        this.log = openLog;
        this.size = size;
        this.nextOffset = nextOffset;
        this.maxTimestamp = maxTimestamp;
        this.sealed = sealed;
        this.createdMs = createdMs;
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Bytes of complete batches. */
    long size() {
        return size;
    }

    /** The offset after this segment's last record ({@link #baseOffset()} when empty). */
    long nextOffset() {
        return nextOffset;
    }

    /**
     * The largest timestamp in the segment, -1 when empty. For a segment loaded after a clean
     * shutdown it is read from the time index on first use (opening it), or, when the index has no
     * entry, the log file's modification time (as Kafka's {@code largestTimestamp}).
     */
    long maxTimestamp() throws IOException {
        long ts = maxTimestamp;
        if (ts != UNKNOWN) {
            return ts;
        }
        ts = timeIndex.as(TimeLookup.class).lastEntry().timestamp();
        if (ts < 0 && size > 0) {
            ts = Files.getLastModifiedTime(logFile()).toMillis();
        }
        maxTimestamp = ts;
        return ts;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean isSealed() {
        return sealed;
    }

    long createdMs() {
        return createdMs;
    }

    Path logFile() {
        return LogFiles.file(dir, baseOffset, LogFiles.LOG);
    }

    List<LazyIndex> indexes() {
        return indexes;
    }

    /** The open log file (opened read-only on first use for a sealed segment). */
    IoFile log() throws IOException {
        IoFile f = log;
        if (f != null) {
            return f;
        }
        synchronized (openLock) {
            if (log == null) {
                if (deleted) {
                    throw new IOException(logFile() + ": segment was deleted");
                }
                log = io.open(logFile(), sealed ? OpenMode.READ : OpenMode.READ_WRITE);
            }
            return log;
        }
    }

    // ---------------------------------------------------------------- writer side

    /**
     * Appends one complete batch (already stamped with its offsets) and indexes it.
     *
     * @param batch the batch, position..limit; consumed
     * @param info  the batch as indexes see it; its position must be {@link #size()}
     */
    void append(ByteBuffer batch, BatchInfo info, long lastOffset, long batchMaxTimestamp) throws IOException {
        int n = batch.remaining();
        if (size == 0 && createdMs == 0) {
            createdMs = System.currentTimeMillis();
        }
        log().append(batch);
        for (LazyIndex index : indexes) {
            index.append(info);
        }
        if (batchMaxTimestamp > maxTimestamp()) {
            maxTimestamp = batchMaxTimestamp;
        }
        nextOffset = lastOffset + 1;
        size += n; // publishes the batch to readers
    }

    /** Whether any index has no room for another entry. */
    boolean anyIndexFull() {
        for (SegmentIndex index : indexes) {
            if (index.isFull()) {
                return true;
            }
        }
        return false;
    }

    /** Makes the log durable (data only) and flushes index mappings. */
    void flush() throws IOException {
        IoFile f = log;
        if (f != null) {
            f.sync(false);
        }
        for (LazyIndex index : indexes) {
            index.flush();
        }
    }

    /** The segment stops taking appends: trims indexes (the log is synced by the caller's flush). */
    void seal() throws IOException {
        for (LazyIndex index : indexes) {
            index.seal();
        }
        sealed = true;
    }

    /** Cuts the log at {@code position} (a batch boundary holding offsets below {@code offset}). */
    void truncateTo(long position, long offset, long newMaxTimestamp) throws IOException {
        log().truncate(position);
        for (LazyIndex index : indexes) {
            index.truncateTo(offset);
        }
        size = position;
        nextOffset = Math.max(baseOffset, offset);
        maxTimestamp = newMaxTimestamp;
    }

    // ---------------------------------------------------------------- reader side

    /** Takes a reference for reading; false if the segment was deleted meanwhile. */
    boolean retain() {
        for (;;) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one closes the files. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            closeQuietly();
            Runnable remove = pendingRemoval;
            if (remove != null) {
                remove.run();
            }
        }
    }

    /**
     * The file position of the first batch whose last offset is {@code >= target}, scanning from
     * the offset index's entry; -1 when no batch in {@code [0, maxPosition)} holds it.
     */
    long positionOf(long target, long maxPosition) throws IOException {
        OffsetPosition start = offsetIndex.as(OffsetLookup.class).lookup(target);
        long pos = Math.min(start.position(), maxPosition);
        ByteBuffer h = HEADER.get();
        IoFile f = log();
        while (pos < maxPosition) {
            h.clear().limit(WALK_HEADER);
            f.readFully(h, pos);
            long base = h.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET);
            int length = h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
            long next = pos + RecordBatchLayout.LOG_OVERHEAD + length;
            if (h.get(RecordBatchLayout.MAGIC_OFFSET) != RecordBatchLayout.MAGIC || length < RecordBatchLayout.MIN_BATCH_LENGTH
                    || next > maxPosition || base < baseOffset) {
                if (start.position() == 0) {
                    throw new IOException(logFile() + ": no batch boundary at position " + pos + " (length " + length
                            + ", magic " + h.get(RecordBatchLayout.MAGIC_OFFSET) + "); run 'rivven verify'");
                }
                // The offset index pointed into the middle of a batch (a damaged index): walk from the start.
                start = new OffsetPosition(baseOffset, 0);
                pos = 0;
                continue;
            }
            if (base + h.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET) >= target) {
                return pos;
            }
            pos = next;
        }
        return -1;
    }

    /**
     * The end of whole batches starting at {@code position}: as many as fit in {@code maxBytes}, but
     * at least one, never past {@code maxPosition}.
     */
    long endOfBatches(long position, int maxBytes, long maxPosition) throws IOException {
        ByteBuffer h = HEADER.get();
        IoFile f = log();
        long pos = position;
        while (pos < maxPosition) {
            h.clear().limit(RecordBatchLayout.LOG_OVERHEAD);
            f.readFully(h, pos);
            long next = pos + RecordBatchLayout.LOG_OVERHEAD + h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
            if (next > maxPosition || (next - position > maxBytes && pos > position)) {
                break;
            }
            pos = next;
        }
        return pos;
    }

    /**
     * The time index's entry for {@code timestamp}: the largest indexed timestamp {@code <=} it, as
     * an offset to start scanning from.
     */
    TimestampOffset timeLookup(long timestamp) throws IOException {
        return timeIndex.as(TimeLookup.class).lookupByTime(timestamp);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes files (not deleting them). */
    void close() throws IOException {
        IOException first = null;
        for (LazyIndex index : indexes) {
            try {
                index.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        synchronized (openLock) {
            IoFile f = log;
            log = null;
            if (f != null) {
                try {
                    f.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // closing a segment nobody reads any more: nothing to report to
        }
    }

    /**
     * Deletes the segment: renames its files to {@code *.deleted} (durable in the directory), then
     * removes them once no reader holds the segment. A crash in between leaves {@code .deleted}
     * files that the next open removes.
     */
    void delete() throws IOException {
        deleted = true;
        List<Path> renamed = new ArrayList<>();
        Path logPath = logFile();
        if (Files.exists(logPath)) {
            renamed.add(Files.move(logPath, logPath.resolveSibling(logPath.getFileName() + LogFiles.DELETED)));
        }
        for (LazyIndex index : indexes) {
            Path p = index.file();
            if (Files.exists(p)) {
                renamed.add(Files.move(p, p.resolveSibling(p.getFileName() + LogFiles.DELETED)));
            }
        }
        Checkpoint.syncDirectory(dir);
        Runnable remove = () -> {
            for (Path p : renamed) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the next open, which deletes *.deleted files
                }
            }
        };
        pendingRemoval = remove;
        release();
    }

    @Override
    public String toString() {
        return name + " segment " + LogFiles.baseName(baseOffset) + " [" + baseOffset + ", " + nextOffset + ") " + size + " bytes";
    }
}
