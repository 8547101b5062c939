package io.rivven.core.format.v2;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import java.nio.ByteBuffer;

/**
 * Decompresses a {@link RecordCursor}'s compressed batches into a buffer it owns, bounded against
 * decompression bombs: it is itself the allocator the codec is given, passing requests on to the
 * cursor's allocator but refusing any buffer larger than {@code maxBytes}, so that a small batch
 * crafted to expand to gigabytes fails before anything that large is allocated.
 *
 * <p>Ownership: the buffer {@link #decompress} returns is held until {@link #releaseBuffer()}, which
 * gives it back to the cursor's allocator (the cursor calls it on reset and close); buffers the codec
 * releases itself go straight back too.
 *
 * <p>Errors: a codec failure, the bound included, becomes a {@link CorruptRecordException} naming
 * the batch position, the records section's size, the codec and its id; a
 * {@code CorruptRecordException} from the codec passes unchanged. Not thread-safe: owned by one
 * cursor.
 */
final class BoundedDecompressor implements BufferAllocator {

    private final BufferAllocator allocator;
    private final int maxBytes;
    private ByteBuffer decompressed; // owned, null when none

    /** @param maxBytes the largest buffer a codec may ask for (positive; the cursor checks it) */
    BoundedDecompressor(BufferAllocator allocator, int maxBytes) {
        this.allocator = allocator;
        this.maxBytes = maxBytes;
    }

    /**
     * Decompresses {@code src} (the records section of the batch at {@code batchPosition}, of codec id
     * {@code codecId}) with {@code codec}; the result stays owned here until {@link #releaseBuffer()}.
     *
     * @return the decompressed records, between its position and limit
     * @throws CorruptRecordException if they do not decompress, or would need more than {@code maxBytes}
     */
    ByteBuffer decompress(Codec codec, ByteBuffer src, long batchPosition, byte codecId) {
        int size = src.remaining();
        try {
            decompressed = codec.decompress(src, this);
        } catch (CorruptRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptRecordException(batchPosition, "records", "batch at position " + batchPosition
                    + ": its " + size + "-byte records section does not decompress with codec '" + codec.name()
                    + "' (id " + codecId + "): " + e.getMessage(), e);
        }
        return decompressed;
    }

    /** Whether a buffer of {@link #decompress} is held. */
    boolean hasBuffer() {
        return decompressed != null;
    }

    /** Gives the buffer of the last {@link #decompress} back to the allocator, if one is held. Idempotent. */
    void releaseBuffer() {
        ByteBuffer d = decompressed;
        if (d != null) {
            decompressed = null;
            allocator.release(d);
        }
    }

    // ---- the allocator the codec sees --------------------------------------------------------

    @Override
    public ByteBuffer allocate(int minCapacity) {
        check(minCapacity);
        return allocator.allocate(minCapacity);
    }

    @Override
    public void release(ByteBuffer buffer) {
        allocator.release(buffer);
    }

    @Override
    public ByteBuffer grow(ByteBuffer buffer, int minCapacity) {
        check(minCapacity);
        return allocator.grow(buffer, minCapacity);
    }

    private void check(int capacity) {
        if (capacity > maxBytes) {
            throw new IllegalStateException("its records would decompress to more than " + maxBytes
                    + " bytes (the codec asked for a buffer of " + capacity + " bytes), the limit of this reader");
        }
    }
}
