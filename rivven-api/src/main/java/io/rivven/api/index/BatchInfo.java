package io.rivven.api.index;

import io.rivven.api.Stable;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One record batch as an index sees it when it is appended to a segment (or re-read during
 * recovery). Valid only during the {@link SegmentIndex#append} call that received it.
 */
@Stable
public interface BatchInfo {

    /** The offset of the batch's first record. */
    long baseOffset();

    /** The offset of the batch's last record. */
    long lastOffset();

    /** The largest record timestamp in the batch (ms since the epoch). */
    long maxTimestamp();

    /** The byte position of the batch in the segment's {@code .log} file. */
    long position();

    /** The batch's size in bytes, header included. */
    int sizeInBytes();

    /** The number of records. */
    int recordCount();

    /**
     * Calls {@code action} with each record's key, in offset order; {@code null} for records
     * without a key. Decodes (and, if compressed, decompresses) the batch, so call it only when
     * keys are needed. Each buffer is valid only during its callback.
     */
    void forEachKey(Consumer<ByteBuffer> action);
}
