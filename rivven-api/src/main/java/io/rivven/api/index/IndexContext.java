package io.rivven.api.index;

import io.rivven.api.Stable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and for what segment an index is opened.
 *
 * @param topic              the topic
 * @param partition          the partition
 * @param baseOffset         the segment's base offset (its first possible offset)
 * @param file               the index file, {@code <base offset>.<suffix>}
 * @param writable           true for the active segment (it will see {@link SegmentIndex#append});
 *                           false for a closed segment opened for lookups only
 * @param maxFileBytes       how large the file may grow; {@link SegmentIndex#isFull()} says when it is
 * @param indexIntervalBytes the config's {@code segment.indexIntervalBytes}: sparse indexes add an
 *                           entry after at least this many log bytes
 */
@Stable
public record IndexContext(String topic, int partition, long baseOffset, Path file, boolean writable,
                           int maxFileBytes, int indexIntervalBytes) {
    public IndexContext {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(file, "file");
        if (baseOffset < 0) {
            throw new IllegalArgumentException("baseOffset " + baseOffset + " < 0");
        }
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes " + maxFileBytes + " <= 0");
        }
        if (indexIntervalBytes <= 0) {
            throw new IllegalArgumentException("indexIntervalBytes " + indexIntervalBytes + " <= 0");
        }
    }
}
