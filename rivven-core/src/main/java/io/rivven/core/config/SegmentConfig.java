package io.rivven.core.config;

/**
 * How a partition's log is cut into segments: {@code "segment": {…}}.
 *
 * @param bytes              roll to a new segment when the active one would exceed this size
 *                           ({@code segment.bytes}, {@value #MIN_BYTES}..2147483647, default 1 GiB)
 * @param ms                 roll when the active segment's first batch is older than this
 *                           ({@code segment.ms}, at least 1, default 7 days)
 * @param indexIntervalBytes add a sparse offset/time index entry after at least this many log bytes
 *                           ({@code segment.indexIntervalBytes}, at least 1, default 4096)
 * @param indexMaxBytes      the size index files are preallocated to; roll when one is full
 *                           ({@code segment.indexMaxBytes}, {@value #MIN_INDEX_BYTES}..2147483647, default 10 MiB)
 * @param preallocateBytes   reserve disk space for the active segment up to this far ahead of its end
 *                           (as far as the segment holds, at least 64 KiB;
 *                           {@code segment.preallocateBytes}, 0..2147483647, default 1 MiB; 0 = never):
 *                           appends into reserved space cost the kernel less on ext4 and XFS. Used
 *                           with {@code flush.mode} {@code os} only (under fsyncs it costs more than it
 *                           saves). The space not filled is given back when the segment rolls or the
 *                           engine closes
 */
public record SegmentConfig(long bytes, long ms, int indexIntervalBytes, int indexMaxBytes, int preallocateBytes) {

    /** The smallest {@code segment.bytes}: a batch header is 61 bytes. */
    public static final long MIN_BYTES = 64;
    /**
     * The smallest {@code segment.indexMaxBytes}: two 12-byte time-index entries (the engine keeps
     * one free for a segment's final entry, so a smaller file could never take one).
     */
    public static final int MIN_INDEX_BYTES = 24;

    /** Built-in defaults: 1 GiB, 7 days, 4096, 10 MiB (as Kafka's); 1 MiB reserved ahead. */
    public static final SegmentConfig DEFAULTS = new SegmentConfig(1L << 30, 7L * 24 * 3600 * 1000, 4096, 10 << 20, 1 << 20);

    public SegmentConfig {
        if (bytes < MIN_BYTES || bytes > Integer.MAX_VALUE || ms < 1 || indexIntervalBytes < 1 || indexMaxBytes < MIN_INDEX_BYTES
                || preallocateBytes < 0) {
            throw new IllegalArgumentException("invalid segment config: " + bytes + ", " + ms + ", " + indexIntervalBytes
                    + ", " + indexMaxBytes + ", " + preallocateBytes);
        }
    }
}
