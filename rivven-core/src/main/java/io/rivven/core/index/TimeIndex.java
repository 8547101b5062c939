package io.rivven.core.index;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.index.TimestampOffset;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The time index of one segment ({@code <base offset>.timeindex}, provider {@code time}): a sparse
 * map from timestamps to offsets, memory-mapped.
 *
 * <h2>Format</h2>
 * A sequence of 12-byte big-endian entries, {@code (timestamp: int64, offset - base offset: int32)},
 * with strictly increasing timestamps and non-decreasing offsets; layout and a worked example in
 * {@link TimeIndexFormat}. No header, no checksum. An entry {@code (T, O)} means: the largest record
 * timestamp up to offset {@code O} is {@code T}, so every record with a timestamp above {@code T}
 * comes after {@code O}.
 *
 * <h2>When entries are written (Kafka's {@code LogSegment} and {@code TimeIndex})</h2>
 * The index tracks the largest batch timestamp seen so far and the last offset of the batch that
 * first reached it. When a batch is due for an offset-index entry (the same
 * {@code indexIntervalBytes} rule, see {@link OffsetIndex}), the time index writes
 * {@code (max timestamp so far, its offset)} if that timestamp is larger than the last entry's.
 * {@link #seal()} and {@link #close()} write it one last time, so the file's last entry is the
 * segment's largest timestamp (what time-based retention needs after a restart); one slot is kept
 * free for that, which is why {@link #isFull()} turns true one entry early. Its entries hold no log
 * position, so reopened writable it cannot tell where the interval stood: the first batch appended
 * starts it over, unless {@link #resumeIntervalFrom} says where it stood (the engine passes the offset
 * index's last entry, so both indexes of the active segment take entries at the same batches after
 * a reopen, as in a run that never closed).
 *
 * <h2>Truncation</h2>
 * {@link #truncateTo(long) truncateTo(X)} drops the entries with offsets {@code >= X}. If the
 * largest timestamp so far came from a batch that was cut, the largest timestamp of the batches
 * that remain is unknown to the index (Kafka re-reads the log; an index cannot). It then keeps the
 * old largest timestamp as an <em>upper bound</em>, attributed to offset {@code X - 1}: it is
 * written as the next entry (at the next due batch or at the roll) and later entries only go above
 * it, so every entry stays true ("nothing up to O is larger than T") and lookups stay correct;
 * {@link #lastEntry()} may overstate the segment's largest timestamp until the index is rebuilt,
 * which only delays time-based retention, never hastens it. A truncation that cuts just the last
 * batch appended (an append rolled back because another index refused the batch) restores the exact
 * maximum from before that batch.
 *
 * <h2>Thread safety and crashes</h2>
 * One writer, many concurrent lock-free lookups (see the {@linkplain io.rivven.core.index package}
 * documentation for the file lifecycle and the locking). {@link #lastEntry()}
 * is a volatile read. After an unclean shutdown the engine rebuilds the file from the log;
 * {@link #sanityCheck()} reports timestamps that do not increase, offsets that decrease or fall
 * below the base offset, and a length that is not a multiple of 12.
 */
public final class TimeIndex extends AbstractIndex<TimestampOffset> implements TimeLookup {

    /** The timestamp of "no entry" (Kafka's {@code RecordBatch.NO_TIMESTAMP}). */
    public static final long NO_TIMESTAMP = -1L;

    private final TimestampOffset empty;
    /** The largest timestamp seen so far and its offset; written by the writer, read by anyone. */
    private volatile TimestampOffset maxSoFar;
    /** The timestamp of the last entry in the file, or {@link #NO_TIMESTAMP}. Writer only. */
    private long lastEntryTimestamp;
    /**
     * {@link #maxSoFar} before the last batch appended, and that batch's base offset
     * ({@code Long.MAX_VALUE}: none since open or truncation): a truncation that cuts that batch (a
     * rolled-back append, say) restores the exact maximum instead of an upper bound. Writer only.
     */
    private TimestampOffset maxBeforeLastBatch;
    private long lastBatchBase = Long.MAX_VALUE;

    private TimeIndex(IndexContext context) throws IOException {
        super(context, TimeIndexFormat.ENTRY_LENGTH, 1);
        this.empty = new TimestampOffset(NO_TIMESTAMP, context.baseOffset());
        TimestampOffset last = lastFileEntry();
        this.maxSoFar = last;
        this.maxBeforeLastBatch = last;
        this.lastEntryTimestamp = last.timestamp();
    }

    /**
     * Opens the index described by {@code context}: creates and preallocates a missing file when
     * writable, maps an existing one.
     *
     * @throws java.nio.file.NoSuchFileException when read-only and the file is missing
     * @throws IllegalArgumentException when writable and {@code maxFileBytes} holds fewer than two entries
     * @throws IOException when the file cannot be opened, sized or mapped
     */
    public static TimeIndex open(IndexContext context) throws IOException {
        return new TimeIndex(context);
    }

    /**
     * Tracks the batch's timestamp and writes {@code (max timestamp so far, its offset)} when the
     * batch is due for an entry and that timestamp grew since the last entry. Allocates a small
     * record when the largest timestamp grows.
     */
    @Override
    public void append(BatchInfo batch) throws IOException {
        boolean due = admit(batch);
        TimestampOffset max = maxSoFar;
        maxBeforeLastBatch = max;
        lastBatchBase = batch.baseOffset();
        long timestamp = batch.maxTimestamp();
        if (timestamp > max.timestamp()) {
            max = new TimestampOffset(timestamp, batch.lastOffset());
            maxSoFar = max;
        }
        if (due && max.timestamp() > lastEntryTimestamp) {
            appendEntry(max.timestamp(), max.offset(), false);
            lastEntryTimestamp = max.timestamp();
        }
    }

    /**
     * The entry with the largest timestamp {@code <= timestamp}, or {@code (-1, base offset)} when
     * there is none. Lock-free; allocates only the returned record.
     */
    @Override
    public TimestampOffset lookupByTime(long timestamp) {
        return lookupEntry(timestamp);
    }

    /**
     * The largest timestamp seen so far and the offset where it was first reached (including
     * batches that got no entry yet), or {@code (-1, base offset)} when there is none. After a
     * reopen it is the file's last entry, which {@link #seal()} and {@link #close()} keep exact.
     */
    @Override
    public TimestampOffset lastEntry() {
        return maxSoFar;
    }

    @Override
    protected void beforeTrim() throws IOException {
        TimestampOffset max = maxSoFar;
        if (max.timestamp() > lastEntryTimestamp) {
            appendEntry(max.timestamp(), max.offset(), true);
            lastEntryTimestamp = max.timestamp();
        }
    }

    @Override
    protected void afterTruncate(long offset) {
        TimestampOffset last = lastFileEntry();
        lastEntryTimestamp = last.timestamp();
        // The last batch appended is cut: the maximum before it is exact for what remains below it.
        TimestampOffset max = offset <= lastBatchBase ? maxBeforeLastBatch : maxSoFar;
        if (offset <= baseOffset()) {
            max = empty;
        } else if (max.timestamp() != NO_TIMESTAMP && max.offset() >= offset) {
            // The batch holding the maximum was cut: keep its timestamp as an upper bound (class javadoc).
            max = new TimestampOffset(max.timestamp(), offset - 1);
        }
        maxSoFar = max;
        maxBeforeLastBatch = max;
        lastBatchBase = Long.MAX_VALUE;
    }

    @Override
    protected TimestampOffset parseEntry(MemorySegment entries, int slot) {
        return new TimestampOffset(TimeIndexFormat.timestamp(entries, slot),
                baseOffset() + TimeIndexFormat.relativeOffset(entries, slot));
    }

    @Override
    protected TimestampOffset emptyEntry() {
        return empty;
    }

    /** The timestamp: the time index has {@link #MAIN_KEY} only. */
    @Override
    protected long searchKey(MemorySegment entries, int slot, int key) {
        return TimeIndexFormat.timestamp(entries, slot);
    }

    @Override
    protected long entryOffset(MemorySegment entries, int slot) {
        return TimeIndexFormat.relativeOffset(entries, slot) + baseOffset();
    }

    @Override
    protected void writeEntry(MemorySegment entries, int slot, long timestamp, long offset) {
        TimeIndexFormat.put(entries, slot, timestamp, (int) (offset - baseOffset()));
    }

    @Override
    protected void checkEntry(MemorySegment entries, int slot) throws CorruptIndexException {
        int relative = TimeIndexFormat.relativeOffset(entries, slot);
        if (relative < 0) {
            throw corruptEntry(slot, "offset " + (baseOffset() + relative) + " is below the base offset "
                    + baseOffset() + " (relative offset " + relative + ", expected >= 0)");
        }
        if (slot > 0) {
            long timestamp = TimeIndexFormat.timestamp(entries, slot);
            long previousTimestamp = TimeIndexFormat.timestamp(entries, slot - 1);
            if (timestamp <= previousTimestamp) {
                throw corruptEntry(slot, "timestamp " + timestamp + " does not increase: expected > "
                        + previousTimestamp + " (entry " + (slot - 1) + ")");
            }
            int previousRelative = TimeIndexFormat.relativeOffset(entries, slot - 1);
            if (relative < previousRelative) {
                throw corruptEntry(slot, "offset " + (baseOffset() + relative) + " decreases: expected >= "
                        + (baseOffset() + previousRelative) + " (entry " + (slot - 1) + ")");
            }
        }
    }
}
