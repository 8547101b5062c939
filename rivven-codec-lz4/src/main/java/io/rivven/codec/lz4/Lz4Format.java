package io.rivven.codec.lz4;

import io.rivven.api.codec.CodecException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 frame format (v1.6, lz4_Frame_format.md) as Kafka writes it: its
 * {@code Lz4BlockOutputStream} is a partial implementation that Kafka's {@code Lz4BlockInputStream}
 * reads. Little-endian throughout.
 *
 * <pre>
 * frame:   +-------------+-----+----+------------------+----+
 *          | 04 22 4d 18 | FLG | BD | [content size 8] | HC |     frame descriptor
 *          +-------------+-----+----+------------------+----+
 *          blocks:  [size 4][data size bytes][block checksum 4, if FLG.B.Checksum]
 *                   size bit 31 set = data stored uncompressed; bits 0-30 = data length
 *          end mark: 00 00 00 00
 *          [content checksum 4, if FLG.C.Checksum]: XXH32 (seed 0) of the whole content
 *
 * FLG: bits 7-6 version = 01 | bit 5 block independence | bit 4 block checksum
 *      | bit 3 content size | bit 2 content checksum | bit 1 reserved 0 | bit 0 dictionary id
 * BD:  bit 7 reserved 0 | bits 6-4 block maximum size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB | bits 3-0 reserved 0
 * HC:  (XXH32(FLG .. last descriptor byte, seed 0) >> 8) &amp; 0xff
 * </pre>
 *
 * <p>What Kafka writes (and so we): FLG {@code 0x60} (version 1, independent blocks, no
 * checksums, no content size), BD {@code 0x40} (64 KiB blocks), HC {@code 0x82}; a block is
 * stored uncompressed when compressing does not make it smaller. Example: the empty input is
 * the 11 bytes {@code 04 22 4d 18 60 40 82 00 00 00 00}.
 *
 * <p>Reading also accepts what other LZ4 frame writers produce with independent blocks: larger
 * blocks, block and content checksums (verified), a content size (verified), several frames back
 * to back and skippable frames. It rejects dependent (linked) blocks and dictionary ids, as
 * Kafka's reader does, and the wrong header checksum that Kafka wrote for message format v0. Bytes
 * after the end mark that are not another frame are an error (Kafka's reader ignores them; no
 * writer of batches produces them).
 */
final class Lz4Format {

    static final int MAGIC = 0x184D2204;
    static final int SKIPPABLE_MAGIC = 0x184D2A50;
    static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;

    static final int FLG_VERSION_MASK = 0xC0;
    static final int FLG_VERSION_1 = 0x40;
    static final int FLG_BLOCK_INDEPENDENCE = 1 << 5;
    static final int FLG_BLOCK_CHECKSUM = 1 << 4;
    static final int FLG_CONTENT_SIZE = 1 << 3;
    static final int FLG_CONTENT_CHECKSUM = 1 << 2;
    static final int FLG_RESERVED = 1 << 1;
    static final int FLG_DICT_ID = 1;

    static final int BD_RESERVED = 0x8F;
    static final int BD_BLOCK_SIZE_SHIFT = 4;

    /** Kafka's FLG: version 1, independent blocks, nothing else. */
    static final byte KAFKA_FLG = (byte) (FLG_VERSION_1 | FLG_BLOCK_INDEPENDENCE);
    /** Kafka's BD: 64 KiB blocks. */
    static final byte KAFKA_BD = (byte) (4 << BD_BLOCK_SIZE_SHIFT);
    static final int KAFKA_BLOCK_SIZE = 64 * 1024;

    static final int HEADER_LENGTH = 7;
    static final int BLOCK_HEADER_LENGTH = 4;
    static final int END_MARK_LENGTH = 4;
    static final int CHECKSUM_LENGTH = 4;
    static final int UNCOMPRESSED_FLAG = 0x80000000;

    /** As {@code Lz4Codec.LZ4}: JNI when it loads, whatever class loader lz4-java has. */
    static final XXHash32 XXHASH = fastestHash();

    private static XXHash32 fastestHash() {
        try {
            return XXHashFactory.nativeInstance().hash32();
        } catch (Throwable noNative) { // UnsatisfiedLinkError, or no native build for this platform
            return XXHashFactory.fastestJavaInstance().hash32();
        }
    }

    /** Kafka's frame header, HC included. */
    static final byte[] KAFKA_HEADER;

    static {
        byte[] descriptor = {KAFKA_FLG, KAFKA_BD};
        KAFKA_HEADER = new byte[] {0x04, 0x22, 0x4d, 0x18, KAFKA_FLG, KAFKA_BD,
            headerChecksum(XXHASH.hash(descriptor, 0, descriptor.length, 0))};
    }

    private Lz4Format() {
    }

    /** The frame descriptor checksum byte HC from the XXH32 of the descriptor bytes. */
    static byte headerChecksum(int xxhash32) {
        return (byte) ((xxhash32 >> 8) & 0xff);
    }

    /** Maximum block size for the BD block size id (4 to 7): {@code 1 << (2 * id + 8)}. */
    static int blockMaximumSize(int id) {
        return 1 << (2 * id + 8);
    }

    static int getIntLE(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static long getLongLE(ByteBuffer b, int at) {
        long v = b.getLong(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putIntLE(ByteBuffer b, int at, int v) {
        b.putInt(at, b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v));
    }

    static CodecException corrupt(String problem, int at, int base) {
        return new CodecException("lz4: " + problem + " at byte " + (at - base) + " of the compressed data");
    }

    static void need(ByteBuffer src, int at, long length, int base, String what) {
        if (at + length > src.limit()) {
            throw new CodecException("lz4: truncated " + what + ": needs " + length + " bytes at byte " + (at - base)
                    + ", only " + Math.max(0, src.limit() - at) + " left of " + (src.limit() - base));
        }
    }
}
