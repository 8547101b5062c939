package io.rivven.codec.snappy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import io.rivven.testkit.CodecContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyOutputStream;
import java.util.List;

class SnappyCodecTest extends CodecContract {

    private static final int[] SIZES = {0, 1, 100, 32_767, 32_768, 32_769, 100_000, 1 << 20};
    private static final Compression KAFKA = Compression.snappy().build();

    @Override
    protected CodecProvider provider() {
        return new SnappyCodecProvider();
    }

    @Override
    protected boolean detectsTruncation() {
        return false;
    }

    @Test
    void writesExactlyKafkasBytes() {
        for (int size : SIZES) {
            for (DataKind kind : new DataKind[] {DataKind.MIXED, DataKind.RANDOM, DataKind.TEXT}) {
                byte[] data = testData(kind, size, size);
                assertArrayEquals(KafkaStreams.compress(KAFKA, data), compress(data), size + " " + kind + " bytes");
            }
        }
    }

    @Test
    void emptyInputIsTheHeaderAlone() {
        byte[] empty = compress(new byte[0]);
        assertEquals("82534e4150505900" + "00000001" + "00000001", HexFormat.of().formatHex(empty));
        assertArrayEquals(KafkaStreams.compress(KAFKA, new byte[0]), empty);
        assertArrayEquals(new byte[0], KafkaStreams.decompress(KAFKA, empty));
    }

    @Test
    void exampleFromTheFormatDescription() {
        assertEquals("82534e41505059000000000100000001" + "00000005" + "0308616263",
                HexFormat.of().formatHex(compress("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    }

    @Test
    void kafkaReadsWhatWeWrite() {
        for (int size : SIZES) {
            byte[] data = testData(DataKind.MIXED, size, size + 1);
            assertArrayEquals(data, KafkaStreams.decompress(KAFKA, compress(data)), size + " bytes");
        }
    }

    @Test
    void weReadWhatKafkaWrites() {
        for (int size : SIZES) {
            byte[] data = testData(DataKind.MIXED, size, size + 2);
            byte[] kafkas = KafkaStreams.compress(KAFKA, data);
            assertArrayEquals(data, decompress(kafkas), size + " bytes");
            ByteBuffer direct = ByteBuffer.allocateDirect(kafkas.length).put(kafkas).flip();
            ByteBuffer out = codec().decompress(direct, BufferAllocator.DIRECT);
            assertEquals(-1, out.mismatch(ByteBuffer.wrap(data)), "direct, " + size + " bytes: first differing byte");
        }
    }

    @Test
    void readsStreamsWrittenWithOtherBlockSizes() throws IOException {
        byte[] data = testData(DataKind.MIXED, 700_000, 3);
        for (int blockSize : new int[] {1024, 65_536, 1 << 20}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (SnappyOutputStream out = new SnappyOutputStream(bytes, blockSize)) {
                out.write(data);
            }
            assertArrayEquals(data, decompress(bytes.toByteArray()), "block size " + blockSize);
        }
    }

    @Test
    void readsARawBlockAsKafkasReaderDoes() throws IOException {
        byte[] data = testData(DataKind.TEXT, 100_000, 4);
        byte[] raw = Snappy.compress(data);
        assertArrayEquals(data, KafkaStreams.decompress(KAFKA, raw), "Kafka's reader takes unframed input as one block");
        assertArrayEquals(data, decompress(raw));
    }

    @Test
    void readsConcatenatedStreams() throws IOException {
        byte[] a = testData(DataKind.TEXT, 40_000, 5);
        byte[] b = testData(DataKind.RUNS, 50_000, 6);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(compress(a));
        both.write(compress(b));
        byte[] expected = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, KafkaStreams.decompress(KAFKA, both.toByteArray()));
        assertArrayEquals(expected, decompress(both.toByteArray()));
    }

    @Test
    void truncationAtABlockBoundaryIsAShorterValidStream() {
        byte[] data = testData(DataKind.TEXT, 100_000, 7);
        byte[] stream = compress(data);
        int firstBlock = ByteBuffer.wrap(stream).getInt(SnappyFormat.HEADER_LENGTH);
        byte[] cut = Arrays.copyOf(stream, SnappyFormat.HEADER_LENGTH + 4 + firstBlock);
        assertArrayEquals(Arrays.copyOf(data, SnappyFormat.BLOCK_SIZE), decompress(cut));
    }

    @Test
    void corruptFramingIsReported() {
        byte[] stream = compress(testData(DataKind.TEXT, 50_000, 8));

        assertMessage(new byte[0], "empty input");
        assertMessage(Arrays.copyOf(stream, stream.length + 2), "2 stray bytes");

        byte[] longBlock = stream.clone();
        ByteBuffer.wrap(longBlock).putInt(SnappyFormat.HEADER_LENGTH, 1 << 30);
        assertMessage(longBlock, "block length 1073741824");

        byte[] badBlock = stream.clone();
        int varint = SnappyFormat.HEADER_LENGTH + 4;
        badBlock[varint] = (byte) 0xff; // the varint length now claims 2^28 - 1 bytes, far more than the block can hold
        badBlock[varint + 1] = (byte) 0xff;
        badBlock[varint + 2] = (byte) 0xff;
        badBlock[varint + 3] = (byte) 0x7f;
        assertMessage(badBlock, "invalid uncompressed length 268,435,455");

        byte[] badLiteral = stream.clone();
        badLiteral[SnappyFormat.HEADER_LENGTH + 4 + 3] = (byte) 0xfe; // a copy from before the block's start
        assertMessage(badLiteral, "invalid block");

        byte[] hugeRaw = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x00, 0x01};
        assertMessage(hugeRaw, "snappy: ");
    }

    @Test
    void maxBlockLengthIsSnappys() {
        for (int n : new int[] {0, 1, 6, 7, 100, 32_768, 1 << 20}) {
            assertEquals(Snappy.maxCompressedLength(n), SnappyFormat.maxBlockLength(n), "bound of " + n);
        }
    }

    @Test
    void hasNoOptions() {
        PluginConfig config = PluginConfig.of("rivven.json → topics.t.compression", Map.of("level", 3L));
        ConfigException e = assertThrows(ConfigException.class, () -> provider().create(config));
        assertEquals("rivven.json → topics.t.compression.level", e.path());
        assertTrue(e.getMessage().contains("(none)"), e.getMessage());
    }

    private void assertMessage(byte[] corrupt, String expected) {
        CodecException e = assertThrows(CodecException.class, () -> decompress(corrupt));
        assertTrue(e.getMessage().startsWith("snappy: ") && e.getMessage().contains(expected), e.getMessage());
    }

    /** Raw and framed blocks whose varint says 2 GiB, 1 GiB and 64 MiB; snappy-java refuses such a length up front. */
    @Override
    protected List<byte[]> inputsClaimingHugeSizes() {
        String framed = "82534e41505059000000000100000001";
        return List.of(HexFormat.of().parseHex("8080fcff07"), HexFormat.of().parseHex("80808080040000"),
                HexFormat.of().parseHex(framed + "00000005" + "8080fcff07"),
                HexFormat.of().parseHex(framed + "00000006" + "808080200000"),
                HexFormat.of().parseHex(framed + "00000004" + "03086162" + "00000005" + "8080fcff07"));
    }
}
