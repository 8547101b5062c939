package io.rivven.api;

import java.nio.ByteBuffer;

/**
 * Where a plugin gets buffers whose size it only learns while working (a decompressor's output,
 * say), so that the engine can hand out pooled buffers.
 *
 * <p>Contract: {@link #allocate} returns a buffer with position 0 and {@code capacity() >= minCapacity}
 * (its limit is its capacity, its content undefined). The caller owns it until it passes it to
 * {@link #release}, after which it must not touch it. Releasing a buffer this allocator did not
 * hand out is allowed and ignored. Implementations are thread-safe.
 */
@Stable
public interface BufferAllocator {

    /** Plain heap buffers; {@link #release} does nothing. */
    BufferAllocator HEAP = ByteBuffer::allocate;

    /** Plain direct buffers; {@link #release} does nothing (the GC frees them). */
    BufferAllocator DIRECT = ByteBuffer::allocateDirect;

    /** A buffer of at least {@code minCapacity} bytes, position 0, limit = capacity. */
    ByteBuffer allocate(int minCapacity);

    /** Gives a buffer back; the caller must not use it afterwards. */
    default void release(ByteBuffer buffer) {
    }

    /**
     * Returns a buffer of at least {@code minCapacity} holding {@code buffer}'s bytes from 0 to its
     * position, with the same position; releases {@code buffer}. Used to grow output buffers.
     */
    default ByteBuffer grow(ByteBuffer buffer, int minCapacity) {
        if (buffer.capacity() >= minCapacity) {
            return buffer;
        }
        ByteBuffer bigger = allocate(minCapacity);
        buffer.flip();
        bigger.put(buffer);
        release(buffer);
        return bigger;
    }
}
