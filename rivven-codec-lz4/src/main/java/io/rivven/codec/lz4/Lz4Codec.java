package io.rivven.codec.lz4;

import static io.rivven.codec.lz4.Lz4Format.XXHASH;
import static io.rivven.codec.lz4.Lz4Format.corrupt;
import static io.rivven.codec.lz4.Lz4Format.getIntLE;
import static io.rivven.codec.lz4.Lz4Format.need;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 in the {@link Lz4Format frame format}, through lz4-java. Writes exactly the bytes of
 * Kafka's {@code Lz4BlockOutputStream} at the same level: 64 KiB independent blocks, each block
 * compressed straight into {@code dst} and stored uncompressed when that does not make it smaller;
 * level 9 (Kafka's default) uses lz4's fast compressor, every other level the HC compressor at
 * that level, as Kafka does. Reads Kafka's frames and other independent-block LZ4 frames with the
 * safe decompressor only, which never reads or writes outside its buffers on corrupt input.
 *
 * <p>Thread safety: immutable; lz4-java compressors, decompressors and hashes are thread-safe.
 */
final class Lz4Codec implements Codec {

    private static final int MAX_OUTPUT = Integer.MAX_VALUE - 16;
    /** An LZ4 sequence of 1 token byte + 2 offset bytes + length bytes encodes at most ~255 bytes per byte. */
    private static final int MAX_RATIO = 255;

    /**
     * The JNI implementation when it loads, else the fastest pure-Java one. Not
     * {@code LZ4Factory.fastestInstance()}: that only tries JNI when lz4-java was loaded by the
     * system class loader, and a plugin folder's module layer has a class loader of its own, so in
     * the distribution it silently fell back to the slow safe Java code.
     */
    static final LZ4Factory LZ4 = fastest();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();

    private static LZ4Factory fastest() {
        try {
            return LZ4Factory.nativeInstance();
        } catch (Throwable noNative) { // UnsatisfiedLinkError, or no native build for this platform
            return LZ4Factory.fastestJavaInstance();
        }
    }

    private final int level;
    private final LZ4Compressor compressor;

    Lz4Codec(int level) {
        this.level = level;
        this.compressor = level == Lz4CodecProvider.DEFAULT_LEVEL ? LZ4.fastCompressor() : LZ4.highCompressor(level);
    }

    int level() {
        return level;
    }

    @Override
    public String name() {
        return Lz4CodecProvider.NAME;
    }

    @Override
    public byte id() {
        return CodecProvider.LZ4;
    }

    /** Header, end mark, and every block stored uncompressed with its 4-byte size. */
    @Override
    public int maxCompressedLength(int sourceLength) {
        long blocks = (sourceLength + (long) Lz4Format.KAFKA_BLOCK_SIZE - 1) / Lz4Format.KAFKA_BLOCK_SIZE;
        long bound = Lz4Format.HEADER_LENGTH + (long) sourceLength + blocks * Lz4Format.BLOCK_HEADER_LENGTH
                + Lz4Format.END_MARK_LENGTH;
        return (int) Math.min(bound, Integer.MAX_VALUE);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst) {
        int length = src.remaining();
        if (dst.remaining() < maxCompressedLength(length)) {
            throw new BufferOverflowException();
        }
        int start = dst.position();
        dst.put(Lz4Format.KAFKA_HEADER);
        int in = src.position();
        int end = src.limit();
        int out = dst.position();
        int dstLimit = dst.limit();
        while (in < end) {
            int blockLength = Math.min(Lz4Format.KAFKA_BLOCK_SIZE, end - in);
            int data = out + Lz4Format.BLOCK_HEADER_LENGTH;
            int compressed = compressBlock(src, in, blockLength, dst, data, dstLimit - data);
            if (compressed < 0 || compressed >= blockLength) {
                dst.put(data, src, in, blockLength);
                Lz4Format.putIntLE(dst, out, blockLength | Lz4Format.UNCOMPRESSED_FLAG);
                out = data + blockLength;
            } else {
                Lz4Format.putIntLE(dst, out, compressed);
                out = data + compressed;
            }
            in += blockLength;
        }
        Lz4Format.putIntLE(dst, out, 0);
        out += Lz4Format.END_MARK_LENGTH;
        src.position(end);
        dst.position(out);
        return out - start;
    }

    /**
     * Compresses one block into {@code dst} at {@code at}; -1 if it does not fit in {@code room}
     * bytes. Room is short only for the last blocks of a {@code dst} sized to the bound, where
     * storing the block uncompressed is the answer anyway (it always fits).
     */
    private int compressBlock(ByteBuffer src, int in, int length, ByteBuffer dst, int at, int room) {
        try {
            return compressor.compress(src, in, length, dst, at, Math.min(room, compressor.maxCompressedLength(length)));
        } catch (LZ4Exception e) {
            return -1;
        }
    }

    @Override
    public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
        int base = src.position();
        int end = src.limit();
        if (base == end) {
            throw new CodecException("lz4: empty input, expected an LZ4 frame (magic 04 22 4d 18)");
        }
        ByteBuffer out = null;
        boolean done = false;
        try {
            out = allocator.allocate(initialCapacity(src));
            int at = base;
            while (at < end) {
                need(src, at, 4, base, "frame magic");
                int magic = getIntLE(src, at);
                if ((magic & Lz4Format.SKIPPABLE_MAGIC_MASK) == Lz4Format.SKIPPABLE_MAGIC) {
                    need(src, at + 4, 4, base, "skippable frame size");
                    long size = Integer.toUnsignedLong(getIntLE(src, at + 4));
                    need(src, at + 8, size, base, "skippable frame");
                    at += 8 + (int) size;
                    continue;
                }
                if (magic != Lz4Format.MAGIC) {
                    throw corrupt(String.format("%s: magic 0x%08x, expected 0x%08x", at == base ? "not an LZ4 frame"
                            : "bytes after the last frame are not an LZ4 frame", magic, Lz4Format.MAGIC), at, base);
                }
                Frame frame = new Frame(src, at, base);
                ByteBuffer current = out;
                out = null; // readBlocks owns it now: it may grow it, and releases what it holds if it fails
                out = readBlocks(src, frame, base, current, allocator);
                at = frame.end;
            }
            src.position(end);
            out.flip();
            done = true;
            return out;
        } finally {
            if (!done && out != null) {
                allocator.release(out);
            }
        }
    }

    /**
     * Decodes the blocks of {@code frame} into {@code out}; sets {@code frame.end}. Returns the (maybe
     * grown) output. Takes ownership of {@code out}: if decoding fails it releases the buffer it holds
     * at that moment (after a growth that is the grown one; {@code out} itself was released by the growth).
     */
    private static ByteBuffer readBlocks(ByteBuffer src, Frame frame, int base, ByteBuffer out, BufferAllocator allocator) {
        try {
            int at = frame.firstBlock;
            int contentStart = out.position();
            int checksumLength = frame.blockChecksum ? Lz4Format.CHECKSUM_LENGTH : 0;
            while (true) {
                need(src, at, Lz4Format.BLOCK_HEADER_LENGTH, base, "block size (the frame has no end mark)");
                int word = getIntLE(src, at);
                at += Lz4Format.BLOCK_HEADER_LENGTH;
                if (word == 0) {
                    break;
                }
                boolean stored = (word & Lz4Format.UNCOMPRESSED_FLAG) != 0;
                int length = word & ~Lz4Format.UNCOMPRESSED_FLAG;
                if (length > frame.maxBlockSize) {
                    throw corrupt("block of " + length + " bytes exceeds the frame's maximum block size " + frame.maxBlockSize,
                            at - Lz4Format.BLOCK_HEADER_LENGTH, base);
                }
                need(src, at, (long) length + checksumLength, base, "block");
                if (frame.blockChecksum) {
                    int expected = XXHASH.hash(src, at, length, 0);
                    int actual = getIntLE(src, at + length);
                    if (actual != expected) {
                        throw corrupt(String.format("block checksum 0x%08x, expected 0x%08x", actual, expected), at + length, base);
                    }
                }
                if (stored) {
                    out = ensureRoom(out, length, allocator);
                    out.put(out.position(), src, at, length);
                    out.position(out.position() + length);
                } else {
                    out = ensureRoom(out, frame.maxBlockSize, allocator);
                    int n;
                    try {
                        n = DECOMPRESSOR.decompress(src, at, length, out, out.position(), frame.maxBlockSize);
                    } catch (LZ4Exception e) {
                        throw corrupt("invalid compressed block of " + length + " bytes (" + e.getMessage() + ")", at, base);
                    }
                    out.position(out.position() + n);
                }
                at += length + checksumLength;
            }
            int contentLength = out.position() - contentStart;
            if (frame.contentChecksum) {
                need(src, at, Lz4Format.CHECKSUM_LENGTH, base, "content checksum");
                int expected = XXHASH.hash(out, contentStart, contentLength, 0);
                int actual = getIntLE(src, at);
                if (actual != expected) {
                    throw corrupt(String.format("content checksum 0x%08x, expected 0x%08x", actual, expected), at, base);
                }
                at += Lz4Format.CHECKSUM_LENGTH;
            }
            if (frame.contentSize >= 0 && frame.contentSize != contentLength) {
                throw corrupt("frame holds " + contentLength + " bytes, its descriptor says " + frame.contentSize, frame.start, base);
            }
            frame.end = at;
            return out;
        } catch (RuntimeException | Error e) {
            allocator.release(out);
            throw e;
        }
    }

    private static int initialCapacity(ByteBuffer src) {
        int compressed = src.remaining();
        long guess = 4L * compressed + 1024;
        if (compressed >= Lz4Format.HEADER_LENGTH + 8) {
            int at = src.position();
            int flg = src.get(at + 4);
            if (getIntLE(src, at) == Lz4Format.MAGIC && (flg & Lz4Format.FLG_CONTENT_SIZE) != 0) {
                long declared = Lz4Format.getLongLE(src, at + 6);
                if (declared >= 0) {
                    guess = declared + 1;
                }
            }
        }
        return (int) Math.min(Math.min(guess, (long) MAX_RATIO * compressed + 1024), MAX_OUTPUT);
    }

    /** Makes room for {@code bytes} more bytes after the position, at least doubling the capacity. */
    private static ByteBuffer ensureRoom(ByteBuffer out, int bytes, BufferAllocator allocator) {
        if (out.remaining() >= bytes) {
            return out;
        }
        long needed = (long) out.position() + bytes;
        if (needed > MAX_OUTPUT) {
            throw new CodecException("lz4: decompressed data exceeds " + MAX_OUTPUT + " bytes");
        }
        return allocator.grow(out, (int) Math.min(MAX_OUTPUT, Math.max(needed, 2L * out.capacity())));
    }

    /** A parsed and checked frame descriptor. */
    private static final class Frame {
        final int start;
        final boolean blockChecksum;
        final boolean contentChecksum;
        final long contentSize;
        final int maxBlockSize;
        final int firstBlock;
        int end;

        Frame(ByteBuffer src, int at, int base) {
            start = at;
            need(src, at + 4, 3, base, "frame descriptor");
            int flg = src.get(at + 4) & 0xff;
            int bd = src.get(at + 5) & 0xff;
            if ((flg & Lz4Format.FLG_VERSION_MASK) != Lz4Format.FLG_VERSION_1) {
                throw corrupt("frame version " + (flg >>> 6) + ", only version 1 exists", at + 4, base);
            }
            if ((flg & Lz4Format.FLG_RESERVED) != 0) {
                throw corrupt(String.format("reserved FLG bit set: FLG 0x%02x", flg), at + 4, base);
            }
            if ((flg & Lz4Format.FLG_DICT_ID) != 0) {
                throw corrupt("frame needs a dictionary (FLG dictionary id bit), which Kafka's format does not use", at + 4, base);
            }
            if ((flg & Lz4Format.FLG_BLOCK_INDEPENDENCE) == 0) {
                throw corrupt("frame has dependent (linked) blocks, which neither Kafka nor Rivven reads;"
                        + " write it with independent blocks", at + 4, base);
            }
            if ((bd & Lz4Format.BD_RESERVED) != 0) {
                throw corrupt(String.format("reserved BD bits set: BD 0x%02x", bd), at + 5, base);
            }
            int sizeId = bd >>> Lz4Format.BD_BLOCK_SIZE_SHIFT;
            if (sizeId < 4) {
                throw corrupt("block maximum size id " + sizeId + ", expected 4 to 7", at + 5, base);
            }
            maxBlockSize = Lz4Format.blockMaximumSize(sizeId);
            blockChecksum = (flg & Lz4Format.FLG_BLOCK_CHECKSUM) != 0;
            contentChecksum = (flg & Lz4Format.FLG_CONTENT_CHECKSUM) != 0;
            int descriptorLength = 2;
            if ((flg & Lz4Format.FLG_CONTENT_SIZE) != 0) {
                need(src, at + 6, 9, base, "frame content size");
                contentSize = Lz4Format.getLongLE(src, at + 6);
                if (contentSize < 0) {
                    throw corrupt("frame content size " + Long.toUnsignedString(contentSize) + " is too large", at + 6, base);
                }
                descriptorLength += 8;
            } else {
                contentSize = -1;
            }
            int hcAt = at + 4 + descriptorLength;
            byte expected = Lz4Format.headerChecksum(XXHASH.hash(src, at + 4, descriptorLength, 0));
            byte actual = src.get(hcAt);
            if (actual != expected) {
                throw corrupt(String.format("frame descriptor checksum 0x%02x, expected 0x%02x", actual & 0xff, expected & 0xff),
                        hcAt, base);
            }
            firstBlock = hcAt + 1;
        }
    }
}
