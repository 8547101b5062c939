package io.rivven.core.format.v2;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Evolving;
import io.rivven.api.index.BatchInfo;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link BatchInfo} over a {@link RecordBatch} view, as the log engine hands batches to segment
 * indexes. Reusable: {@link #wrap} it on each batch. Header values are read from the batch;
 * {@link #forEachKey} decodes the records only when called (decompressing when needed).
 *
 * <p>Keys are handed out as one reused read-only view per batch, moved from key to key: valid only
 * during the callback, as {@link BatchInfo#forEachKey} allows. The batch must have been validated
 * (the engine does before indexing); a malformed record still fails with
 * {@link io.rivven.core.record.CorruptRecordException}, never with an index error.
 *
 * <p>Not thread-safe.
 */
@Evolving
public final class RecordBatchInfo implements BatchInfo {

    private final RecordCursor cursor;
    private RecordBatch batch;
    private long position;
    private ByteBuffer viewOf;
    private ByteBuffer view;

    /** @param codecs and {@code allocator}: as for {@link RecordCursor}, used by {@link #forEachKey}. */
    public RecordBatchInfo(CodecResolver codecs, BufferAllocator allocator) {
        this.cursor = new RecordCursor(codecs, allocator);
    }

    /**
     * Points at {@code batch} (not copied: the view must not be re-wrapped while this is in use),
     * which lies at {@code position} in its segment's {@code .log} file.
     */
    public RecordBatchInfo wrap(RecordBatch batch, long position) {
        this.batch = Objects.requireNonNull(batch, "batch");
        this.position = position;
        return this;
    }

    @Override
    public long baseOffset() {
        return batch.baseOffset();
    }

    @Override
    public long lastOffset() {
        return batch.lastOffset();
    }

    @Override
    public long maxTimestamp() {
        return batch.maxTimestamp();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return batch.sizeInBytes();
    }

    @Override
    public int recordCount() {
        return batch.recordCount();
    }

    @Override
    public void forEachKey(Consumer<ByteBuffer> action) {
        try (RecordCursor c = cursor.reset(batch)) {
            while (c.next()) {
                if (!c.hasKey()) {
                    action.accept(null);
                    continue;
                }
                ByteBuffer b = c.buffer();
                if (viewOf != b) {
                    viewOf = b;
                    view = b.asReadOnlyBuffer();
                }
                int k = c.keyIndex();
                view.limit(view.capacity()).position(k).limit(k + c.keySize());
                action.accept(view);
            }
        } finally {
            viewOf = null;
            view = null;
        }
    }

    @Override
    public String toString() {
        return "RecordBatchInfo[position=" + position + ", " + batch + "]";
    }
}
