package io.rivven.core.index;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The offset index of one segment ({@code <base offset>.index}, provider {@code offset}): a sparse
 * map from offsets to byte positions in the segment's {@code .log}, memory-mapped.
 *
 * <h2>Format</h2>
 * A sequence of 8-byte big-endian entries, {@code (offset - base offset: int32, position: int32)},
 * in strictly increasing offset and position order; layout and a worked example in
 * {@link OffsetIndexFormat}. No header, no checksum. Entries are sparse: a batch gets one when more
 * than {@code indexIntervalBytes} of log were appended since the last batch that got one (Kafka's
 * rule; the first batch of a segment never gets one, since a lookup that finds no entry starts at
 * position 0 anyway).
 *
 * <h2>Why the key is the batch's last offset</h2>
 * As Kafka's {@code LogSegment}, an entry maps the batch's <em>last</em> offset to the batch's
 * start position. A lookup still works (the largest entry {@code <= target} is a batch that ends at
 * or before the target, so the batch holding the target starts at or after its position), and
 * truncation stays exact: the engine truncates the log at a batch boundary {@code X}, and
 * {@link #truncateTo(long) truncateTo(X)} drops the entries {@code >= X}, which are exactly the
 * batches that were cut. Keyed by base offset, an entry for a batch spanning {@code X} would survive
 * and point past the end of the log. (Kafka's historical reason was the v0/v1 wrapper message, whose
 * offset was the last inner offset; files stay in Kafka's layout and meaning.) Consequently the
 * batch at the returned position may start below the returned offset: the caller scans forward
 * from the position for the first batch whose last offset is {@code >= target}.
 *
 * <h2>Lookups</h2>
 * By offset ({@link #lookup}, and {@link #lookupAtOrAbove} for the entry of the batch that may
 * hold an offset) and by position ({@link #lookupByPosition}: where whole batches end near a byte
 * limit, for a fetch). Both searches work because offsets and positions both increase strictly
 * from entry to entry. Every lookup returns {@code (base offset, 0)} when no entry qualifies;
 * no entry has position 0 (the first batch of a segment gets none), so position 0 always means
 * "no entry: start from the beginning of the log".
 *
 * <h2>Thread safety and crashes</h2>
 * One writer, many concurrent lock-free lookups (see the {@linkplain io.rivven.core.index package}
 * documentation for the file lifecycle and the locking). After an unclean
 * shutdown the file may hold a preallocated zero tail or stale entries; the engine rebuilds it from
 * the log ({@link #reset()} and re-append), and {@link #sanityCheck()} reports such a file: entries
 * whose offsets or positions do not increase, or a length that is not a multiple of 8.
 */
public final class OffsetIndex extends AbstractIndex<OffsetPosition> implements OffsetLookup {

    /** The second search key: the entry's position in the log. */
    private static final int POSITION_KEY = MAIN_KEY + 1;

    private final OffsetPosition empty;

    private OffsetIndex(IndexContext context) throws IOException {
        super(context, OffsetIndexFormat.ENTRY_LENGTH, 0);
        this.empty = new OffsetPosition(context.baseOffset(), 0);
    }

    /**
     * Opens the index described by {@code context}: creates and preallocates a missing file when
     * writable, maps an existing one.
     *
     * @throws java.nio.file.NoSuchFileException when read-only and the file is missing
     * @throws IllegalArgumentException when writable and {@code maxFileBytes} holds no entry
     * @throws IOException when the file cannot be opened, sized or mapped
     */
    public static OffsetIndex open(IndexContext context) throws IOException {
        return new OffsetIndex(context);
    }

    /** Records {@code (batch.lastOffset(), batch.position())} when the batch is due for an entry. */
    @Override
    public void append(BatchInfo batch) throws IOException {
        if (admit(batch)) {
            appendEntry(batch.lastOffset(), batch.position(), false);
        }
    }

    /**
     * The entry with the largest offset {@code <= target}, or {@code (base offset, 0)} when there is
     * none. Lock-free; allocates only the returned record.
     */
    @Override
    public OffsetPosition lookup(long target) {
        return lookupEntry(target);
    }

    /**
     * The entry with the smallest offset {@code >= target}: the entry of the batch holding
     * {@code target} if that batch has one (the batch before it then ends below {@code target});
     * {@code (base offset, 0)} when there is none. The caller must check that the batch at the
     * returned position starts at or below {@code target} before it concludes that it holds it.
     * Lock-free; allocates only the returned record.
     */
    public OffsetPosition lookupAtOrAbove(long target) {
        // keys are base offset (>= 0) + a 32-bit relative offset: none is Long.MIN_VALUE
        return lookupEntryAbove(MAIN_KEY, Math.max(target, Long.MIN_VALUE + 1) - 1);
    }

    /**
     * The entry with the largest position {@code <= position}: the last indexed batch that starts
     * at or below that byte of the log; {@code (base offset, 0)} when there is none. Lock-free;
     * allocates only the returned record.
     */
    public OffsetPosition lookupByPosition(long position) {
        return lookupEntry(POSITION_KEY, position);
    }

    /** The last entry, or {@code (base offset, 0)} when empty. */
    public OffsetPosition lastEntry() {
        return lastFileEntry();
    }

    @Override
    protected OffsetPosition parseEntry(MemorySegment entries, int slot) {
        return new OffsetPosition(baseOffset() + OffsetIndexFormat.relativeOffset(entries, slot),
                OffsetIndexFormat.position(entries, slot));
    }

    @Override
    protected OffsetPosition emptyEntry() {
        return empty;
    }

    /** {@link #MAIN_KEY}: the absolute offset; {@link #POSITION_KEY}: the position. */
    @Override
    protected long searchKey(MemorySegment entries, int slot, int key) {
        return key == POSITION_KEY ? OffsetIndexFormat.position(entries, slot)
                : OffsetIndexFormat.relativeOffset(entries, slot) + baseOffset();
    }

    @Override
    protected long entryOffset(MemorySegment entries, int slot) {
        return OffsetIndexFormat.relativeOffset(entries, slot) + baseOffset();
    }

    @Override
    protected long entryPosition(MemorySegment entries, int slot) {
        return OffsetIndexFormat.position(entries, slot);
    }

    @Override
    protected void writeEntry(MemorySegment entries, int slot, long offset, long position) {
        OffsetIndexFormat.put(entries, slot, (int) (offset - baseOffset()), (int) position);
    }

    @Override
    protected void checkEntry(MemorySegment entries, int slot) throws CorruptIndexException {
        int relative = OffsetIndexFormat.relativeOffset(entries, slot);
        int position = OffsetIndexFormat.position(entries, slot);
        if (relative < 0) {
            throw corruptEntry(slot, "offset " + (baseOffset() + relative) + " is below the base offset "
                    + baseOffset() + " (relative offset " + relative + ", expected >= 0)");
        }
        if (position < 0) {
            throw corruptEntry(slot, "position " + position + " is negative (expected >= 0)");
        }
        if (slot > 0) {
            int previousRelative = OffsetIndexFormat.relativeOffset(entries, slot - 1);
            if (relative <= previousRelative) {
                throw corruptEntry(slot, "offset " + (baseOffset() + relative) + " does not increase: expected > "
                        + (baseOffset() + previousRelative) + " (entry " + (slot - 1) + ")");
            }
            int previousPosition = OffsetIndexFormat.position(entries, slot - 1);
            if (position <= previousPosition) {
                throw corruptEntry(slot, "position " + position + " does not increase: expected > "
                        + previousPosition + " (entry " + (slot - 1) + ")");
            }
        }
    }
}
