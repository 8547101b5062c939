package io.rivven.core.log;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.TimestampOffset;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.index.LazyIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a partition's log: {@code <base offset>.log} plus its indexes (offset, time and
 * any configured plugin index), all named by the 20-digit base offset.
 *
 * <p>The {@code .log} holds Kafka RecordBatch v2 batches back to back; the segment publishes its
 * size (a volatile) only after a batch is completely written and indexed, so readers never see a
 * partial batch. Indexes are {@link LazyIndex}es: nothing is mapped until a lookup or append needs it.
 * A closed (sealed) segment also opens its {@code .log} lazily, so an engine with many segments
 * holds no descriptor and no mapping for segments nobody reads.
 *
 * <p>Damaged indexes ({@link SegmentIndexes}): the indexes of a closed segment trusted at open are
 * sanity-checked on first use, and every offset-index entry a lookup uses is checked against
 * the batch it points at ({@link BatchLocator}; the last entry found right is remembered, so a
 * fetch that starts where the previous one stopped does not read that header again). A failed check marks them damaged:
 * lookups then scan the log from its
 * start (slower, still exact), and the partition is told ({@link #onIndexDamage}) so that it
 * rebuilds them ({@link SegmentFactory#rebuildIndexes}) and replaces this segment.
 *
 * <p>Thread safety: one writer (the partition's, under its lock) calls {@link #append} and
 * {@link #seal}; any number of readers call the lookup and read methods concurrently. Readers
 * {@link #retain()} a segment while they use its files, so that retention can delete it without
 * pulling the files from under them: they are closed when the last reference is
 * {@link #release() released}.
 *
 * <p>Crashes: the log is validated and truncated by {@link LogLoader} after an unclean shutdown;
 * indexes are rebuilt from it there.
 */
final class Segment {

    /** {@link #maxTimestamp} not known yet: read lazily from the time index. */
    static final long UNKNOWN = Long.MIN_VALUE;

    /** The least a reservation reaches past the append that asks for it (unless the chunk is smaller). */
    static final long MIN_RESERVE_AHEAD = 64 * 1024;

    private final String name;           // topic-partition, for messages
    private final Path dir;
    private final long baseOffset;
    private final IoBackend io;
    private final SegmentIndexes indexes;
    /** Finds batches in the log for readers ({@link #positionOf}, {@link #endOfBatches}). */
    private final BatchLocator locator;
    private final Object openLock = new Object();
    private final AtomicInteger refs = new AtomicInteger(1);

    private volatile IoFile log;
    private volatile long size;
    private volatile long nextOffset;
    private volatile long maxTimestamp;
    private volatile boolean sealed;
    /** A seal replaced index mappings that {@link #release()} has not unmapped yet. */
    private volatile boolean retiredMappings;
    private volatile boolean deleted;
    /**
     * Set by the partition's close (engine close, topic deletion): from then on the files are not
     * this segment's to open by path any more (a new topic of the same name, or another engine,
     * may have its own there); a reader still holding it reads on only through files already open.
     */
    private volatile boolean detached;
    /** The segment's own reference is still held ({@link #releaseOwn()} not called). */
    private volatile boolean ownHeld = true;
    /** Set when the directory entry of this file (or the partition's marker) changed unsynced; see {@link #syncLog()}. */
    private volatile boolean directoryUnsynced;
    private volatile Runnable pendingRemoval;
    private long createdMs;              // writer only
    /** The first batch's max timestamp (Kafka's {@code rollingBasedTimestamp}); {@link #UNKNOWN} until read. Writer only. */
    private long firstBatchTimestamp = UNKNOWN;
    /** The end of the log space reserved for appends (0: none). Writer only. */
    private long reservedEnd;
    /** The file refused a reservation: ask no more. Writer only. */
    private boolean reserveRefused;

    /**
     * @param indexes         the segment's indexes: offset index first, time index second, then plugin indexes
     * @param openLog         the log file if already open (the active segment), else null (opened on first read)
     * @param size            the bytes of valid batches in the log
     * @param nextOffset      the offset after the last record in the log ({@code baseOffset} when empty or unknown)
     * @param maxTimestamp    the largest timestamp in the log, -1 when empty, {@link #UNKNOWN} to read it lazily
     * @param createdMs       when the first batch was appended (for {@code segment.ms}), 0 when empty
     * @param indexesVerified whether the indexes were built or checked at open; false makes the first
     *                        lookup sanity-check them
     */
    Segment(String name, Path dir, long baseOffset, IoBackend io, List<LazyIndex> indexes, IoFile openLog,
            long size, long nextOffset, long maxTimestamp, boolean sealed, long createdMs, boolean indexesVerified) {
        this.name = name;
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.io = io;
        this.indexes = new SegmentIndexes(name, baseOffset, indexes, indexesVerified);
        this.locator = new BatchLocator(this, baseOffset, this.indexes);
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

    /**
     * The offset after this segment's last record ({@link #baseOffset()} when empty). Exact for the
     * active segment and for segments recovered at open; a closed segment trusted after a clean
     * shutdown does not know it and answers its base offset.
     */
    long nextOffset() {
        return nextOffset;
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

    /**
     * The max timestamp of the first batch (-1 when empty or when it has none), what Kafka's
     * {@code segment.ms} rule measures from: known for a segment that took its first batch in this
     * session, read from the log (one header) the first time for one opened with batches. Writer only.
     *
     * @throws IOException if that header cannot be read (once: -1 from then on)
     */
    long firstBatchTimestamp() throws IOException {
        if (size == 0) {
            return -1;
        }
        if (firstBatchTimestamp == UNKNOWN) {
            firstBatchTimestamp = -1;
            ByteBuffer h = BatchLocator.HEADER.get();
            h.clear();
            log().readFully(h, 0);
            firstBatchTimestamp = h.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
        }
        return firstBatchTimestamp;
    }

    Path logFile() {
        return LogFiles.file(dir, baseOffset, LogFiles.LOG);
    }

    /**
     * Where the log's bytes are now: the open file's path, which {@link #delete()} renames to
     * {@code .deleted}; {@link #logFile()} when the file is not open.
     */
    Path currentLogFile() {
        IoFile f = log;
        return f != null ? f.path() : logFile();
    }

    List<LazyIndex> indexes() {
        return indexes.all();
    }

    /** Whether the {@code .log} is open (for tests: a closed segment opens it on first read only). */
    boolean isLogOpen() {
        return log != null;
    }

    /** The segment's index state (for tests: {@link SegmentIndexes#beforePeek}). */
    SegmentIndexes indexState() {
        return indexes;
    }

    /** Whether a check found this segment's indexes damaged (lookups then scan the log). */
    boolean indexesDamaged() {
        return indexes.damaged();
    }

    /** What to run (once) when this segment's indexes are found damaged. */
    void onIndexDamage(Runnable action) {
        indexes.onDamage(action);
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
                checkAttached();
                IoFile opened = io.open(logFile(), sealed ? OpenMode.READ : OpenMode.READ_WRITE);
                if (detached) { // the partition closed while the file opened: the path may name another file by now
                    opened.close();
                    checkAttached();
                }
                log = opened;
            }
            return log;
        }
    }

    private void checkAttached() throws IOException {
        if (detached) {
            throw new IOException(logFile() + ": not opened: the partition was closed (its topic deleted or the engine"
                    + " closed) before this reader first used the file, so the path may name another file by now");
        }
    }

    /**
     * The partition closed: no file is opened by path for this segment from now on (see
     * {@link #detached}). Called before {@link #releaseOwn()} at the partition's close, and before
     * the topic's directory is renamed or another engine may open it.
     */
    void detach() {
        detached = true;
    }

    // ---------------------------------------------------------------- writer side

    /**
     * Appends one complete batch (already stamped with its offsets) and indexes it, then publishes
     * it to readers. If an index refuses the batch (a plugin index that cannot decode its keys,
     * say), the log and the indexes are cut back and the exception is rethrown: nothing was
     * appended. If the log write or that rollback fails, an {@link IOException} is thrown and the
     * segment's file may hold bytes past {@link #size()}: the caller must fail the partition.
     *
     * @param batch the batch, position..limit; consumed
     * @param info  the batch as indexes see it; its position must be {@link #size()}
     * @param nowMs the engine clock, for {@code segment.ms}
     */
    void append(ByteBuffer batch, BatchInfo info, long lastOffset, long batchMaxTimestamp, long nowMs) throws IOException {
        int n = batch.remaining();
        long before = size;
        IoFile f = log();
        f.append(batch);
        try {
            indexes.append(info);
        } catch (RuntimeException refused) {
            try {
                f.truncate(before);
                indexes.truncateTo(info.baseOffset());
            } catch (IOException | RuntimeException e) {
                e.addSuppressed(refused);
                throw new IOException(logFile() + ": an index refused the batch at position " + before
                        + " and cutting it back failed: " + e, e);
            }
            throw refused;
        }
        if (before == 0) {
            createdMs = nowMs;
            firstBatchTimestamp = batchMaxTimestamp;
        }
        if (batchMaxTimestamp > maxTimestamp()) {
            maxTimestamp = batchMaxTimestamp;
        }
        nextOffset = lastOffset + 1;
        size = before + n; // publishes the batch to readers
    }

    /**
     * Reserves log space ({@link IoFile#preallocate}) so that an append of {@code n} bytes lands in
     * it. When it would not, the reservation reaches past the append by as much as the segment
     * already holds, at least {@value #MIN_RESERVE_AHEAD} and at most {@code chunk} bytes, and
     * never past {@code limit} (the roll size) unless the append itself does: a quiet partition's
     * segment reserves little, a busy one {@code chunk} at a time. Nothing when {@code chunk} is 0
     * or the file refused once. {@link #seal} gives back what the log did not fill.
     */
    void reserve(int n, long chunk, long limit) throws IOException {
        long end = size + n;
        if (chunk <= 0 || reserveRefused || end <= reservedEnd) {
            return;
        }
        long ahead = Math.min(chunk, Math.max(MIN_RESERVE_AHEAD, end));
        long target = Math.max(end, Math.min(end + ahead, limit));
        if (log().preallocate(target)) {
            reservedEnd = target;
        } else {
            reserveRefused = true; // what was reserved before is still given back by seal
        }
    }

    /** Whether any index has no room for another entry. */
    boolean anyIndexFull() {
        return indexes.anyFull();
    }

    /**
     * Makes the log durable (data only), and the first time after {@link #directoryChanged()} the
     * segment's directory too. Any thread.
     */
    void syncLog() throws IOException {
        IoFile f = log;
        if (f != null) {
            f.sync(false);
        }
        if (directoryUnsynced) {
            // the file is new, or the directory lost its clean-shutdown marker at open: that entry
            // must be durable before anything in the file is called durable (a power loss could
            // otherwise drop the new file, or bring the marker back over appends made since)
            Checkpoint.syncDirectory(dir);
            directoryUnsynced = false;
        }
    }

    /** The segment's directory changed without a sync (see {@link #syncLog()}): the next sync also syncs it. */
    void directoryChanged() {
        directoryUnsynced = true;
    }

    /** Whether the next {@link #syncLog()} also syncs the directory (for tests). */
    boolean directoryUnsynced() {
        return directoryUnsynced;
    }

    /**
     * Makes the indexes durable. From the writer (under the partition's lock) for the active
     * segment; from anyone for a sealed one, whose indexes take no more writes. A failure after
     * {@link #delete()} is ignored: retention may rename the files to {@code .deleted} while a roll's
     * flush runs outside the partition's lock, an opened index fsyncs its file by its old name, and
     * nothing of a deleted segment needs to be durable (the log start offset is checkpointed past it).
     */
    void flushIndexes() throws IOException {
        try {
            indexes.flush();
        } catch (IOException e) {
            if (!deleted) {
                throw e;
            }
        }
    }

    /**
     * The segment stops taking appends: gives back log space reserved past its end, trims indexes
     * and remaps them read-only. Writer only.
     */
    void seal() throws IOException {
        if (reservedEnd > 0) {
            log().truncate(size);
            reservedEnd = 0;
        }
        indexes.seal();
        sealed = true;
        retiredMappings = true;
    }

    /**
     * Seals the indexes only (trims and remaps them read-only), leaving the log as it is: at the
     * close of a failed partition, whose log recovery must see as the failure left it. A writable
     * index trims its file by path when closed, which the last reader may do after the partition's
     * files were deleted or taken over by a new topic of the same name or another engine; a sealed
     * one writes nothing at close. Writer only.
     */
    void sealIndexes() throws IOException {
        indexes.seal();
        retiredMappings = true;
    }

    // ---------------------------------------------------------------- reader side

    /** Takes a reference for reading; false if the segment was deleted or closed meanwhile. */
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

    /**
     * Gives a reference back; the last one closes the files (and deletes them after {@link #delete}).
     * When only the segment's own reference is left and a seal replaced index mappings, no lookup
     * that started before the seal can still run (lookups run while the reader holds a reference),
     * so the replaced mappings are unmapped here rather than at close. Once the own reference is
     * gone ({@link #releaseOwn()}), the one left is a reader's, and they wait for close.
     */
    void release() {
        int left = refs.decrementAndGet();
        if (left == 1 && ownHeld && retiredMappings) {
            retiredMappings = false;
            indexes.releaseRetired();
        }
        if (left == 0) {
            closeQuietly();
            Runnable remove = pendingRemoval;
            if (remove != null) {
                remove.run();
            }
        }
    }

    /**
     * Gives back the segment's own reference (the one it was created with, which the partition
     * holds while the segment is in its map): at delete, replacement or close of the partition.
     */
    void releaseOwn() {
        ownHeld = false;
        release();
    }

    /**
     * The file position of the first batch whose last offset is {@code >= target}; -1 when no batch
     * in {@code [0, maxPosition)} holds it. See {@link BatchLocator#positionOf}.
     *
     * @throws IOException if the log itself is damaged (no batch boundary where one must be)
     */
    long positionOf(long target, long maxPosition) throws IOException {
        return locator.positionOf(target, maxPosition);
    }

    /**
     * The end of whole batches starting at {@code position} (a batch start): as many as fit in
     * {@code maxBytes}, but at least one, never past {@code maxPosition}. See
     * {@link BatchLocator#endOfBatches}.
     *
     * @throws IOException if the batch at {@code position} does not fit the log (a damaged log)
     */
    long endOfBatches(long position, int maxBytes, long maxPosition) throws IOException {
        return locator.endOfBatches(position, maxBytes, maxPosition);
    }

    /**
     * The time index's entry for {@code timestamp}: the largest indexed timestamp {@code <=} it, as
     * an offset to start scanning from; the base offset when the index is damaged.
     */
    TimestampOffset timeLookup(long timestamp) {
        return indexes.timeEntry(timestamp);
    }

    /**
     * The largest timestamp in the segment, -1 when empty. For a closed segment trusted at open it
     * is read on first use from the last entry of its time index file (a 24-byte read, no mapping),
     * or, when the index is damaged, from the batch headers of the log; when no batch has a
     * timestamp, the log file's modification time (as Kafka's {@code largestTimestamp}): for every
     * closed segment, also one rolled or recovered in this session, which knows its largest timestamp
     * (-1) without reading anything. The active segment answers -1 then (its appends compare
     * against it).
     */
    long maxTimestamp() throws IOException {
        long ts = maxTimestamp;
        if (ts != UNKNOWN && (ts >= 0 || size == 0 || !sealed)) {
            return ts;
        }
        checkAttached();
        if (ts == UNKNOWN) {
            OptionalLong indexed = indexes.lastIndexedTimestamp();
            ts = indexed.isPresent() ? indexed.getAsLong() : maxTimestampFromLog();
        }
        if (ts < 0 && size > 0) {
            ts = Files.getLastModifiedTime(logFile()).toMillis();
        }
        checkAttached(); // read by path: once the partition closed, the path may name another topic's file
        maxTimestamp = ts;
        return ts;
    }

    /** The largest batch max timestamp, walking every batch header of the log. */
    private long maxTimestampFromLog() throws IOException {
        ByteBuffer h = BatchLocator.HEADER.get();
        IoFile f = log();
        long limit = size;
        long max = -1;
        for (long pos = 0; pos < limit; ) {
            h.clear();
            f.readFully(h, pos);
            int length = h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
            if (length < RecordBatchLayout.MIN_BATCH_LENGTH) {
                throw new IOException(logFile() + ": batch at position " + pos + " has length " + length + "; run 'rivven verify'");
            }
            max = Math.max(max, h.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET));
            pos += RecordBatchLayout.LOG_OVERHEAD + length;
        }
        return max;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes files (not deleting them). */
    void close() throws IOException {
        IOException first = null;
        try {
            indexes.close();
        } catch (IOException e) {
            first = e;
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
     * removes them once no reader holds the segment. An open log and the indexes are renamed
     * through their handles ({@link IoFile#renameTo}, {@link LazyIndex#renameTo}), so a reader
     * that holds the segment goes on reading it, also through a channel reopened after a thread
     * interrupt, and finds an index it has not opened yet. A log not opened yet stays closed:
     * {@link #log()} refuses to open a deleted segment. A crash in between leaves {@code .deleted}
     * files (or index files without a log) that the next open removes. Writer only.
     */
    void delete() throws IOException {
        deleted = true;
        List<Path> renamed = new ArrayList<>();
        try {
            Path logPath = logFile();
            Path doomed = logPath.resolveSibling(logPath.getFileName() + LogFiles.DELETED);
            synchronized (openLock) { // log() opens no file meanwhile, and none after: deleted is set
                IoFile f = log;
                if (f != null) {
                    f.renameTo(doomed);
                    renamed.add(doomed);
                } else if (Files.exists(logPath)) {
                    renamed.add(Files.move(logPath, doomed));
                }
            }
            for (LazyIndex index : indexes.all()) {
                Path p = index.file();
                if (Files.exists(p)) {
                    Path d = p.resolveSibling(p.getFileName() + LogFiles.DELETED);
                    index.renameTo(d);
                    renamed.add(d);
                }
            }
            Checkpoint.syncDirectory(dir);
        } finally {
            pendingRemoval = () -> {
                for (Path p : renamed) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // left for the next open, which deletes *.deleted files
                    }
                }
            };
            releaseOwn();
        }
    }

    @Override
    public String toString() {
        return name + " segment " + LogFiles.baseName(baseOffset) + " [" + baseOffset + ", " + nextOffset + ") " + size + " bytes";
    }
}
