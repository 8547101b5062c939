package io.rivven.bench.rivven;

import io.rivven.api.BufferAllocator;
import java.nio.ByteBuffer;

/**
 * A {@link BufferAllocator} that keeps the last released heap buffer and hands it out again when it
 * is large enough: what Kafka's consumer gets from {@code BufferSupplier.create()} (a cache of
 * released buffers by size) on Kafka's side of the decoding benchmarks, so that neither side
 * allocates a fresh decompression buffer per batch. Rivven's core has no pooled allocator of its
 * own yet (its engine uses {@link BufferAllocator#HEAP}).
 *
 * <p>Not thread-safe: one per benchmark thread, as Kafka's supplier.
 */
public final class ReusingAllocator implements BufferAllocator {

    private ByteBuffer cached;

    @Override
    public ByteBuffer allocate(int minCapacity) {
        ByteBuffer b = cached;
        if (b != null && b.capacity() >= minCapacity) {
            cached = null;
            return b.clear();
        }
        return ByteBuffer.allocate(minCapacity);
    }

    @Override
    public void release(ByteBuffer buffer) {
        if (buffer != null && !buffer.isDirect() && !buffer.isReadOnly()
                && (cached == null || buffer.capacity() > cached.capacity())) {
            cached = buffer;
        }
    }
}
