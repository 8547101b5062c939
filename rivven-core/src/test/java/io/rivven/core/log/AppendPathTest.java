package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PartitionLog#append(List)}: records are encoded in direct memory by pooled writers
 * ({@link WriterPool}) and written from it, in every flush mode, with and without a codec; an
 * append that fails while encoding leaves the log and the pool as they were.
 */
class AppendPathTest {

    @TempDir
    Path dir;

    private FaultyIoProvider io;

    /**
     * A codec for these tests ({@code "flaky"}, id 6): stores the records section as it is, and fails
     * to compress one that contains {@code "boom"} (a codec error in the middle of an append).
     */
    static final Codec FLAKY = new Codec() {
        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public byte id() {
            return 6;
        }

        @Override
        public int maxCompressedLength(int sourceLength) {
            return sourceLength;
        }

        @Override
        public int compress(ByteBuffer src, ByteBuffer dst) {
            byte[] bytes = new byte[src.remaining()];
            src.duplicate().get(bytes);
            if (new String(bytes, StandardCharsets.ISO_8859_1).contains("boom")) {
                throw new IllegalStateException("flaky: injected compression failure");
            }
            dst.put(src);
            return bytes.length;
        }

        @Override
        public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
            return allocator.allocate(src.remaining()).put(src).flip();
        }
    };

    static final CodecResolver CODECS = id -> id == 6 ? FLAKY : EngineFixture.CODECS.forId(id);

    static final class FlakyCodecProvider implements CodecProvider {
        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public byte id() {
            return 6;
        }

        @Override
        public Codec create(PluginConfig config) {
            return FLAKY;
        }
    }

    private EngineFixture fixture(String codec, String flush) {
        io = FaultyIoProvider.overNio();
        return new EngineFixture(dir).plugins(EngineFixture.pluginsWith(io, new FlakyCodecProvider())).io("faulty")
                .compression(codec).defaults("\"flush\": " + flush);
    }

    static Stream<Arguments> modes() {
        List<Arguments> all = new ArrayList<>();
        for (String codec : List.of("none", "flaky")) {
            all.add(Arguments.of(codec, "{\"mode\": \"os\"}"));
            all.add(Arguments.of(codec, "{\"mode\": \"interval\", \"intervalMs\": 5}"));
            all.add(Arguments.of(codec, "{\"mode\": \"always\"}"));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void batchesGoToTheFileFromDirectMemoryInEveryFlushMode(String codec, String flush) throws Exception {
        EngineFixture fx = fixture(codec, flush);
        List<String> expected = new ArrayList<>();
        int offset = 0;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            // from one small record to batches that grow the writers past what the pool keeps (2 MiB)
            int[][] shapes = {{1, 10}, {200, 100}, {7, 3000}, {40, 40_000}, {1, 10}, {3, 900_000}, {100, 1000}};
            List<AppendResult> results = new ArrayList<>();
            for (int[] shape : shapes) {
                AppendResult r = p.append(EngineFixture.records(offset, shape[0], shape[1]));
                assertEquals(offset, r.baseOffset());
                assertEquals(offset + shape[0] - 1, r.lastOffset());
                results.add(r);
                expected.addAll(EngineFixture.expected(offset, shape[0], shape[1]));
                offset += shape[0];
            }
            p.flush(); // the fixture's clock stands still: the interval's group commit is called for
            for (AppendResult r : results) {
                r.durable().get();
            }
            assertEquals(offset, p.recoveryPoint());
            assertEquals(shapes.length, io.directAppends.get(), "every batch written from direct memory");
            assertEquals(0, io.heapAppends.get());
            assertEquals(expected, EngineFixture.readAll(p, 0, CODECS));
        }
        try (StorageEngine engine = fx.open()) { // what was appended is what the next open finds
            assertEquals(expected, EngineFixture.readAll(engine.partition("t", 0), 0, CODECS));
        }
        assertEquals(0, PartitionLog.WRITERS.memory().arenasOpen(), "huge batches' memory is freed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void anAppendThatFailsWhileEncodingLeavesTheLogAndThePoolAsTheyWere(String codec, String flush) throws Exception {
        try (StorageEngine engine = fixture(codec, flush).open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 10, 100));
            long size = p.sizeInBytes();
            int writes = io.directAppends.get();

            List<Record> withNull = new ArrayList<>(EngineFixture.records(10, 50, 5000));
            withNull.add(null); // fails after 50 records are encoded
            assertThrows(NullPointerException.class, () -> p.append(withNull));
            if (codec.equals("flaky")) {
                List<Record> boom = new ArrayList<>(EngineFixture.records(10, 50, 5000));
                boom.add(Record.of(1, "k", "boom"));
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.append(boom));
                assertTrue(e.getMessage().contains("injected"), e.getMessage());
            }
            assertEquals(10, p.highWatermark());
            assertEquals(size, p.sizeInBytes());
            assertEquals(writes, io.directAppends.get(), "nothing was written");

            for (int i = 0; i < 3; i++) { // the pooled writers go on as if nothing happened
                p.append(EngineFixture.records(10 + i * 20, 20, 300));
            }
            p.flush();
            assertEquals(70, p.recoveryPoint());
            List<String> expected = new ArrayList<>(EngineFixture.expected(0, 10, 100));
            expected.addAll(EngineFixture.expected(10, 60, 300));
            assertEquals(expected, EngineFixture.readAll(p, 0, CODECS));
        }
    }

    @Test
    void aBatchAboveTheLimitIsRefusedAndItsMemoryFreed() throws Exception {
        byte[] mib = new byte[1 << 20];
        Arrays.fill(mib, (byte) 'x');
        List<Record> tooMuch = new ArrayList<>();
        for (int i = 0; i <= 64; i++) { // 65 MiB: above the 64 MiB batch limit
            tooMuch.add(Record.of(1, null, mib));
        }
        try (StorageEngine engine = fixture("none", "{\"mode\": \"os\"}").open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 5, 100));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.append(tooMuch));
            assertTrue(e.getMessage().contains("above the limit"), e.getMessage());
            assertEquals(5, p.highWatermark());
            assertEquals(1, io.directAppends.get());
            assertEquals(0, PartitionLog.WRITERS.memory().arenasOpen(), "the 128 MiB the batch grew to are freed");
            assertTrue(PartitionLog.WRITERS.idleCapacity() <= 64L * 2 * WriterPool.DEFAULT_MAX_RETAINED_CAPACITY,
                    "idle writers hold " + PartitionLog.WRITERS.idleCapacity());
            p.append(EngineFixture.records(5, 5, 100));
            assertEquals(EngineFixture.expected(0, 10, 100), EngineFixture.readAll(p, 0));
        }
    }
}
