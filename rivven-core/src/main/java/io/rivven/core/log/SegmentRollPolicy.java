package io.rivven.core.log;

import java.io.IOException;

/**
 * When a partition's active segment is rolled: Kafka's {@code LogSegment.shouldRoll} without
 * jitter. The batch about to be appended would make the segment larger than
 * {@code segment.bytes}, its offsets would not fit the 4-byte relative offsets, an index is full,
 * or the segment is older than {@code segment.ms}. Age counts two ways: on the engine clock since
 * the first append of this session (exact, and blind to record timestamps), and, as Kafka counts
 * it, from the first batch's timestamp to this batch's, which is all a reopened engine knows (a
 * reopen would otherwise restart the age from the log's last modification). A first batch with a
 * timestamp far in the past rolls the segment at the next batch, as in Kafka. An empty segment
 * never rolls.
 *
 * <p>Thread safety: immutable, but {@link #shouldRoll} reads the active segment's writer-only
 * state, so the partition asks it under its lock, as its writer.
 *
 * <p>Errors: none thrown. When the first batch's timestamp cannot be read (asked once per
 * segment), a warning is logged (under {@link PartitionLog}'s logger) and that segment ages on the
 * engine clock only.
 */
final class SegmentRollPolicy {

    private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());

    private final String name;
    private final LogConfig config;

    /**
     * @param name   the partition ({@code topic-n}), for messages
     * @param config its {@code segmentBytes} and {@code segmentMs} apply
     */
    SegmentRollPolicy(String name, LogConfig config) {
        this.name = name;
        this.config = config;
    }

    /**
     * Whether to roll {@code active} before appending a batch of {@code batchSize} bytes whose last
     * offset is {@code lastOffset} and largest timestamp {@code batchMaxTimestamp}, at engine time
     * {@code now} (ms).
     */
    boolean shouldRoll(Segment active, int batchSize, long lastOffset, long batchMaxTimestamp, long now) {
        if (active.isEmpty()) {
            return false;
        }
        boolean full = active.size() + batchSize > config.segmentBytes();
        boolean offsetsOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        return full || offsetsOverflow || active.anyIndexFull() || tooOld(active, batchMaxTimestamp, now);
    }

    private boolean tooOld(Segment active, long batchMaxTimestamp, long now) {
        long max = config.segmentMs();
        if (max == Long.MAX_VALUE) {
            return false;
        }
        if (now - active.createdMs() > max) {
            return true;
        }
        long first;
        try {
            first = active.firstBatchTimestamp();
        } catch (IOException e) { // asked once: the engine clock alone ages this segment then
            LOG.log(System.Logger.Level.WARNING, "{0}: reading the first batch of {1} failed; segment.ms counts on the engine"
                    + " clock only for this segment: {2}", name, active.logFile(), e.toString());
            return false;
        }
        return first >= 0 && batchMaxTimestamp >= 0 && batchMaxTimestamp - first > max;
    }
}
