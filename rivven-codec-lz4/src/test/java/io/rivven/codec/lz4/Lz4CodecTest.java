package io.rivven.codec.lz4;

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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.compress.Lz4BlockOutputStream;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.ArrayList;
import net.jpountz.xxhash.XXHashFactory;

class Lz4CodecTest extends CodecContract {

    private static final int[] SIZES = {0, 1, 100, 65_535, 65_536, 65_537, 200_000, 1 << 20};

    @Override
    protected CodecProvider provider() {
        return new Lz4CodecProvider();
    }

    private static Codec codec(int level) {
        return new Lz4CodecProvider().create(PluginConfig.of("test → compression", Map.of("level", (long) level)));
    }

    @Test
    void usesTheJniImplementationWhereLz4JavaShipsOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"), "lz4-java ships JNI code for linux-amd64");
        assertEquals("LZ4Factory:JNI", Lz4Codec.LZ4.toString());
        assertTrue(Lz4Format.XXHASH.getClass().getName().contains("JNI"), Lz4Format.XXHASH.getClass().getName());
    }

    @Test
    void defaultLevelIsKafkasDefault() {
        assertEquals(9, ((Lz4Codec) codec()).level());
    }

    @Test
    void emptyInputIsKafkasElevenBytes() {
        assertEquals("04224d1860408200000000", HexFormat.of().formatHex(compress(new byte[0])));
    }

    @Test
    void writesExactlyKafkasBytes() {
        for (int level : new int[] {1, 4, 9, 10, 17}) {
            Codec codec = codec(level);
            for (int size : SIZES) {
                for (DataKind kind : new DataKind[] {DataKind.MIXED, DataKind.RANDOM}) {
                    byte[] data = testData(kind, size, size + level);
                    byte[] kafkas = KafkaStreams.compress(Compression.lz4().level(level).build(), data);
                    assertArrayEquals(kafkas, compress(codec, data), "level " + level + ", " + size + " " + kind + " bytes");
                }
            }
        }
    }

    @Test
    void kafkaReadsWhatWeWrite() {
        for (int size : SIZES) {
            byte[] data = testData(DataKind.MIXED, size, size);
            assertArrayEquals(data, KafkaStreams.decompress(Compression.lz4().build(), compress(data)), size + " bytes");
        }
    }

    @Test
    void weReadWhatKafkaWrites() {
        for (int level : new int[] {1, 9, 17}) {
            for (int size : SIZES) {
                byte[] data = testData(DataKind.MIXED, size, size * 3L + level);
                byte[] kafkas = KafkaStreams.compress(Compression.lz4().level(level).build(), data);
                assertArrayEquals(data, decompress(kafkas), "level " + level + ", " + size + " bytes");
            }
        }
    }

    @Test
    void weReadKafkaFramesWithBlockChecksumsAndLargerBlocks() throws IOException {
        byte[] data = testData(DataKind.MIXED, 3_000_000, 1);
        for (int blockSize = 4; blockSize <= 7; blockSize++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (Lz4BlockOutputStream out = new Lz4BlockOutputStream(bytes, blockSize, 9, true, false)) {
                out.write(data);
            }
            assertArrayEquals(data, decompress(bytes.toByteArray()), "block size id " + blockSize);
        }
    }

    @Test
    void readsGenericFramesWithChecksumsAndContentSize() throws IOException {
        byte[] data = testData(DataKind.MIXED, 1_500_000, 2);
        for (BLOCKSIZE blockSize : BLOCKSIZE.values()) {
            byte[] frame = lz4JavaFrame(data, blockSize, Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM, Bits.CONTENT_CHECKSUM,
                    Bits.CONTENT_SIZE);
            assertArrayEquals(data, decompress(frame), blockSize.toString());
        }
    }

    @Test
    void lz4JavaReadsWhatWeWrite() throws IOException {
        byte[] data = testData(DataKind.MIXED, 500_000, 3);
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(compress(data)))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void readsConcatenatedAndSkippableFrames() throws IOException {
        byte[] a = testData(DataKind.TEXT, 70_000, 4);
        byte[] b = testData(DataKind.RUNS, 10_000, 5);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(compress(a));
        stream.write(new byte[] {0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3});
        stream.write(lz4JavaFrame(b, BLOCKSIZE.SIZE_64KB, Bits.BLOCK_INDEPENDENCE, Bits.CONTENT_CHECKSUM));
        byte[] expected = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, decompress(stream.toByteArray()));
    }

    @Test
    void checksumMismatchesAreReported() throws IOException {
        byte[] data = testData(DataKind.TEXT, 100_000, 6);
        byte[] frame = lz4JavaFrame(data, BLOCKSIZE.SIZE_64KB, Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM,
                Bits.CONTENT_CHECKSUM, Bits.CONTENT_SIZE);

        byte[] badContentChecksum = frame.clone();
        badContentChecksum[frame.length - 1] ^= 1;
        assertMessage(badContentChecksum, "content checksum");

        byte[] badBlockChecksum = frame.clone();
        badBlockChecksum[15 + 4 + 10] ^= 1;
        assertMessage(badBlockChecksum, "block checksum");

        byte[] badHeader = compress(data);
        badHeader[6] ^= 1;
        assertMessage(badHeader, "frame descriptor checksum");
    }

    @Test
    void rejectsWhatKafkaRejects() throws IOException {
        byte[] data = testData(DataKind.TEXT, 10_000, 7);

        // lz4-java refuses to write linked blocks; the lz4 command line writes them by default.
        byte[] linked = compress(data);
        linked[4] = 0x40;
        linked[6] = Lz4Format.headerChecksum(Lz4Format.XXHASH.hash(linked, 4, 2, 0));
        assertMessage(linked, "dependent (linked) blocks");

        // Message format v0's frames: Kafka 0.8 computed HC over the magic too; not valid in RecordBatch v2.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Lz4BlockOutputStream out = new Lz4BlockOutputStream(bytes, 9, true)) {
            out.write(data);
        }
        assertMessage(bytes.toByteArray(), "frame descriptor checksum");

        assertMessage(Arrays.copyOf(compress(data), compress(data).length + 4), "bytes after the last frame");
        assertMessage(new byte[] {1, 2, 3, 4, 5}, "not an LZ4 frame");
    }

    @Test
    void oversizedBlockIsRejectedBeforeDecoding() {
        byte[] frame = compress(testData(DataKind.TEXT, 1000, 8));
        ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(7, 0x7fff_ffff);
        assertMessage(frame, "exceeds the frame's maximum block size 65536");
    }

    @Test
    void levelOutOfRangeOrMistypedIsRejected() {
        for (Object bad : new Object[] {0L, 18L, "high", 1.5}) {
            PluginConfig config = PluginConfig.of("rivven.json → defaults.compression", Map.of("level", bad));
            ConfigException e = assertThrows(ConfigException.class, () -> provider().create(config), "level " + bad);
            assertEquals("rivven.json → defaults.compression.level", e.path());
        }
    }

    private void assertMessage(byte[] corrupt, String expected) {
        CodecException e = assertThrows(CodecException.class, () -> decompress(corrupt));
        assertTrue(e.getMessage().startsWith("lz4: ") && e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] compress(Codec codec, byte[] data) {
        ByteBuffer dst = ByteBuffer.allocate(codec.maxCompressedLength(data.length));
        int n = codec.compress(ByteBuffer.wrap(data), dst);
        return Arrays.copyOf(dst.array(), n);
    }

    private static byte[] lz4JavaFrame(byte[] data, BLOCKSIZE blockSize, Bits... bits) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean size = Arrays.asList(bits).contains(Bits.CONTENT_SIZE);
        try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(bytes, blockSize, size ? data.length : -1L, bits)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /**
     * Frames whose descriptor declares a content size of 2 GiB, 1 TiB and 2^63 - 1 bytes with 4 MiB
     * blocks, holding one stored block of 3 bytes (the descriptor checksum is right, so the claim
     * is read), and one whose block length field says 4 MiB with 3 bytes behind it.
     */
    @Override
    protected List<byte[]> inputsClaimingHugeSizes() {
        List<byte[]> inputs = new ArrayList<>();
        for (long size : new long[] {Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE}) {
            ByteBuffer b = ByteBuffer.allocate(4 + 2 + 8 + 1 + 4 + 3 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putInt(0x184D2204).put((byte) 0x68).put((byte) 0x70).putLong(size);
            int hc = XXHashFactory.safeInstance().hash32().hash(b.array(), 4, 10, 0);
            b.put((byte) (hc >>> 8)).putInt(0x8000_0003).put(new byte[] {1, 2, 3}).putInt(0);
            inputs.add(b.array());
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 1 + 4 + 3).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x184D2204).put((byte) 0x60).put((byte) 0x70);
        b.put((byte) (XXHashFactory.safeInstance().hash32().hash(b.array(), 4, 2, 0) >>> 8)).putInt(4 << 20).put(new byte[] {1, 2, 3});
        inputs.add(b.array());
        return inputs;
    }

    /**
     * A small frame (its first guess at the output is below the 64 KiB block size, so decoding
     * its block grows the output) that fails afterwards: truncated, or a bit flipped in its end.
     * Every buffer must be released exactly once.
     */
    @Test
    void aFrameFailingAfterItsOutputGrewReleasesEveryBufferOnce() {
        byte[] data = testData(DataKind.TEXT, 1000, 1);
        byte[] valid = compress(data);
        for (byte[] corrupt : List.of(Arrays.copyOf(valid, valid.length - 1), Arrays.copyOf(valid, valid.length - 4))) {
            CountingAllocator allocator = new CountingAllocator(false);
            assertThrows(CodecException.class, () -> codec().decompress(ByteBuffer.wrap(corrupt), allocator));
            assertTrue(allocator.allocations() > 1, "the output grew: " + allocator.allocations() + " allocations");
            allocator.assertOnlyLive(null);
        }
    }
}
