package io.rivven.codec.zstd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import io.rivven.api.BufferAllocator;
import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import io.rivven.testkit.CodecContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.ArrayList;

class ZstdCodecTest extends CodecContract {

    private static final int[] SIZES = {0, 1, 100, 16_384, 16_385, 131_072, 300_000, 1 << 20};

    @Override
    protected CodecProvider provider() {
        return new ZstdCodecProvider();
    }

    private static Codec codec(int level) {
        return new ZstdCodecProvider().create(PluginConfig.of("test → compression", Map.of("level", (long) level)));
    }

    @Test
    void defaultLevelIsKafkasDefault() {
        assertEquals(3, ((ZstdCodec) codec()).level());
    }

    @Test
    void maxCompressedLengthIsZstdsBound() {
        for (int n : new int[] {0, 1, 100, 131_071, 131_072, 131_073, 1 << 24, Integer.MAX_VALUE / 2}) {
            assertEquals(Zstd.compressBound(n), codec().maxCompressedLength(n), "bound of " + n);
        }
    }

    @Test
    void levelsAcrossKafkasRange() {
        byte[] data = testData(DataKind.MIXED, 200_000, 1);
        for (int level : new int[] {-131072, -5, 0, 1, 3, 9, 19, 22}) {
            Codec codec = codec(level);
            byte[] compressed = compress(codec, data);
            assertArrayEquals(data, decompress(compressed), "level " + level);
            assertArrayEquals(data, KafkaStreams.decompress(Compression.zstd().build(), compressed), "Kafka reads level " + level);
        }
    }

    @Test
    void kafkaReadsWhatWeWrite() {
        for (int size : SIZES) {
            byte[] data = testData(DataKind.MIXED, size, size);
            assertArrayEquals(data, KafkaStreams.decompress(Compression.zstd().build(), compress(data)), size + " bytes");
        }
    }

    @Test
    void weReadWhatKafkaWritesWithoutContentSize() {
        for (int level : new int[] {-1, 3, 10}) {
            for (int size : SIZES) {
                byte[] data = testData(DataKind.MIXED, size, size * 5L + level);
                byte[] kafkas = KafkaStreams.compress(Compression.zstd().level(level).build(), data);
                if (size > 16_384) {
                    assertEquals(-1, Zstd.getFrameContentSize(kafkas), "Kafka's streaming frame declares no content size");
                }
                assertArrayEquals(data, decompress(kafkas), "level " + level + ", " + size + " bytes");
                assertArrayEquals(data, decompressDirect(kafkas), "direct, level " + level + ", " + size + " bytes");
            }
        }
    }

    @Test
    void readsConcatenatedSkippableAndChecksummedFrames() throws IOException {
        byte[] a = testData(DataKind.TEXT, 50_000, 2);
        byte[] b = testData(DataKind.RUNS, 200_000, 3);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(compress(a));
        stream.write(new byte[] {0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7});
        try (ZstdOutputStream out = new ZstdOutputStream(stream, 5)) {
            out.setChecksum(true);
            out.write(b);
        }
        stream.write(compress(new byte[0]));
        byte[] expected = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, decompress(stream.toByteArray()));
        assertArrayEquals(expected, decompressDirect(stream.toByteArray()));

        byte[] badChecksum = stream.toByteArray();
        int checksumAt = badChecksum.length - compress(new byte[0]).length - 1;
        badChecksum[checksumAt] ^= 1;
        CodecException e = assertThrows(CodecException.class, () -> decompress(badChecksum));
        assertTrue(e.getMessage().startsWith("zstd: ") && e.getMessage().toLowerCase().contains("checksum"), e.getMessage());
    }

    @Test
    void rejectsTrailingGarbageAndWrongContentSize() {
        byte[] data = testData(DataKind.TEXT, 10_000, 4);
        byte[] valid = compress(data);
        assertThrows(CodecException.class, () -> decompress(Arrays.copyOf(valid, valid.length + 5)));
        assertThrows(CodecException.class, () -> decompress(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    }

    @Test
    void levelOutOfRangeOrMistypedIsRejected() {
        for (Object bad : new Object[] {-131073L, 23L, "max", 2.5}) {
            PluginConfig config = PluginConfig.of("rivven.json → topics.t.compression", Map.of("level", bad));
            ConfigException e = assertThrows(ConfigException.class, () -> provider().create(config), "level " + bad);
            assertEquals("rivven.json → topics.t.compression.level", e.path());
        }
    }

    private static byte[] compress(Codec codec, byte[] data) {
        ByteBuffer dst = ByteBuffer.allocate(codec.maxCompressedLength(data.length));
        int n = codec.compress(ByteBuffer.wrap(data), dst);
        return Arrays.copyOf(dst.array(), n);
    }

    private byte[] decompressDirect(byte[] compressed) {
        ByteBuffer src = ByteBuffer.allocateDirect(compressed.length).put(compressed).flip();
        ByteBuffer out = codec().decompress(src, BufferAllocator.DIRECT);
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /**
     * Frames whose header declares a content size of 2 GiB - 1, 1 TiB and 2^63 - 1 bytes (8-byte
     * frame content size field, 1 MiB window), holding one raw last block of 1 byte.
     */
    @Override
    protected List<byte[]> inputsClaimingHugeSizes() {
        List<byte[]> inputs = new ArrayList<>();
        for (long size : new long[] {Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE}) {
            ByteBuffer b = ByteBuffer.allocate(4 + 1 + 1 + 8 + 3 + 1).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putInt(0xFD2FB528).put((byte) 0xC0).put((byte) (10 << 3)).putLong(size);
            b.put((byte) 0x09).put((byte) 0).put((byte) 0).put((byte) 42); // raw block, last, 1 byte
            inputs.add(b.array());
        }
        return inputs;
    }
}
