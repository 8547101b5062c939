package io.rivven.codec.zstd;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Zstandard frames (RFC 8878) through zstd-jni.
 *
 * <p>Writing: one frame per call with the content size in its header and no checksum (Kafka's
 * frames carry none either; the batch CRC-32C covers the bytes). Reading: any sequence of
 * standard and skippable frames, with or without content size, as Kafka's streaming
 * {@code ZstdOutputStream} writes them. A single frame whose header gives its size is decoded in
 * one call straight into a buffer of that size; everything else goes through the streaming
 * decoder, which grows the output as it goes.
 *
 * <p>Buffers: direct buffers go to zstd-jni's direct-buffer entry points and heap buffers to its
 * array entry points, without copies; a mix of the two uses its buffer-stream entry point (also
 * copy-free). Only a read-only heap source, whose array is not accessible, is copied first.
 *
 * <p>Thread safety: immutable; compression and decompression contexts come from lock-free pools,
 * one per call. A context that failed is closed, not reused.
 */
final class ZstdCodec implements Codec {

    private static final int MAX_OUTPUT = Integer.MAX_VALUE - 16;
    /** Trust a frame's declared content size for a one-shot decode up to this many times the input. */
    private static final long TRUSTED_RATIO = 64;

    private static final Pool<ZstdDecompressCtx> DECOMPRESSORS = new Pool<>(ZstdDecompressCtx::new, ZstdDecompressCtx::close);

    private final int level;
    private final Pool<ZstdCompressCtx> compressors;

    ZstdCodec(int level) {
        this.level = level;
        this.compressors = new Pool<>(
                () -> new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true),
                ZstdCompressCtx::close);
    }

    int level() {
        return level;
    }

    @Override
    public String name() {
        return ZstdCodecProvider.NAME;
    }

    @Override
    public byte id() {
        return CodecProvider.ZSTD;
    }

    /** {@code ZSTD_COMPRESSBOUND}: the input plus 1/256, plus a margin for inputs under 128 KiB. */
    @Override
    public int maxCompressedLength(int sourceLength) {
        long n = sourceLength;
        long bound = n + (n >> 8) + (n < (128 << 10) ? ((128 << 10) - n) >> 11 : 0);
        return (int) Math.min(bound, Integer.MAX_VALUE);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        int length = src.remaining();
        if (dst.remaining() < maxCompressedLength(length)) {
            throw new BufferOverflowException();
        }
        ByteBuffer in = accessible(src);
        ZstdCompressCtx ctx = compressors.acquire();
        boolean reusable = false;
        try {
            int written;
            if (in.isDirect() && dst.isDirect()) {
                written = ctx.compressDirectByteBuffer(dst, dst.position(), dst.remaining(), in, in.position(), length);
                dst.position(dst.position() + written);
            } else if (in.hasArray() && dst.hasArray()) {
                written = ctx.compressByteArray(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining(),
                        in.array(), in.arrayOffset() + in.position(), length);
                dst.position(dst.position() + written);
            } else {
                int start = dst.position();
                if (!ctx.compressByteBufferStream(dst, in, EndDirective.END)) {
                    throw new IllegalStateException("zstd: frame not finished within maxCompressedLength");
                }
                written = dst.position() - start;
            }
            src.position(src.limit());
            reusable = true;
            return written;
        } catch (ZstdException e) {
            throw new IllegalStateException("zstd: compressing " + length + " bytes failed: " + e.getMessage(), e);
        } finally {
            if (reusable) {
                compressors.release(ctx);
            } else {
                compressors.dispose(ctx);
            }
        }
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        int compressed = src.remaining();
        if (compressed == 0) {
            throw new CodecException("zstd: empty input, expected a zstd frame");
        }
        ByteBuffer in = accessible(src).duplicate();
        ZstdDecompressCtx ctx = DECOMPRESSORS.acquire();
        boolean reusable = false;
        ByteBuffer out = null;
        try {
            long declared = declaredContentSize(in);
            if (declared >= 0 && declared <= Math.min(MAX_OUTPUT, TRUSTED_RATIO * compressed + (1 << 20))) {
                out = allocator.allocate((int) Math.max(declared, 1));
                if (decodeSingleFrame(ctx, in, out, declared)) {
                    src.position(src.limit());
                    reusable = true;
                    return out.flip();
                }
                // Several frames, or corrupt: the streaming decoder tells which, with a precise error.
                ctx.reset();
                out.clear();
            } else {
                out = allocator.allocate((int) Math.min(MAX_OUTPUT, Math.max(4L * compressed, 1024)));
            }
            ByteBuffer first = out;
            out = null; // stream() owns it now and releases whatever buffer it holds if it fails
            out = stream(ctx, in, first, allocator, compressed);
            src.position(src.limit());
            reusable = true;
            return out.flip();
        } finally {
            if (reusable) {
                DECOMPRESSORS.release(ctx);
            } else {
                DECOMPRESSORS.dispose(ctx);
                if (out != null) {
                    allocator.release(out);
                }
            }
        }
    }

    /** One-shot decode of a frame whose size is known; false if that did not produce exactly that size. */
    private static boolean decodeSingleFrame(ZstdDecompressCtx ctx, ByteBuffer in, ByteBuffer out, long declared) {
        try {
            int n;
            if (in.isDirect() && out.isDirect()) {
                n = ctx.decompressDirectByteBuffer(out, 0, out.capacity(), in, in.position(), in.remaining());
            } else if (in.hasArray() && out.hasArray()) {
                n = ctx.decompressByteArray(out.array(), out.arrayOffset(), out.capacity(),
                        in.array(), in.arrayOffset() + in.position(), in.remaining());
            } else if (in.hasArray()) {
                n = ctx.decompressByteArrayToDirectByteBuffer(out, 0, out.capacity(),
                        in.array(), in.arrayOffset() + in.position(), in.remaining());
            } else {
                n = ctx.decompressDirectByteBufferToByteArray(out.array(), out.arrayOffset(), out.capacity(),
                        in, in.position(), in.remaining());
            }
            if (n != declared) {
                return false;
            }
            out.position(n);
            return true;
        } catch (ZstdException e) {
            return false;
        }
    }

    /**
     * Streaming decode of all frames in {@code in}, growing {@code out} as needed. Takes ownership of
     * {@code out}: on failure it releases the buffer it holds at that moment.
     */
    private static ByteBuffer stream(ZstdDecompressCtx ctx, ByteBuffer in, ByteBuffer out, BufferAllocator allocator,
            int compressed) {
        int base = in.position();
        int stalls = 0;
        try {
            while (true) {
                if (!out.hasRemaining()) {
                    out = grow(out, allocator);
                }
                int inBefore = in.position();
                int outBefore = out.position();
                boolean frameDone;
                try {
                    frameDone = ctx.decompressByteBufferStream(out, in);
                } catch (ZstdException e) {
                    throw new CodecException("zstd: " + e.getMessage() + " (decoding near byte " + (in.position() - base)
                            + " of " + compressed + ")", e);
                }
                if (frameDone && !in.hasRemaining()) {
                    return out;
                }
                if (!frameDone && !in.hasRemaining() && out.hasRemaining()) {
                    throw new CodecException("zstd: truncated input: all " + compressed
                            + " bytes read and the frame is not complete");
                }
                if (in.position() == inBefore && out.position() == outBefore && out.hasRemaining()) {
                    if (++stalls > 16) {
                        throw new CodecException("zstd: the decoder made no progress at byte " + (in.position() - base));
                    }
                } else {
                    stalls = 0;
                }
            }
        } catch (RuntimeException | Error e) {
            allocator.release(out);
            throw e;
        }
    }

    private static long declaredContentSize(ByteBuffer in) {
        try {
            if (in.hasArray()) {
                return Zstd.getFrameContentSize(in.array(), in.arrayOffset() + in.position(), in.remaining());
            }
            return Zstd.getDirectByteBufferFrameContentSize(in, in.position(), in.remaining());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** {@code b} itself when zstd-jni can reach its memory (direct or array-backed); else a heap copy. */
    private static ByteBuffer accessible(ByteBuffer b) {
        if (b.isDirect() || b.hasArray()) {
            return b;
        }
        byte[] copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return ByteBuffer.wrap(copy);
    }

    private static ByteBuffer grow(ByteBuffer out, BufferAllocator allocator) {
        int capacity = out.capacity();
        if (capacity >= MAX_OUTPUT) {
            throw new CodecException("zstd: decompressed data exceeds " + MAX_OUTPUT + " bytes");
        }
        return allocator.grow(out, (int) Math.min(MAX_OUTPUT, Math.max(2L * capacity, capacity + 4096L)));
    }
}
