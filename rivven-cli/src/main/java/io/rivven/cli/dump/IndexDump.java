package io.rivven.cli.dump;

import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.index.OffsetIndexFormat;
import io.rivven.core.index.TimeIndexFormat;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Prints the entries of an offset index ({@code .index}: offset and position) or a time index
 * ({@code .timeindex}: timestamp and offset), reading the fixed-size entries of
 * {@link OffsetIndexFormat} / {@link TimeIndexFormat} straight from the (read-only) file, so that a
 * damaged index is shown as it is rather than rejected.
 *
 * <p>Index files of the active segment are preallocated and zero-filled: the first all-zero entry
 * ends the entries (no real entry is all zeros: the first batch of a segment never gets an offset
 * entry, and time entries have real timestamps), and the rest is reported as one line. Entries out
 * of order, and offset entries that do not point at a batch ending at their offset in the segment's
 * {@code .log} (when given), are flagged on their line and counted.
 *
 * <p>Not thread-safe; one instance per dump.
 */
public final class IndexDump {

    private final PrintWriter out;

    public IndexDump(PrintWriter out) {
        this.out = out;
    }

    /** What a dump found. */
    public record Summary(int entries, int problems) {
    }

    /**
     * Dumps an offset index.
     *
     * @param log the segment's {@code .log} bytes to check the entries against, or null
     */
    public Summary dumpOffsetIndex(Path file, long baseOffset, MemorySegment data, ByteBuffer log) {
        int entrySize = OffsetIndexFormat.ENTRY_LENGTH;
        long slots = data.byteSize() / entrySize;
        out.println("Dumping " + file + " (offset index, base offset " + baseOffset + ", " + data.byteSize() + " bytes"
                + (log == null ? "; no .log next to it to check entries against" : "") + ")");
        int n = 0;
        int problems = 0;
        long prevOffset = -1;
        long prevPosition = -1;
        for (int slot = 0; slot < slots; slot++) {
            int rel = OffsetIndexFormat.relativeOffset(data, slot);
            int position = OffsetIndexFormat.position(data, slot);
            if (rel == 0 && position == 0) {
                problems += zeroTail(data, slot, slots, entrySize);
                break;
            }
            long offset = baseOffset + rel;
            StringBuilder sb = new StringBuilder("offset: ").append(offset).append(" position: ").append(position);
            String problem = null;
            if (rel < 0 || position < 0) {
                problem = "negative relative offset or position";
            } else if (n > 0 && (offset <= prevOffset || position <= prevPosition)) {
                problem = "not above the previous entry (offset " + prevOffset + ", position " + prevPosition + ")";
            } else if (log != null) {
                problem = checkAgainstLog(log, offset, position);
            }
            if (problem != null) {
                sb.append("  PROBLEM: ").append(problem);
                problems++;
            }
            out.println(sb);
            prevOffset = offset;
            prevPosition = position;
            n++;
        }
        return finish(data, entrySize, n, problems);
    }

    /** Dumps a time index. */
    public Summary dumpTimeIndex(Path file, long baseOffset, MemorySegment data) {
        int entrySize = TimeIndexFormat.ENTRY_LENGTH;
        long slots = data.byteSize() / entrySize;
        out.println("Dumping " + file + " (time index, base offset " + baseOffset + ", " + data.byteSize() + " bytes)");
        int n = 0;
        int problems = 0;
        long prevTimestamp = Long.MIN_VALUE;
        long prevOffset = -1;
        for (int slot = 0; slot < slots; slot++) {
            long timestamp = TimeIndexFormat.timestamp(data, slot);
            int rel = TimeIndexFormat.relativeOffset(data, slot);
            if (timestamp == 0 && rel == 0) {
                problems += zeroTail(data, slot, slots, entrySize);
                break;
            }
            long offset = baseOffset + rel;
            StringBuilder sb = new StringBuilder("timestamp: ").append(timestamp).append(" offset: ").append(offset);
            String problem = null;
            if (rel < 0) {
                problem = "negative relative offset";
            } else if (n > 0 && (timestamp <= prevTimestamp || offset < prevOffset)) {
                problem = "out of order after the previous entry (timestamp " + prevTimestamp + ", offset " + prevOffset
                        + "): timestamps must increase and offsets must not decrease";
            }
            if (problem != null) {
                sb.append("  PROBLEM: ").append(problem);
                problems++;
            }
            out.println(sb);
            prevTimestamp = timestamp;
            prevOffset = offset;
            n++;
        }
        return finish(data, entrySize, n, problems);
    }

    /** Reports the zero-filled tail from {@code slot}; returns 1 if a non-zero entry follows it (garbage). */
    private int zeroTail(MemorySegment data, int slot, long slots, int entrySize) {
        long end = slots * entrySize;
        long firstNonZero = -1;
        for (long i = (long) slot * entrySize; i < end; i += 8) {
            long v = i + 8 <= end ? data.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i) : tail(data, i, end);
            if (v != 0) {
                firstNonZero = i;
                break;
            }
        }
        out.println("(" + (slots - slot) + " zero-filled slots from byte " + (long) slot * entrySize
                + ": preallocated, unused)");
        if (firstNonZero >= 0) {
            out.println("PROBLEM: non-zero bytes at byte " + firstNonZero + " after the first zero entry (stale or garbage entries)");
            return 1;
        }
        return 0;
    }

    private static long tail(MemorySegment data, long from, long end) {
        long v = 0;
        for (long i = from; i < end; i++) {
            v |= data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
        }
        return v;
    }

    private Summary finish(MemorySegment data, int entrySize, int entries, int problems) {
        long extra = data.byteSize() % entrySize;
        if (extra != 0) {
            out.println("PROBLEM: " + extra + " trailing bytes: the file length " + data.byteSize() + " is not a multiple of "
                    + entrySize);
            problems++;
        }
        out.println(entries + (entries == 1 ? " entry, " : " entries, ") + problems + (problems == 1 ? " problem" : " problems")
                + (problems == 0 ? ""
                : " (an index is rebuilt from the log: delete the file while the engine is stopped)"));
        out.flush();
        return new Summary(entries, problems);
    }

    /** Null when the batch at {@code position} of the log ends at {@code offset}; else what is wrong. */
    private static String checkAgainstLog(ByteBuffer log, long offset, int position) {
        if ((long) position + RecordBatchLayout.HEADER_LENGTH > log.limit()) {
            return "position is beyond the end of the .log (" + log.limit() + " bytes)";
        }
        long base = RecordBatchLayout.baseOffset(log, position);
        long last = base + RecordBatchLayout.lastOffsetDelta(log, position);
        if (last != offset) {
            return "the batch at this position of the .log holds offsets " + base + ".." + last
                    + ", expected one ending at " + offset;
        }
        return null;
    }
}
