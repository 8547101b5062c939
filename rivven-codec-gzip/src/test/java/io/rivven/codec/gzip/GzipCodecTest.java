package io.rivven.codec.gzip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import io.rivven.testkit.CodecContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.HexFormat;

class GzipCodecTest extends CodecContract {

    private static final int[] SIZES = {0, 1, 100, 16_383, 16_384, 16_385, 65_536, 300_000};

    @Override
    protected CodecProvider provider() {
        return new GzipCodecProvider();
    }

    @Override
    protected boolean checksumsContent() {
        return true;
    }

    private static Codec codec(int level) {
        return new GzipCodecProvider().create(PluginConfig.of("test → compression", Map.of("level", (long) level)));
    }

    @Test
    void defaultLevelIsKafkasDefault() {
        assertEquals(6, ((GzipCodec) codec()).level());
    }

    @Test
    void everyLevelWritesExactlyKafkasBytes() {
        for (int level = 1; level <= 9; level++) {
            Codec codec = codec(level);
            for (int size : SIZES) {
                byte[] data = testData(DataKind.MIXED, size, size + level);
                byte[] ours = compress(codec, data);
                byte[] kafkas = KafkaStreams.compress(Compression.gzip().level(level).build(), data);
                assertArrayEquals(kafkas, ours, "level " + level + ", " + size + " bytes");
            }
        }
        // Kafka's own default, -1, is zlib's 6.
        byte[] data = testData(DataKind.TEXT, 100_000, 1);
        assertArrayEquals(KafkaStreams.compress(Compression.gzip().build(), data), compress(codec(), data));
    }

    @Test
    void kafkaReadsWhatWeWrite() {
        for (int size : SIZES) {
            byte[] data = testData(DataKind.MIXED, size, size);
            assertArrayEquals(data, KafkaStreams.decompress(Compression.gzip().build(), compress(data)), size + " bytes");
        }
    }

    @Test
    void weReadWhatKafkaWrites() {
        for (int level : new int[] {1, 5, 9}) {
            for (int size : SIZES) {
                byte[] data = testData(DataKind.MIXED, size, size * 7L + level);
                byte[] kafkas = KafkaStreams.compress(Compression.gzip().level(level).build(), data);
                assertArrayEquals(data, decompress(kafkas), "level " + level + ", " + size + " bytes");
            }
        }
    }

    @Test
    void levelOutOfRangeOrMistypedIsRejected() {
        for (Object bad : new Object[] {0L, 10L, -1L, "fast", 3.5}) {
            PluginConfig config = PluginConfig.of("rivven.json → topics.t.compression", Map.of("level", bad));
            ConfigException e = assertThrows(ConfigException.class, () -> provider().create(config), "level " + bad);
            assertEquals("rivven.json → topics.t.compression.level", e.path());
        }
    }

    @Test
    void readsOptionalHeaderFieldsAndHeaderCrc() throws IOException {
        byte[] data = testData(DataKind.TEXT, 5000, 2);
        int flags = GzipFormat.FLG_FTEXT | GzipFormat.FLG_FEXTRA | GzipFormat.FLG_FNAME | GzipFormat.FLG_FCOMMENT
                | GzipFormat.FLG_FHCRC;
        byte[] member = member(data, flags, false);
        assertArrayEquals(data, decompress(member));

        byte[] badHeaderCrc = member(data, flags, true);
        CodecException e = assertThrows(CodecException.class, () -> decompress(badHeaderCrc));
        assertTrue(e.getMessage().contains("header CRC-16"), e.getMessage());
    }

    @Test
    void readsSeveralMembers() throws IOException {
        byte[] a = "first member ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = testData(DataKind.RUNS, 70_000, 3);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(compress(a));
        both.write(member(b, GzipFormat.FLG_FNAME, false));
        both.write(compress(new byte[0]));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertArrayEquals(expected.toByteArray(), decompress(both.toByteArray()));
    }

    @Test
    void rejectsBadTrailerReservedFlagsAndTrailingBytes() {
        byte[] data = testData(DataKind.TEXT, 10_000, 4);
        byte[] valid = compress(data);

        byte[] badCrc = valid.clone();
        badCrc[valid.length - 8] ^= 1;
        assertMessage(badCrc, "CRC-32");

        byte[] badSize = valid.clone();
        badSize[valid.length - 4] ^= 1;
        assertMessage(badSize, "ISIZE");

        byte[] reserved = valid.clone();
        reserved[3] |= (byte) 0x80;
        assertMessage(reserved, "reserved header flag");

        byte[] notDeflate = valid.clone();
        notDeflate[2] = 7;
        assertMessage(notDeflate, "compression method 7");

        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 3);
        assertMessage(trailing, "truncated header");

        byte[] zlibNotGzip = new byte[100];
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        deflater.deflate(zlibNotGzip);
        deflater.end();
        assertMessage(zlibNotGzip, "not a gzip member");
    }

    @Test
    void readsJdkGzipOutputStream() throws IOException {
        byte[] data = testData(DataKind.MIXED, 200_000, 5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 1000)) {
            for (int i = 0; i < data.length; i += 777) {
                out.write(data, i, Math.min(777, data.length - i));
                if (i % 7 == 0) {
                    out.flush();
                }
            }
        }
        assertArrayEquals(data, decompress(bytes.toByteArray()));
    }

    private void assertMessage(byte[] corrupt, String expected) {
        CodecException e = assertThrows(CodecException.class, () -> decompress(corrupt));
        assertTrue(e.getMessage().startsWith("gzip: ") && e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] compress(Codec codec, byte[] data) {
        java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(codec.maxCompressedLength(data.length));
        int n = codec.compress(java.nio.ByteBuffer.wrap(data), dst);
        return java.util.Arrays.copyOf(dst.array(), n);
    }

    /** A gzip member with the given optional header fields, written by hand. */
    private static byte[] member(byte[] data, int flags, boolean corruptHeaderCrc) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 2, 3});
        if ((flags & GzipFormat.FLG_FEXTRA) != 0) {
            out.write(new byte[] {4, 0, 'A', 'B', 2, 0});
        }
        if ((flags & GzipFormat.FLG_FNAME) != 0) {
            out.write("segment.log\0".getBytes(StandardCharsets.ISO_8859_1));
        }
        if ((flags & GzipFormat.FLG_FCOMMENT) != 0) {
            out.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        }
        if ((flags & GzipFormat.FLG_FHCRC) != 0) {
            CRC32 crc = new CRC32();
            crc.update(out.toByteArray());
            int crc16 = (int) crc.getValue() & 0xffff ^ (corruptHeaderCrc ? 1 : 0);
            out.write(crc16 & 0xff);
            out.write(crc16 >>> 8);
        }
        Deflater deflater = new Deflater(9, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[data.length + 1000];
        int n = deflater.deflate(buffer);
        deflater.end();
        out.write(buffer, 0, n);
        CRC32 crc = new CRC32();
        crc.update(data);
        int c = (int) crc.getValue();
        out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)});
        int s = data.length;
        out.write(new byte[] {(byte) s, (byte) (s >>> 8), (byte) (s >>> 16), (byte) (s >>> 24)});
        return out.toByteArray();
    }

    /** A member holding nothing (one empty stored block) whose trailer ISIZE says 4 GiB - 1 and 2 GiB. */
    @Override
    protected List<byte[]> inputsClaimingHugeSizes() {
        String member = "1f8b08000000000000ff" + "010000ffff" + "00000000";
        return List.of(HexFormat.of().parseHex(member + "ffffffff"), HexFormat.of().parseHex(member + "00000080"));
    }
}
