package io.rivven.testkit;

import io.rivven.api.Evolving;
import io.rivven.api.index.BatchInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link BatchInfo} made of plain values, for index tests: what the engine would report for one
 * appended record batch, without a log behind it.
 *
 * @param baseOffset   the first record's offset
 * @param lastOffset   the last record's offset
 * @param maxTimestamp the largest record timestamp
 * @param position     where the batch starts in the {@code .log}
 * @param sizeInBytes  the batch's size in bytes
 * @param keys         one key per record, in offset order; {@code null} elements for records without a key
 */
@Evolving
public record SimpleBatchInfo(long baseOffset, long lastOffset, long maxTimestamp, long position, int sizeInBytes,
                              List<byte[]> keys) implements BatchInfo {

    public SimpleBatchInfo {
        if (lastOffset < baseOffset) {
            throw new IllegalArgumentException("lastOffset " + lastOffset + " < baseOffset " + baseOffset);
        }
        if (position < 0 || sizeInBytes <= 0) {
            throw new IllegalArgumentException("position " + position + " and sizeInBytes " + sizeInBytes
                    + " must be >= 0 and > 0");
        }
        if (keys.isEmpty() || keys.size() - 1L > lastOffset - baseOffset) {
            throw new IllegalArgumentException(keys.size() + " keys for offsets " + baseOffset + ".." + lastOffset);
        }
        keys = Collections.unmodifiableList(new ArrayList<>(keys));
    }

    /** A batch of {@code recordCount} records with consecutive offsets and no keys. */
    public static SimpleBatchInfo of(long baseOffset, int recordCount, long maxTimestamp, long position, int sizeInBytes) {
        return new SimpleBatchInfo(baseOffset, baseOffset + recordCount - 1, maxTimestamp, position, sizeInBytes,
                Collections.nCopies(recordCount, null));
    }

    /** The number of records: the number of keys. */
    @Override
    public int recordCount() {
        return keys.size();
    }

    /** Calls {@code action} with a read-only buffer per key ({@code null} for records without one). */
    @Override
    public void forEachKey(Consumer<ByteBuffer> action) {
        for (byte[] key : keys) {
            action.accept(key == null ? null : ByteBuffer.wrap(key).asReadOnlyBuffer());
        }
    }

    /** The position just after this batch: where the next one starts. */
    public long endPosition() {
        return position + sizeInBytes;
    }

    @Override
    public String toString() {
        return "batch[" + baseOffset + ".." + lastOffset + " at " + position + "+" + sizeInBytes + ", max ts "
                + maxTimestamp + "]";
    }
}
