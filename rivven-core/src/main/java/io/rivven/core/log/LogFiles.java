package io.rivven.core.log;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Names of the files in a partition directory ({@code data/topics/<topic>/partition-<n>/}).
 *
 * <pre>
 *   00000000000000000000.log          record batches (Kafka RecordBatch v2), back to back
 *   00000000000000000000.index        offset index        (rebuilt from the log when needed)
 *   00000000000000000000.timeindex    time index          (rebuilt from the log when needed)
 *   00000000000000000000.&lt;suffix&gt;     plugin index files  (rebuilt from the log when needed)
 *   00000000000000000000.log.deleted  a segment file being deleted (retention): removed at open
 *   00000000000000000000.log.cleaned  a compacted segment being written: removed at open
 *   00000000000000000000.log.swap     a compacted segment ready to replace the original: swapped in at open
 *   recovery-point.checkpoint         offsets below it were fsynced; recovery validates from there
 *   log-start-offset.checkpoint       the first readable offset
 *   .clean-shutdown                   present only between a clean close and the next open
 * </pre>
 *
 * The 20-digit base offset is the offset of the segment's first possible record, zero-padded so
 * that names sort in offset order. Stateless.
 */
public final class LogFiles {

    public static final String LOG = "log";
    public static final String OFFSET_INDEX = "index";
    public static final String TIME_INDEX = "timeindex";
    public static final String DELETED = ".deleted";
    public static final String CLEANED = ".cleaned";
    public static final String SWAP = ".swap";
    public static final String RECOVERY_POINT = "recovery-point.checkpoint";
    public static final String LOG_START_OFFSET = "log-start-offset.checkpoint";
    public static final String CLEAN_SHUTDOWN = ".clean-shutdown";
    public static final String PARTITION_PREFIX = "partition-";

    private LogFiles() {
    }

    /** {@code 00000000000000000042} for 42. */
    public static String baseName(long baseOffset) {
        if (baseOffset < 0) {
            throw new IllegalArgumentException("negative base offset " + baseOffset);
        }
        String digits = Long.toString(baseOffset);
        return "0".repeat(20 - digits.length()) + digits;
    }

    /** {@code <dir>/<20-digit base offset>.<suffix>}. */
    public static Path file(Path dir, long baseOffset, String suffix) {
        return dir.resolve(baseName(baseOffset) + "." + suffix);
    }

    /** The base offset of a file named {@code <20 digits>.<suffix>[.tag]}, or empty for other names. */
    public static OptionalLong baseOffsetOf(String fileName) {
        if (fileName.length() < 22 || fileName.charAt(20) != '.') {
            return OptionalLong.empty();
        }
        long v = 0;
        for (int i = 0; i < 20; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            v = v * 10 + (c - '0');
            if (v < 0) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(v);
    }

    /** The suffix after the base offset and its dot, e.g. {@code log} or {@code log.swap}. */
    public static String suffixOf(String fileName) {
        return fileName.length() > 21 ? fileName.substring(21) : "";
    }

    /** {@code partition-<n>}. */
    public static String partitionDirName(int partition) {
        return PARTITION_PREFIX + partition;
    }
}
