package io.rivven.core.log;

import io.rivven.api.index.OffsetPosition;
import io.rivven.api.io.IoFile;
import io.rivven.core.format.v2.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds batches in one {@link Segment}'s log for the read path: the batch holding an offset
 * ({@link #positionOf}) and the end of the whole batches that fit a fetch ({@link #endOfBatches}).
 * Both use the offset index to skip batch headers, and check every index entry they use against
 * the batch header at its position; a bad entry is reported to the segment's
 * {@link SegmentIndexes#damaged(String)} and the walk goes on from the log's headers, so results
 * stay exact with a damaged index.
 *
 * <p>The last entry found right is remembered ({@link #lastChecked}), so a fetch that starts where
 * the previous one stopped does not read that header again. What such an entry says stays true for
 * the segment object: the bytes below a segment's published size never change (appends only add;
 * a rolled-back append cuts bytes that were never published; recovery and index repair make new
 * segment objects), which is why a locator belongs to one segment object.
 *
 * <p>Thread safety: any number of readers concurrently, beside the segment's writer; the readers'
 * limit ({@code maxPosition}) is a size the segment published, below which nothing changes. The
 * only mutable state is the remembered entry, a volatile any reader replaces. Header reads use a
 * per-thread buffer ({@link #HEADER}).
 *
 * <p>Errors: an {@link IOException} when the log's file cannot be read, or when the log itself is
 * damaged (no batch boundary where one must be); the message names the file and the position and
 * says to run {@code rivven verify}. Index damage is not an error (see above).
 */
final class BatchLocator {

    /** Bytes of a batch header needed to walk the log: base offset, length, ..., last offset delta. */
    private static final int WALK_HEADER = RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET + RecordBatchLayout.LAST_OFFSET_DELTA_LENGTH;

    /** A reading thread's buffer for one batch header (also {@link Segment}'s own header reads). */
    static final ThreadLocal<ByteBuffer> HEADER = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(RecordBatchLayout.HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN));

    private final Segment segment;
    private final long baseOffset;
    private final SegmentIndexes indexes;
    /** The last offset-index entry found right ({@link #checkEntry}); any reader replaces it. */
    private volatile CheckedEntry lastChecked;

    /**
     * An offset-index entry checked against the log: a plausible batch ending at {@code lastOffset}
     * starts at {@code position}. What it says stays true for this segment object: the bytes below
     * a segment's published size never change (appends only add; a rolled-back append cuts bytes
     * that were never published; recovery and index repair make new segment objects).
     */
    private record CheckedEntry(long position, long lastOffset, long baseOffset, long end) {
    }

    /** The locator of {@code segment}, whose base offset and indexes these are. */
    BatchLocator(Segment segment, long baseOffset, SegmentIndexes indexes) {
        this.segment = segment;
        this.baseOffset = baseOffset;
        this.indexes = indexes;
    }

    /**
     * The file position of the first batch whose last offset is {@code >= target}; -1 when no batch
     * in {@code [0, maxPosition)} holds it.
     *
     * <p>Usually one header read, or none: the offset index's entry with the smallest offset
     * {@code >= target} is the entry of the batch holding the target whenever that batch has one
     * (with batches larger than the index interval every batch but the first has one), and the
     * batch's header, read to check the entry, tells: if it starts at or below the target, every
     * batch before it ends below the target (batches are in offset order), so it is the one.
     * A fetch that follows the previous one starts at the batch that did not fit, whose entry
     * {@link #endOfBatches} just checked: that check is remembered ({@link #checkEntry}), and no
     * header is read. Otherwise the walk starts from the entry with the largest offset
     * {@code <= target}, as in Kafka's {@code LogSegment.translateOffset}, and reads the headers
     * from there on.
     *
     * <p>Every entry used is checked first: the batch at its position must be plausible and end
     * exactly at its offset. A bad entry (a damaged index) is not trusted: the indexes are reported
     * damaged and the walk starts from position 0. An entry at or past {@code maxPosition} is a
     * batch appended after the reader took {@code maxPosition} (also when a roll sealed the
     * segment since), and damage only when {@code maxPosition} is the sealed segment's end.
     *
     * @throws IOException if the log itself is damaged (no batch boundary where one must be)
     */
    long positionOf(long target, long maxPosition) throws IOException {
        IoFile f = segment.log();
        ByteBuffer h = HEADER.get();
        OffsetPosition holder = indexes.offsetEntryAtOrAbove(target);
        if (usable(holder, maxPosition)) {
            CheckedEntry c = checkEntry(f, h, holder, maxPosition);
            if (c != null && c.baseOffset() <= target) {
                return c.position();
            }
        }
        long pos = 0;
        long previousLast = baseOffset - 1;
        OffsetPosition entry = indexes.offsetEntry(target);
        if (entry != null && entry.position() >= maxPosition && entry.position() > 0 && !endsAt(maxPosition)) {
            return -1; // the batch being appended, or a later one: nothing published holds the target
        }
        CheckedEntry c = usable(entry, maxPosition) ? checkEntry(f, h, entry, maxPosition) : null;
        if (c != null) {
            if (c.lastOffset() >= target) {
                return c.position();
            }
            pos = c.end();
            previousLast = c.lastOffset();
        }
        while (pos < maxPosition) {
            readHeader(f, h, pos);
            if (!plausible(h, pos, maxPosition, previousLast)) {
                throw damagedLog(h, pos, maxPosition);
            }
            long last = lastOffset(h);
            if (last >= target) {
                return pos;
            }
            previousLast = last;
            pos = end(h, pos);
        }
        return -1;
    }

    /**
     * The end of whole batches starting at {@code position} (a batch start): as many as fit in
     * {@code maxBytes}, but at least one, never past {@code maxPosition}.
     *
     * <p>Does not read every batch's header: it jumps to the offset index's last entry below the
     * byte limit ({@code min(position + maxBytes, maxPosition)}), checks that entry as
     * {@link #positionOf} does (a bad one is reported as damage, and the headers are then walked
     * from {@code position}), and walks the few headers from there (one, when every batch is
     * indexed). The first batch's header is not read again when {@link #positionOf} just checked
     * it (an entry check is remembered). Entries at or past the limit are never looked at: an entry exactly at the limit
     * would save nothing (the walk from the entry before it reaches the limit with the same one
     * read), and at the active segment's published size it is a batch being appended right now.
     *
     * @throws IOException if the batch at {@code position} does not fit the log (a damaged log)
     */
    long endOfBatches(long position, int maxBytes, long maxPosition) throws IOException {
        IoFile f = segment.log();
        ByteBuffer h = HEADER.get();
        long limit = Math.min(position + maxBytes, maxPosition);
        long pos = position;
        if (limit - 1 > position) {
            OffsetPosition entry = indexes.offsetEntryAtOrBelowPosition(limit - 1);
            CheckedEntry c = entry != null && entry.position() > position ? checkEntry(f, h, entry, maxPosition) : null;
            if (c != null) {
                if (c.end() > limit) {
                    return c.position();
                }
                pos = c.end();
            }
        }
        CheckedEntry first = lastChecked;
        if (pos == position && first != null && first.position() == position && first.end() <= maxPosition) {
            pos = first.end(); // the first batch, taken whatever its size: positionOf just checked it
        }
        while (pos < maxPosition && (pos < limit || pos == position)) {
            h.clear().limit(RecordBatchLayout.LOG_OVERHEAD);
            f.readFully(h, pos);
            int length = h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
            long next = pos + RecordBatchLayout.LOG_OVERHEAD + length;
            if (length < RecordBatchLayout.MIN_BATCH_LENGTH || next > maxPosition) {
                if (pos == position) {
                    throw new IOException(segment.logFile() + ": batch at position " + pos + " has length " + length
                            + ", which does not fit the log (" + maxPosition + " bytes); the segment is damaged: run 'rivven verify'");
                }
                break;
            }
            if (next > limit && pos > position) {
                break;
            }
            pos = next;
        }
        return pos;
    }

    /**
     * Whether {@code entry} points into {@code [1, maxPosition)}. Position 0 is "no entry"; an
     * entry at or past {@code maxPosition} is reported as damage when {@code maxPosition} is the
     * sealed segment's end (otherwise it is a batch appended after the reader took its limit:
     * being appended, or appended before a roll sealed the segment under the reader).
     */
    private boolean usable(OffsetPosition entry, long maxPosition) {
        if (entry == null || entry.position() <= 0) {
            return false;
        }
        if (entry.position() < maxPosition) {
            return true;
        }
        if (endsAt(maxPosition)) {
            indexes.damaged(indexes.offsetIndexFile() + ": entry for offset " + entry.offset() + " points at position "
                    + entry.position() + ", past the end of the log (" + maxPosition + " bytes)");
        }
        return false;
    }

    /**
     * Checks that a plausible batch ending exactly at {@code entry}'s offset, and within
     * {@code maxPosition}, starts at its position: reads the header there (into {@code h}) unless
     * the entry is the one checked last ({@link #lastChecked}: a fetch checks the entry the next
     * fetch starts from). Returns the batch, or null after reporting the indexes damaged.
     */
    private CheckedEntry checkEntry(IoFile f, ByteBuffer h, OffsetPosition entry, long maxPosition) throws IOException {
        long at = entry.position();
        CheckedEntry c = lastChecked;
        if (c != null && c.position() == at && c.lastOffset() == entry.offset() && c.end() <= maxPosition) {
            return c;
        }
        readHeader(f, h, at);
        boolean plausible = plausible(h, at, maxPosition, baseOffset - 1);
        if (plausible && lastOffset(h) == entry.offset()) {
            c = new CheckedEntry(at, entry.offset(), h.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET), end(h, at));
            lastChecked = c;
            return c;
        }
        indexes.damaged(indexes.offsetIndexFile() + ": entry for offset " + entry.offset() + " points at position " + at
                + ", where " + (plausible ? "a batch ending at offset " + lastOffset(h) + " starts" : "no batch starts"));
        return null;
    }

    /**
     * Whether no batch can follow {@code maxPosition}: the segment is sealed and that is its size.
     * A reader's limit taken before the last appends of a segment sealed since is not its end.
     * {@link Segment#isSealed()} is read first: once it is set, {@link Segment#size()} is final.
     */
    private boolean endsAt(long maxPosition) {
        return segment.isSealed() && segment.size() <= maxPosition;
    }

    /** Reads the {@link #WALK_HEADER} bytes at {@code pos} into {@code h}. */
    private static void readHeader(IoFile f, ByteBuffer h, long pos) throws IOException {
        h.clear().limit(WALK_HEADER);
        f.readFully(h, pos);
    }

    /**
     * Whether the header in {@code h}, read at {@code pos}, is a batch that fits the log and
     * follows a batch ending at {@code previousLast}.
     */
    private static boolean plausible(ByteBuffer h, long pos, long maxPosition, long previousLast) {
        long base = h.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET);
        int length = h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
        int lastDelta = h.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        return h.get(RecordBatchLayout.MAGIC_OFFSET) == RecordBatchLayout.MAGIC
                && length >= RecordBatchLayout.MIN_BATCH_LENGTH && end(h, pos) <= maxPosition && lastDelta >= 0
                && base > previousLast && base + lastDelta >= base;
    }

    private static long lastOffset(ByteBuffer h) {
        return h.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET) + h.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
    }

    /** The position after the batch whose header, read at {@code pos}, is in {@code h}. */
    private static long end(ByteBuffer h, long pos) {
        return pos + RecordBatchLayout.LOG_OVERHEAD + h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
    }

    private IOException damagedLog(ByteBuffer h, long pos, long maxPosition) {
        return new IOException(segment.logFile() + ": no valid batch header at position " + pos + " (batch length "
                + h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET) + ", magic " + h.get(RecordBatchLayout.MAGIC_OFFSET)
                + ", base offset " + h.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET) + "; log size " + maxPosition
                + "); the segment is damaged: run 'rivven verify'");
    }
}
