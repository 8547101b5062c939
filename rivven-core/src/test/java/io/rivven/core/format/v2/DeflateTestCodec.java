package io.rivven.core.format.v2;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** A real compressing codec for core's tests (raw deflate, id 5), so that the compressed path is covered without the plugin modules. */
final class DeflateTestCodec implements Codec {

    static final DeflateTestCodec INSTANCE = new DeflateTestCodec();

    @Override
    public String name() {
        return "deflate-test";
    }

    @Override
    public byte id() {
        return 5;
    }

    @Override
    public int maxCompressedLength(int sourceLength) {
        return sourceLength + sourceLength / 1000 + 64;
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        if (dst.remaining() < maxCompressedLength(src.remaining())) {
            throw new BufferOverflowException();
        }
        Deflater d = new Deflater(Deflater.BEST_SPEED, true);
        try {
            int before = dst.position();
            d.setInput(src);
            d.finish();
            while (!d.finished()) {
                d.deflate(dst);
            }
            return dst.position() - before;
        } finally {
            d.end();
        }
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        Inflater inf = new Inflater(true);
        ByteBuffer out = null;
        boolean done = false;
        try {
            inf.setInput(src);
            out = allocator.allocate(Math.max(64, src.remaining() * 4));
            while (!inf.finished()) {
                if (!out.hasRemaining()) {
                    out = allocator.grow(out, out.capacity() * 2);
                }
                int n = inf.inflate(out);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary()) && !inf.finished()) {
                    throw new CodecException("deflate-test: truncated stream");
                }
            }
            out.flip();
            done = true;
            return out;
        } catch (DataFormatException e) {
            throw new CodecException("deflate-test: " + e.getMessage(), e);
        } finally {
            inf.end();
            if (!done && out != null) {
                allocator.release(out); // as the Codec contract requires of a failed decompression
            }
        }
    }
}
