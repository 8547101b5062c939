package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import java.nio.ByteBuffer;

/**
 * The memory of one {@link RecordBatchWriter}: the output buffer (the batch: 61-byte header, then
 * the records or their compressed stream) and, once a codec is used, the compression input buffer
 * (the records before compression), both from the writer's {@link BufferAllocator} and kept across
 * batches; with a reusable view of each (a {@link ByteBuffer#duplicate()} made when the buffer
 * changes, never per batch) for the codec and the CRC.
 *
 * <p>Growth: {@link #grow} moves the records into a buffer at least twice as large, which may be of
 * another kind (heap or direct) than the old one; {@link #ensureOut} makes room for the compressed
 * stream. A failed allocation (the allocator's exception) leaves every buffer as it was. Nothing
 * exceeds {@link #MAX_CAPACITY}: {@link #ensureOut} throws {@link IllegalStateException} beyond it,
 * and the writer refuses a record that would need more before it asks for room. {@link #trim} and
 * {@link #close()} give buffers back to the allocator.
 *
 * <p>Not thread-safe: owned by one writer.
 */
final class BatchBuffers {

    /** The largest buffer the writer uses (and so the largest batch it builds). */
    static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;
    /** The smallest initial capacity: the header and a few records. */
    static final int MIN_CAPACITY = HEADER_LENGTH + 64;

    private final BufferAllocator allocator;
    private final int initialCapacity;

    private ByteBuffer out;          // the batch: header at 0, then records or the compressed stream; null until needed
    private ByteBuffer outView;      // reusable view of out for the codec and the CRC
    private ByteBuffer scratch;      // records before compression (codec set); null until needed
    private ByteBuffer scratchView;  // reusable view of scratch for the codec

    BatchBuffers(BufferAllocator allocator, int initialCapacity) {
        this.allocator = allocator;
        this.initialCapacity = Math.max(initialCapacity, MIN_CAPACITY);
    }

    /** The output buffer, allocated at the initial capacity if there is none. */
    ByteBuffer out() {
        if (out == null) {
            setOut(allocator.allocate(initialCapacity));
        }
        return out;
    }

    /** A reusable view of {@link #out()} (its position and limit are the caller's to set). */
    ByteBuffer outView() {
        return outView;
    }

    /** The compression input buffer, allocated (at least as large as the output, 1 KiB) if there is none. */
    ByteBuffer scratch() {
        if (scratch == null) {
            setScratch(allocator.allocate(Math.max(out().capacity(), 1024)));
        }
        return scratch;
    }

    /** Whether {@code b} is the output buffer (records are encoded after the header there). */
    boolean isOut(ByteBuffer b) {
        return b == out;
    }

    /** The bytes of memory held: output buffer plus compression input buffer. */
    long capacity() {
        return (out == null ? 0L : out.capacity()) + (scratch == null ? 0L : scratch.capacity());
    }

    /**
     * Replaces {@code old} (the output or the compression input buffer) by a larger one holding its
     * {@code used} bytes from buffer index {@code from} at index {@code start}, with room for
     * {@code more} bytes after them: at least double, at most {@link #MAX_CAPACITY}. The old buffer
     * goes back to the allocator. Nothing changes if the allocation fails.
     *
     * @return the new buffer
     */
    ByteBuffer grow(ByteBuffer old, int start, int from, int used, int more) {
        long capacity = Math.min(MAX_CAPACITY, Math.max((long) start + used + more, 2L * old.capacity()));
        ByteBuffer bigger = allocator.allocate((int) capacity);
        bigger.put(start, old, from, used);
        if (old == out) {
            setOut(bigger);
        } else {
            setScratch(bigger);
        }
        allocator.release(old);
        return bigger;
    }

    /**
     * Compresses the compression input buffer's first {@code n} bytes with {@code codec} into the
     * output buffer after the header (made large enough for the codec's worst case first).
     *
     * @return the batch's size: header plus compressed bytes
     */
    int compressScratchIntoOut(Codec codec, int n) {
        ensureOut((long) HEADER_LENGTH + codec.maxCompressedLength(n));
        ByteBuffer src = scratchView.clear().limit(n);
        ByteBuffer dst = outView.clear().position(HEADER_LENGTH);
        int written = codec.compress(src, dst);
        return HEADER_LENGTH + written;
    }

    /** Makes {@code out} hold at least {@code capacity} bytes; its content is not kept. */
    private void ensureOut(long capacity) {
        if (capacity > MAX_CAPACITY) {
            throw new IllegalStateException("batch may need " + capacity + " bytes, more than " + MAX_CAPACITY);
        }
        if (capacity > out.capacity()) {
            ByteBuffer bigger = allocator.allocate((int) capacity);
            ByteBuffer old = out;
            setOut(bigger);
            allocator.release(old);
        }
    }

    /** Gives every buffer larger than {@code maxRetainedCapacity} bytes back to the allocator. */
    void trim(int maxRetainedCapacity) {
        if (scratch != null && scratch.capacity() > maxRetainedCapacity) {
            ByteBuffer s = scratch;
            setScratch(null);
            allocator.release(s);
        }
        if (out != null && out.capacity() > maxRetainedCapacity) {
            ByteBuffer o = out;
            setOut(null);
            allocator.release(o);
        }
    }

    /** Gives every buffer back to the allocator (they are allocated again if asked for). */
    void close() {
        ByteBuffer o = out;
        ByteBuffer s = scratch;
        setOut(null);
        setScratch(null);
        if (o != null) {
            allocator.release(o);
        }
        if (s != null) {
            allocator.release(s);
        }
    }

    private void setOut(ByteBuffer b) {
        out = b;
        outView = b == null ? null : b.duplicate();
    }

    private void setScratch(ByteBuffer b) {
        scratch = b;
        scratchView = b == null ? null : b.duplicate();
    }
}
