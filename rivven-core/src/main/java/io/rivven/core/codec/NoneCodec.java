package io.rivven.core.codec;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Codec id 0: bytes pass through unchanged. The batch writer and reader skip it on their hot path
 * (an uncompressed batch is never copied); it exists so that {@code none} is a codec like the others.
 */
public final class NoneCodec implements Codec {

    public static final String NAME = "none";
    public static final NoneCodec INSTANCE = new NoneCodec();

    private NoneCodec() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte id() {
        return CodecProvider.NONE;
    }

    @Override
    public int maxCompressedLength(int sourceLength) {
        return sourceLength;
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        int n = src.remaining();
        if (dst.remaining() < n) {
            throw new BufferOverflowException();
        }
        dst.put(src);
        return n;
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        ByteBuffer out = allocator.allocate(src.remaining());
        out.put(src).flip();
        return out;
    }
}
