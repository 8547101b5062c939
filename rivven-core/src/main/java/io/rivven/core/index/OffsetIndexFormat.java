package io.rivven.core.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layout of one offset index ({@code .index}) entry: 8 bytes, big-endian, no header, no
 * checksum; entries are back to back from byte 0.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------------------------------------------------------+
 * |   relative offset: int32, (last offset of the batch) - base   |  bytes 0..3
 * +---------------------------------------------------------------+
 * |   position: int32, byte position of the batch in the .log     |  bytes 4..7
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Worked example: in segment {@code 00000000000000001000.index} (base offset 1000), a batch
 * holding offsets 1040..1049 that starts at byte 8192 of the {@code .log} is stored as the entry
 * {@code 00 00 00 31 00 00 20 00} (relative offset 49 = 1049 - 1000, position 8192). As in Kafka,
 * the key is the batch's <em>last</em> offset (see {@link OffsetIndex} for why).
 *
 * <p>Stateless; the accessors neither check bounds beyond the segment's own nor synchronise.
 */
public final class OffsetIndexFormat {

    /** Byte order of every field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.BIG_ENDIAN;

    public static final int RELATIVE_OFFSET_OFFSET = 0;
    public static final int RELATIVE_OFFSET_LENGTH = 4;
    public static final int POSITION_OFFSET = RELATIVE_OFFSET_OFFSET + RELATIVE_OFFSET_LENGTH;
    public static final int POSITION_LENGTH = 4;
    /** The size of one entry in bytes. */
    public static final int ENTRY_LENGTH = POSITION_OFFSET + POSITION_LENGTH;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(BYTE_ORDER);

    private OffsetIndexFormat() {
    }

    /** The relative offset stored in entry {@code slot}. */
    public static int relativeOffset(MemorySegment entries, int slot) {
        return entries.get(INT, (long) slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    /** The log position stored in entry {@code slot}. */
    public static int position(MemorySegment entries, int slot) {
        return entries.get(INT, (long) slot * ENTRY_LENGTH + POSITION_OFFSET);
    }

    /** Writes entry {@code slot}. */
    public static void put(MemorySegment entries, int slot, int relativeOffset, int position) {
        long at = (long) slot * ENTRY_LENGTH;
        entries.set(INT, at + RELATIVE_OFFSET_OFFSET, relativeOffset);
        entries.set(INT, at + POSITION_OFFSET, position);
    }
}
