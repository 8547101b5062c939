package io.rivven.codec.gzip;

import io.rivven.api.codec.CodecException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The gzip member format (RFC 1952), as {@link java.util.zip.GZIPOutputStream} writes it and
 * therefore as Kafka writes gzip batches. All multi-byte fields are little-endian.
 *
 * <pre>
 * member:  +----+----+----+----+-------+-------+-----+----+
 *          | 1f | 8b | CM | FLG | MTIME (4)    | XFL | OS |   10-byte header
 *          +----+----+----+----+-------+-------+-----+----+
 *          [ FEXTRA: XLEN (2) + XLEN bytes ]   if FLG bit 2
 *          [ FNAME: bytes up to a 0 byte ]     if FLG bit 3
 *          [ FCOMMENT: bytes up to a 0 byte ]  if FLG bit 4
 *          [ FHCRC: CRC-32 of the header above, low 16 bits ] if FLG bit 1
 *          raw DEFLATE data (RFC 1951)
 *          +---------------+---------------+
 *          |  CRC-32 (4)   |   ISIZE (4)   |   trailer: CRC of the uncompressed data, its length mod 2^32
 *          +---------------+---------------+
 * </pre>
 *
 * <p>Example: the empty input is written as {@code 1f 8b 08 00 00000000 00 ff | 03 00 | 00000000 00000000}
 * (CM 8 = deflate, no flags, MTIME 0, XFL 0, OS 255 "unknown", the empty final fixed-Huffman block,
 * CRC 0, ISIZE 0): exactly the bytes of {@code GZIPOutputStream} on JDK 16 and later.
 *
 * <p>A stream may hold several members back to back; a reader concatenates their contents.
 */
final class GzipFormat {

    static final int MAGIC_0 = 0x1f;
    static final int MAGIC_1 = 0x8b;
    static final int CM_DEFLATE = 8;

    static final int FLG_FTEXT = 1;
    static final int FLG_FHCRC = 1 << 1;
    static final int FLG_FEXTRA = 1 << 2;
    static final int FLG_FNAME = 1 << 3;
    static final int FLG_FCOMMENT = 1 << 4;
    static final int FLG_RESERVED = 0xE0;

    static final int HEADER_LENGTH = 10;
    static final int TRAILER_LENGTH = 8;
    static final int CRC_OFFSET_IN_TRAILER = 0;
    static final int ISIZE_OFFSET_IN_TRAILER = 4;

    /** The fixed header every member we write starts with: no flags, MTIME 0, XFL 0, OS 255. */
    private static final byte[] HEADER = {(byte) MAGIC_0, (byte) MAGIC_1, CM_DEFLATE, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private GzipFormat() {
    }

    static void putHeader(ByteBuffer dst) {
        dst.put(HEADER);
    }

    static void putTrailer(ByteBuffer dst, int crc, int isize) {
        putIntLE(dst, crc);
        putIntLE(dst, isize);
    }

    /**
     * Validates the member header at absolute index {@code at} of {@code src} and returns the index
     * of the DEFLATE data after it.
     *
     * @param base where the compressed data starts, for messages
     * @throws CodecException if the header is truncated or invalid
     */
    static int skipHeader(ByteBuffer src, int at, int base) {
        int end = src.limit();
        need(src, at, HEADER_LENGTH, base, "header");
        int m0 = src.get(at) & 0xff;
        int m1 = src.get(at + 1) & 0xff;
        if (m0 != MAGIC_0 || m1 != MAGIC_1) {
            throw corrupt(String.format("not a gzip member: magic %02x %02x, expected 1f 8b", m0, m1), at, base);
        }
        int cm = src.get(at + 2) & 0xff;
        if (cm != CM_DEFLATE) {
            throw corrupt("compression method " + cm + ", expected 8 (deflate)", at + 2, base);
        }
        int flg = src.get(at + 3) & 0xff;
        if ((flg & FLG_RESERVED) != 0) {
            throw corrupt(String.format("reserved header flag bits set: FLG 0x%02x", flg), at + 3, base);
        }
        int p = at + HEADER_LENGTH;
        if ((flg & FLG_FEXTRA) != 0) {
            need(src, p, 2, base, "FEXTRA length");
            int xlen = (src.get(p) & 0xff) | (src.get(p + 1) & 0xff) << 8;
            need(src, p + 2, xlen, base, "FEXTRA field");
            p += 2 + xlen;
        }
        if ((flg & FLG_FNAME) != 0) {
            p = skipZeroTerminated(src, p, end, base, "FNAME");
        }
        if ((flg & FLG_FCOMMENT) != 0) {
            p = skipZeroTerminated(src, p, end, base, "FCOMMENT");
        }
        if ((flg & FLG_FHCRC) != 0) {
            need(src, p, 2, base, "FHCRC");
            CRC32 crc = new CRC32();
            crc.update(src.duplicate().limit(p).position(at));
            int expected = (int) crc.getValue() & 0xffff;
            int actual = (src.get(p) & 0xff) | (src.get(p + 1) & 0xff) << 8;
            if (actual != expected) {
                throw corrupt(String.format("header CRC-16 0x%04x, expected 0x%04x", actual, expected), p, base);
            }
            p += 2;
        }
        return p;
    }

    static int getIntLE(ByteBuffer src, int at) {
        int v = src.getInt(at);
        return src.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static CodecException corrupt(String problem, int at, int base) {
        return new CodecException("gzip: " + problem + " at byte " + (at - base) + " of the compressed data");
    }

    private static void need(ByteBuffer src, int at, int length, int base, String what) {
        if ((long) at + length > src.limit()) {
            throw new CodecException("gzip: truncated " + what + ": needs " + length + " bytes at byte " + (at - base)
                    + ", only " + Math.max(0, src.limit() - at) + " left of " + (src.limit() - base));
        }
    }

    private static int skipZeroTerminated(ByteBuffer src, int p, int end, int base, String what) {
        for (int i = p; i < end; i++) {
            if (src.get(i) == 0) {
                return i + 1;
            }
        }
        throw new CodecException("gzip: truncated " + what + " field: no terminating zero byte after byte " + (p - base));
    }

    private static void putIntLE(ByteBuffer dst, int v) {
        dst.putInt(dst.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v));
    }
}
