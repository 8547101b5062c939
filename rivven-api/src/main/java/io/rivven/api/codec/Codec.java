package io.rivven.api.codec;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Stable;
import java.nio.ByteBuffer;

/**
 * A configured batch compression codec: compresses and decompresses the records section of a
 * record batch. The bytes it writes are the codec's standard stream framing (for the standard ids
 * exactly what Kafka writes and reads), so segments stay readable by other tools.
 *
 * <p>Buffers may be heap or direct, at any position (slices and offsets are fine); a codec reads
 * only {@code src}'s remaining bytes and writes only from {@code dst}'s position.
 *
 * <p>Thread safety: instances are immutable and safe for concurrent use; per-call state
 * (contexts, streams) is created per call or kept in thread-local or pooled holders.
 *
 * <p>Corrupt or truncated input makes {@link #decompress} throw {@link CodecException}; it never
 * crashes the JVM, loops forever, or returns garbage silently where the framing has a checksum.
 */
@Stable
public interface Codec {

    /** The provider's name, e.g. {@code "zstd"}. */
    String name();

    /** The id written in attribute bits 0–2 of each batch: see {@link CodecProvider#id()}. */
    byte id();

    /**
     * An upper bound on the compressed size of {@code sourceLength} bytes (framing included).
     * {@link #compress} never writes more.
     */
    int maxCompressedLength(int sourceLength);

    /**
     * Compresses all remaining bytes of {@code src} into {@code dst} as one complete stream.
     * On return {@code src.position() == src.limit()} and {@code dst}'s position has advanced by
     * the returned count.
     *
     * @return the number of bytes written to {@code dst}
     * @throws java.nio.BufferOverflowException if {@code dst.remaining() <
     *         maxCompressedLength(src.remaining())}; nothing is consumed then
     */
    int compress(ByteBuffer src, ByteBuffer dst);

    /**
     * Decompresses one complete stream: all remaining bytes of {@code src}. The output size is not
     * known in advance, so the codec takes its output buffer from {@code allocator} and grows it
     * with {@link BufferAllocator#grow}.
     *
     * @return the decompressed bytes in a buffer from {@code allocator}, position 0, limit = length;
     *         the caller releases it to {@code allocator}. {@code src} is fully consumed.
     * @throws CodecException if the input is corrupt or truncated
     */
    ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator);
}
