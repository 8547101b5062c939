package io.rivven.core.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layout of one time index ({@code .timeindex}) entry: 12 bytes, big-endian, no header, no
 * checksum; entries are back to back from byte 0.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------------------------------------------------------+
 * |   timestamp: int64, the largest record timestamp seen so far  |  bytes 0..7
 * |   in the segment (ms since the epoch)                         |
 * +---------------------------------------------------------------+
 * |   relative offset: int32, offset - base, where that largest   |  bytes 8..11
 * |   timestamp was first reached (the batch's last offset)       |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Worked example: in segment {@code 00000000000000001000.timeindex} (base offset 1000), the
 * entry {@code 00 00 01 8F 4D F7 40 00 00 00 00 31} says that up to offset 1049 (relative 49) the
 * largest timestamp is 1715000000512 ms ({@code 0x18F4DF74000}); no record before offset 1049 has
 * a larger one.
 *
 * <p>Stateless; the accessors neither check bounds beyond the segment's own nor synchronise.
 */
public final class TimeIndexFormat {

    /** Byte order of every field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.BIG_ENDIAN;

    public static final int TIMESTAMP_OFFSET = 0;
    public static final int TIMESTAMP_LENGTH = 8;
    public static final int RELATIVE_OFFSET_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_LENGTH;
    public static final int RELATIVE_OFFSET_LENGTH = 4;
    /** The size of one entry in bytes. */
    public static final int ENTRY_LENGTH = RELATIVE_OFFSET_OFFSET + RELATIVE_OFFSET_LENGTH;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(BYTE_ORDER);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(BYTE_ORDER);

    private TimeIndexFormat() {
    }

    /** The timestamp stored in entry {@code slot}. */
    public static long timestamp(MemorySegment entries, int slot) {
        return entries.get(LONG, (long) slot * ENTRY_LENGTH + TIMESTAMP_OFFSET);
    }

    /** The relative offset stored in entry {@code slot}. */
    public static int relativeOffset(MemorySegment entries, int slot) {
        return entries.get(INT, (long) slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    /** Writes entry {@code slot}. */
    public static void put(MemorySegment entries, int slot, long timestamp, int relativeOffset) {
        long at = (long) slot * ENTRY_LENGTH;
        entries.set(LONG, at + TIMESTAMP_OFFSET, timestamp);
        entries.set(INT, at + RELATIVE_OFFSET_OFFSET, relativeOffset);
    }
}
