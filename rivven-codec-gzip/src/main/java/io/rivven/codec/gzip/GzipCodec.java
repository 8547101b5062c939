package io.rivven.codec.gzip;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * gzip through the JDK's zlib ({@link Deflater} / {@link Inflater} on raw DEFLATE, with the
 * {@link GzipFormat gzip member} header and trailer written and checked here). Writes one member,
 * byte for byte what Kafka's {@code GzipOutputStream} writes at the same level; reads any valid
 * gzip stream: optional header fields, header CRC, several members, and checks each member's CRC-32
 * and ISIZE. Bytes after the last member that do not form another member are an error here, where
 * {@code GZIPInputStream} (Kafka's reader) silently ignores them; no writer of batches produces them.
 *
 * <p>Thread safety: immutable; deflaters and inflaters come from lock-free pools, one per call.
 */
final class GzipCodec implements Codec {

    /** The largest buffer a decompression grows to. */
    private static final int MAX_OUTPUT = Integer.MAX_VALUE - 16;

    private static final Pool<Inflater> INFLATERS = new Pool<>(() -> new Inflater(true), Inflater::end);

    private final int level;
    private final Pool<Deflater> deflaters;

    GzipCodec(int level) {
        this.level = level;
        this.deflaters = new Pool<>(() -> new Deflater(level, true), Deflater::end);
    }

    int level() {
        return level;
    }

    @Override
    public String name() {
        return GzipCodecProvider.NAME;
    }

    @Override
    public byte id() {
        return CodecProvider.GZIP;
    }

    /**
     * zlib's conservative bound (the larger of its fixed-Huffman and stored-block bounds), which also
     * holds for other zlib builds such as zlib-ng, plus the 18 bytes of gzip header and trailer.
     */
    @Override
    public int maxCompressedLength(int sourceLength) {
        long n = sourceLength;
        long fixed = n + (n >> 3) + (n >> 8) + (n >> 9) + 4;
        long stored = n + (n >> 5) + (n >> 7) + (n >> 11) + 7;
        long bound = Math.max(fixed, stored) + 6 + GzipFormat.HEADER_LENGTH + GzipFormat.TRAILER_LENGTH;
        return (int) Math.min(bound, Integer.MAX_VALUE);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        int length = src.remaining();
        if (dst.remaining() < maxCompressedLength(length)) {
            throw new BufferOverflowException();
        }
        int start = dst.position();
        CRC32 crc = new CRC32();
        crc.update(src.duplicate());
        GzipFormat.putHeader(dst);
        Deflater deflater = deflaters.acquire();
        try {
            deflater.setInput(src);
            deflater.finish();
            while (!deflater.finished()) {
                if (deflater.deflate(dst) == 0 && !dst.hasRemaining()) {
                    throw new IllegalStateException("gzip: compressed output of " + length
                            + " bytes exceeded maxCompressedLength " + maxCompressedLength(length));
                }
            }
        } finally {
            deflater.reset();
            deflaters.release(deflater);
        }
        GzipFormat.putTrailer(dst, (int) crc.getValue(), length);
        return dst.position() - start;
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        int base = src.position();
        int end = src.limit();
        if (base == end) {
            throw new CodecException("gzip: empty input, expected a gzip header");
        }
        Inflater inflater = INFLATERS.acquire();
        ByteBuffer out = null;
        boolean done = false;
        try {
            out = allocator.allocate(initialCapacity(src));
            int at = base;
            do {
                int data = GzipFormat.skipHeader(src, at, base);
                int memberStart = out.position();
                ByteBuffer input = src.duplicate().position(data);
                inflater.reset();
                inflater.setInput(input);
                while (true) {
                    if (!out.hasRemaining()) {
                        out = grow(out, allocator);
                    }
                    int consumedBefore = input.position();
                    int written = inflate(inflater, out, input, base);
                    if (inflater.finished()) {
                        break;
                    }
                    if (written == 0 && input.position() == consumedBefore && out.hasRemaining()) {
                        throw stuck(inflater, input, base);
                    }
                }
                at = input.position();
                if (end - at < GzipFormat.TRAILER_LENGTH) {
                    throw new CodecException("gzip: truncated trailer: needs 8 bytes at byte " + (at - base) + ", only "
                            + (end - at) + " left of " + (end - base));
                }
                checkTrailer(src, at, base, out, memberStart);
                at += GzipFormat.TRAILER_LENGTH;
            } while (at < end);
            src.position(end);
            out.flip();
            done = true;
            return out;
        } finally {
            inflater.reset();
            INFLATERS.release(inflater);
            if (!done && out != null) {
                allocator.release(out);
            }
        }
    }

    private static int inflate(Inflater inflater, ByteBuffer out, ByteBuffer input, int base) {
        try {
            return inflater.inflate(out);
        } catch (DataFormatException e) {
            throw new CodecException("gzip: invalid DEFLATE data near byte " + (input.position() - base) + ": " + e.getMessage(), e);
        }
    }

    /** The inflater neither consumed input nor produced output although there was room. */
    private static CodecException stuck(Inflater inflater, ByteBuffer input, int base) {
        if (inflater.needsDictionary()) {
            return new CodecException("gzip: DEFLATE data asks for a preset dictionary, which gzip does not allow, at byte "
                    + (input.position() - base));
        }
        if (input.hasRemaining()) {
            return new CodecException("gzip: the DEFLATE decoder made no progress at byte " + (input.position() - base));
        }
        return new CodecException("gzip: truncated DEFLATE data: input ends at byte " + (input.position() - base)
                + " before the final block");
    }

    private static void checkTrailer(ByteBuffer src, int at, int base, ByteBuffer out, int memberStart) {
        CRC32 crc = new CRC32();
        crc.update(out.duplicate().limit(out.position()).position(memberStart));
        int expectedCrc = (int) crc.getValue();
        int actualCrc = GzipFormat.getIntLE(src, at + GzipFormat.CRC_OFFSET_IN_TRAILER);
        if (actualCrc != expectedCrc) {
            throw GzipFormat.corrupt(String.format("CRC-32 of the uncompressed data is 0x%08x, trailer says 0x%08x",
                    expectedCrc, actualCrc), at, base);
        }
        int expectedSize = out.position() - memberStart;
        int actualSize = GzipFormat.getIntLE(src, at + GzipFormat.ISIZE_OFFSET_IN_TRAILER);
        if (actualSize != expectedSize) {
            throw GzipFormat.corrupt("uncompressed size is " + expectedSize + " bytes, trailer ISIZE says "
                    + Integer.toUnsignedString(actualSize), at + GzipFormat.ISIZE_OFFSET_IN_TRAILER, base);
        }
    }

    /**
     * ISIZE of the last member is a good first guess (exact for one member), but it is not trusted
     * beyond 32 times the compressed size: a corrupt trailer must not make us allocate gigabytes.
     * Highly compressible data simply grows the buffer a few times.
     */
    private static int initialCapacity(ByteBuffer src) {
        int compressed = src.remaining();
        long cap = Math.min(32L * compressed + 65_536, MAX_OUTPUT);
        if (compressed >= GzipFormat.HEADER_LENGTH + GzipFormat.TRAILER_LENGTH + 2) {
            long isize = Integer.toUnsignedLong(GzipFormat.getIntLE(src, src.limit() - 4));
            return (int) Math.min(isize + 1, cap);
        }
        return (int) Math.min(4L * compressed + 64, cap);
    }

    private static ByteBuffer grow(ByteBuffer out, BufferAllocator allocator) {
        int capacity = out.capacity();
        if (capacity >= MAX_OUTPUT) {
            throw new CodecException("gzip: decompressed data exceeds " + MAX_OUTPUT + " bytes");
        }
        int bigger = (int) Math.min(MAX_OUTPUT, Math.max(2L * capacity, capacity + 4096L));
        return allocator.grow(out, bigger);
    }
}
