package io.rivven.codec.snappy;

import io.rivven.api.codec.CodecException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * snappy-java's ("xerial") stream framing, as its {@code SnappyOutputStream} writes it and Kafka
 * therefore writes snappy batches. Integers are big-endian.
 *
 * <pre>
 * +-------------------------+-------------+------------------------+
 * | 82 53 4e 41 50 50 59 00 | version (4) | compatible version (4) |   16-byte header: magic "\x82SNAPPY\0", 1, 1
 * +-------------------------+-------------+------------------------+
 * then blocks until the end of the data:
 * +-----------------------+----------------------------------+
 * | compressed length (4) | raw snappy block of that length  |   each block holds up to 32 KiB of input
 * +-----------------------+----------------------------------+
 * </pre>
 *
 * <p>A raw snappy block starts with the varint of its uncompressed length; it has no checksum.
 * The framing has no end marker or checksum either: a stream cut at a block boundary is still a
 * valid, shorter stream. Example: 3 bytes {@code "abc"} become the header, then
 * {@code 00 00 00 05 | 03 08 61 62 63} (length 5; varint 3, a 3-byte literal).
 *
 * <p>What the reader Kafka uses ({@code SnappyInputStream} 1.1.10) also accepts, and so do we:
 * another header in place of a block length (streams written one after the other), and an input
 * that does not start with the magic, read as one raw snappy block. Its version fields are not
 * checked. Unlike it we reject 1 to 3 stray bytes at the end and an empty input (which it also
 * rejects).
 */
final class SnappyFormat {

    static final byte[] MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    /** The first four magic bytes read as a block length: a concatenated stream's header. */
    static final int MAGIC_HEAD = 0x82534E41;
    static final int VERSION = 1;
    static final int COMPATIBLE_VERSION = 1;
    static final int HEADER_LENGTH = 16;
    static final int BLOCK_LENGTH_LENGTH = 4;
    static final int BLOCK_SIZE = 32 * 1024;

    private SnappyFormat() {
    }

    /** {@code snappy::MaxCompressedLength}: 32 + n + n / 6. */
    static long maxBlockLength(long n) {
        return 32 + n + n / 6;
    }

    static void putHeader(ByteBuffer dst) {
        dst.put(MAGIC);
        putIntBE(dst, dst.position(), VERSION);
        putIntBE(dst, dst.position() + 4, COMPATIBLE_VERSION);
        dst.position(dst.position() + 8);
    }

    static boolean startsWithMagic(ByteBuffer src, int at) {
        if (src.limit() - at < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (src.get(at + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static int getIntBE(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static void putIntBE(ByteBuffer b, int at, int v) {
        b.putInt(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
    }

    /** The varint32 at the start of a raw block (its uncompressed length), or -1 if malformed or past {@code end}. */
    static long uncompressedLength(ByteBuffer b, int at, int end) {
        long value = 0;
        for (int i = 0; i < 5 && at + i < end; i++) {
            int x = b.get(at + i) & 0xff;
            value |= (long) (x & 0x7f) << (7 * i);
            if ((x & 0x80) == 0) {
                return value <= 0xffff_ffffL ? value : -1;
            }
        }
        return -1;
    }

    static CodecException corrupt(String problem, int at, int base) {
        return new CodecException("snappy: " + problem + " at byte " + (at - base) + " of the compressed data");
    }
}
