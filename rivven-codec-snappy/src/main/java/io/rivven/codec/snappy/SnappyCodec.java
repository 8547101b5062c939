package io.rivven.codec.snappy;

import static io.rivven.codec.snappy.SnappyFormat.corrupt;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

/**
 * Snappy in {@link SnappyFormat xerial stream framing}: the framing is written and parsed here,
 * each block goes through snappy-java's raw block functions. Writes exactly the bytes of
 * snappy-java's {@code SnappyOutputStream} (32 KiB blocks), which Kafka uses.
 *
 * <p>Reading decodes each block in one pass, as Kafka does: the output is first given room for
 * the length the block declares (which snappy-java refuses when the block is too short to expand
 * to it, so a corrupt header cannot make us allocate gigabytes), and snappy's decoder is bounded
 * by that declared length and by the input, reporting a malformed block instead of reading or
 * writing past either; it comes out as {@link CodecException}, as does a block that decodes to
 * another length than it declares. (A separate validation pass with
 * {@code Snappy.isValidCompressedBuffer} cost a third of the decode time.) Snappy has no checksum:
 * a corrupted literal decodes to other bytes, which the batch CRC-32C catches.
 *
 * <p>Buffers: heap to heap uses snappy-java's array functions, direct to direct its buffer
 * functions, with no copy. A mix (or a read-only heap source) goes through a scratch array per
 * call: one copy of each block.
 *
 * <p>Thread safety: immutable and stateless.
 */
final class SnappyCodec implements Codec {

    private static final int MAX_OUTPUT = Integer.MAX_VALUE - 16;

    @Override
    public String name() {
        return SnappyCodecProvider.NAME;
    }

    @Override
    public byte id() {
        return CodecProvider.SNAPPY;
    }

    @Override
    public int maxCompressedLength(int sourceLength) {
        long full = sourceLength / SnappyFormat.BLOCK_SIZE;
        int rest = sourceLength % SnappyFormat.BLOCK_SIZE;
        long bound = SnappyFormat.HEADER_LENGTH
                + full * (SnappyFormat.BLOCK_LENGTH_LENGTH + SnappyFormat.maxBlockLength(SnappyFormat.BLOCK_SIZE))
                + (rest == 0 ? 0 : SnappyFormat.BLOCK_LENGTH_LENGTH + SnappyFormat.maxBlockLength(rest));
        return (int) Math.min(bound, Integer.MAX_VALUE);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        int length = src.remaining();
        if (dst.remaining() < maxCompressedLength(length)) {
            throw new BufferOverflowException();
        }
        int start = dst.position();
        SnappyFormat.putHeader(dst);
        int in = src.position();
        int end = src.limit();
        byte[] scratchIn = null;
        byte[] scratchOut = null;
        try {
            while (in < end) {
                int blockLength = Math.min(SnappyFormat.BLOCK_SIZE, end - in);
                int data = dst.position() + SnappyFormat.BLOCK_LENGTH_LENGTH;
                int compressed;
                if (src.isDirect() && dst.isDirect()) {
                    compressed = Snappy.compress(src.slice(in, blockLength), dst.duplicate().position(data));
                } else {
                    byte[] input;
                    int inputOffset;
                    if (src.hasArray()) {
                        input = src.array();
                        inputOffset = src.arrayOffset() + in;
                    } else {
                        scratchIn = scratchIn != null ? scratchIn : new byte[Math.min(length, SnappyFormat.BLOCK_SIZE)];
                        src.get(in, scratchIn, 0, blockLength);
                        input = scratchIn;
                        inputOffset = 0;
                    }
                    if (dst.hasArray()) {
                        compressed = Snappy.compress(input, inputOffset, blockLength, dst.array(), dst.arrayOffset() + data);
                    } else {
                        scratchOut = scratchOut != null ? scratchOut
                                : new byte[(int) SnappyFormat.maxBlockLength(Math.min(length, SnappyFormat.BLOCK_SIZE))];
                        compressed = Snappy.compress(input, inputOffset, blockLength, scratchOut, 0);
                        dst.put(data, scratchOut, 0, compressed);
                    }
                }
                SnappyFormat.putIntBE(dst, data - SnappyFormat.BLOCK_LENGTH_LENGTH, compressed);
                dst.position(data + compressed);
                in += blockLength;
            }
        } catch (IOException e) {
            throw new IllegalStateException("snappy: compressing a block failed: " + e.getMessage(), e);
        }
        src.position(end);
        return dst.position() - start;
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        int base = src.position();
        int end = src.limit();
        if (base == end) {
            throw new CodecException("snappy: empty input, expected a snappy stream");
        }
        boolean framed = end - base >= SnappyFormat.HEADER_LENGTH && SnappyFormat.startsWithMagic(src, base);
        BlockDecoder decoder = new BlockDecoder(src, base, allocator);
        boolean done = false;
        try {
            if (framed) {
                decoder.out = allocator.allocate(framedOutputLength(src, base, end));
                int at = base + SnappyFormat.HEADER_LENGTH;
                while (at < end) {
                    if (end - at < SnappyFormat.BLOCK_LENGTH_LENGTH) {
                        throw corrupt((end - at) + " stray bytes after the last block", at, base);
                    }
                    int blockLength = SnappyFormat.getIntBE(src, at);
                    if (blockLength == SnappyFormat.MAGIC_HEAD) {
                        if (end - at < SnappyFormat.HEADER_LENGTH || !SnappyFormat.startsWithMagic(src, at)) {
                            throw corrupt("truncated or invalid header of a concatenated stream", at, base);
                        }
                        at += SnappyFormat.HEADER_LENGTH;
                        continue;
                    }
                    at += SnappyFormat.BLOCK_LENGTH_LENGTH;
                    if (blockLength <= 0 || blockLength > end - at) {
                        throw corrupt("block length " + blockLength + " with " + (end - at) + " bytes left",
                                at - SnappyFormat.BLOCK_LENGTH_LENGTH, base);
                    }
                    decoder.decode(at, blockLength);
                    at += blockLength;
                }
            } else {
                // Not framed: Kafka's reader takes the whole input as one raw snappy block.
                long length = SnappyFormat.uncompressedLength(src, base, end);
                decoder.out = allocator.allocate((int) Math.clamp(length, 0, Math.min(MAX_OUTPUT, 22L * (end - base) + 64)));
                decoder.decode(base, end - base);
            }
            src.position(end);
            done = true;
            return decoder.out.flip();
        } finally {
            if (!done && decoder.out != null) {
                allocator.release(decoder.out);
            }
        }
    }

    /**
     * The sum of the blocks' uncompressed lengths, read from their varint prefixes without decoding,
     * so the output is allocated once. Capped at snappy's maximum expansion (about 21:1: a 3-byte
     * copy yields 64 bytes), so a corrupt length does not make us allocate gigabytes; decoding
     * validates every block anyway.
     */
    private static int framedOutputLength(ByteBuffer src, int base, int end) {
        long total = 0;
        int at = base + SnappyFormat.HEADER_LENGTH;
        while (end - at >= SnappyFormat.BLOCK_LENGTH_LENGTH) {
            int blockLength = SnappyFormat.getIntBE(src, at);
            if (blockLength == SnappyFormat.MAGIC_HEAD) {
                at += SnappyFormat.HEADER_LENGTH;
                continue;
            }
            at += SnappyFormat.BLOCK_LENGTH_LENGTH;
            if (blockLength <= 0 || blockLength > end - at) {
                break;
            }
            long length = SnappyFormat.uncompressedLength(src, at, at + blockLength);
            if (length < 0) {
                break;
            }
            total += length;
            at += blockLength;
        }
        return (int) Math.min(total, Math.min(MAX_OUTPUT, 22L * (end - base) + 64));
    }

    /**
     * Decodes raw snappy blocks of one source into {@link #out}, which it grows through
     * the allocator; reuses scratch arrays between blocks.
     */
    private static final class BlockDecoder {
        private final ByteBuffer src;
        private final int base;
        private final BufferAllocator allocator;
        private byte[] scratchIn;
        private byte[] scratchOut;
        /** The output so far; the caller releases it if decoding fails. */
        ByteBuffer out;

        BlockDecoder(ByteBuffer src, int base, BufferAllocator allocator) {
            this.src = src;
            this.base = base;
            this.allocator = allocator;
        }

        /** Decodes the block at {@code [at, at + length)} of the source after {@code out}'s position. */
        void decode(int at, int length) {
            try {
                if (src.isDirect() && out.isDirect()) {
                    ByteBuffer block = src.slice(at, length);
                    int uncompressed = Snappy.uncompressedLength(block);
                    ensureRoom(uncompressed);
                    advance(Snappy.uncompress(block, out.duplicate()), uncompressed, at);
                    return;
                }
                byte[] input;
                int offset;
                if (src.hasArray()) {
                    input = src.array();
                    offset = src.arrayOffset() + at;
                } else {
                    scratchIn = scratchIn != null && scratchIn.length >= length ? scratchIn : new byte[length];
                    src.get(at, scratchIn, 0, length);
                    input = scratchIn;
                    offset = 0;
                }
                int uncompressed = Snappy.uncompressedLength(input, offset, length);
                ensureRoom(uncompressed);
                if (out.hasArray()) {
                    advance(Snappy.uncompress(input, offset, length, out.array(), out.arrayOffset() + out.position()),
                            uncompressed, at);
                } else {
                    scratchOut = scratchOut != null && scratchOut.length >= uncompressed ? scratchOut : new byte[uncompressed];
                    int n = Snappy.uncompress(input, offset, length, scratchOut, 0);
                    out.put(out.position(), scratchOut, 0, Math.min(n, uncompressed));
                    advance(n, uncompressed, at);
                }
            } catch (IOException | SnappyError e) {
                throw new CodecException("snappy: invalid block of " + length + " bytes at byte " + (at - base) + ": "
                        + e.getMessage(), e);
            }
        }

        private void advance(int n, int expected, int at) {
            if (n != expected) {
                throw corrupt("block decoded to " + n + " bytes, its header says " + expected, at, base);
            }
            out.position(out.position() + n);
        }

        private void ensureRoom(int bytes) {
            if (out.remaining() >= bytes) {
                return;
            }
            long needed = (long) out.position() + bytes;
            if (needed > MAX_OUTPUT) {
                throw new CodecException("snappy: decompressed data exceeds " + MAX_OUTPUT + " bytes");
            }
            out = allocator.grow(out, (int) Math.min(MAX_OUTPUT, Math.max(needed, 2L * out.capacity())));
        }
    }
}
