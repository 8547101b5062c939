package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.core.codec.NoneCodec;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RecordBatchRoundTripTest {

    static Stream<Arguments> setups() {
        return Stream.of(
                Arguments.of("none/heap", null, BufferAllocator.HEAP),
                Arguments.of("none/direct", null, BufferAllocator.DIRECT),
                Arguments.of("none-codec/heap", NoneCodec.INSTANCE, BufferAllocator.HEAP),
                Arguments.of("deflate/heap", DeflateTestCodec.INSTANCE, BufferAllocator.HEAP),
                Arguments.of("deflate/direct", DeflateTestCodec.INSTANCE, BufferAllocator.DIRECT));
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Every field combination the format has, in one list. */
    static List<Record> variety() {
        SplittableRandom r = new SplittableRandom(42);
        long t = 1_700_000_000_000L;
        List<Record> list = new ArrayList<>();
        list.add(Record.of(t, (byte[]) null, (byte[]) null));
        list.add(Record.of(t + 1, new byte[0], new byte[0]));
        list.add(Record.of(t - 5_000, "key".getBytes(StandardCharsets.UTF_8), null)); // negative delta, tombstone
        list.add(Record.of(t, null, "value only".getBytes(StandardCharsets.UTF_8)));
        list.add(Record.builder().timestamp(t + 10).key("k").value("v")
                .header("h1", "v1").header("empty", new byte[0]).header("null", (byte[]) null)
                .header("", "empty key").header("ключ", "значение ✓").header("h1", "duplicate key").build());
        list.add(Record.of(t + 1_000_000_000L, bytes(r, 200), bytes(r, 70_000))); // multi-byte varints
        list.add(Record.of(-1, bytes(r, 3), bytes(r, 3))); // no timestamp
        list.add(Record.of(Long.MAX_VALUE / 2, bytes(r, 64), bytes(r, 8191)));
        list.add(Record.builder().timestamp(t).value(ByteBuffer.wrap(bytes(r, 100), 10, 50)).build()); // buffer at an offset
        return list;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void everyFieldCombinationRoundTrips(String name, Codec codec, BufferAllocator allocator) {
        List<Record> records = variety();
        try (RecordBatchWriter w = new RecordBatchWriter(allocator, 128)) {
            ByteBuffer batch = w.reset(1000, codec).appendAll(records).build();
            assertEquals(0, batch.position());
            assertEquals(w.sizeInBytes(), batch.remaining());
            List<Decoded> decoded = Decoded.all(batch);
            assertEquals(records.size(), decoded.size());
            for (int i = 0; i < records.size(); i++) {
                assertEquals(1000 + i, decoded.get(i).offset());
                assertEquals(records.get(i), decoded.get(i).record(), "record " + i);
            }
            RecordBatch b = RecordBatch.of(batch);
            assertEquals(1000, b.baseOffset());
            assertEquals(1000 + records.size() - 1, b.lastOffset());
            assertEquals(records.size(), b.recordCount());
            assertEquals(records.getFirst().timestamp(), b.baseTimestamp());
            assertEquals(Long.MAX_VALUE / 2, b.maxTimestamp());
            assertEquals(codec == null ? 0 : codec.id(), b.codecId());
            assertEquals(batch.remaining(), b.sizeInBytes());
            assertEquals(-1, b.producerId());
            assertEquals(-1, b.producerEpoch());
            assertEquals(-1, b.baseSequence());
            assertEquals(-1, b.partitionLeaderEpoch());
            assertEquals(TimestampType.CREATE_TIME, b.timestampType());
            assertFalse(b.isTransactional() || b.isControlBatch() || b.hasDeleteHorizon());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void manyRecordsAndWriterReuse(String name, Codec codec, BufferAllocator allocator) {
        SplittableRandom r = new SplittableRandom(1);
        try (RecordBatchWriter w = new RecordBatchWriter(allocator, 64)) {
            for (int round = 0; round < 3; round++) {
                int n = round == 1 ? 1 : 5_000;
                List<Record> records = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String json = "{\"id\":" + i + ",\"name\":\"user-" + r.nextInt(1000) + "\",\"round\":" + round + "}";
                    records.add(Record.of(1000L + r.nextInt(-500, 500), ("k" + i).getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
                }
                w.reset(round * 10_000L, codec);
                for (Record rec : records) {
                    w.append(rec);
                }
                ByteBuffer batch = w.build();
                assertEquals(records, Decoded.records(batch), "round " + round);
                assertEquals(records.stream().mapToLong(Record::timestamp).max().orElseThrow(), RecordBatch.of(batch).maxTimestamp());
            }
        }
    }

    @Test
    void pooledSlicesAndAllocatorsThatSwitchMemory() {
        // a pool handing out slices of one array: the writer must stay within its slice
        byte[] pool = new byte[1 << 20];
        java.util.Arrays.fill(pool, (byte) 0x5a);
        int[] next = {1000};
        List<int[]> guards = new ArrayList<>();
        guards.add(new int[] {0, 1000});
        BufferAllocator sliced = n -> {
            ByteBuffer b = ByteBuffer.wrap(pool, next[0], n).slice();
            guards.add(new int[] {next[0] + n, next[0] + n + 1000}); // guard bytes after each slice
            next[0] += n + 1000;
            return b;
        };
        // a heap buffer first, direct ones after: growth moves the records from the array to the direct buffer
        int[] calls = {0};
        BufferAllocator switching = n -> calls[0]++ == 0 ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
        List<Record> records = variety();
        for (BufferAllocator allocator : new BufferAllocator[] {sliced, switching}) {
            try (RecordBatchWriter w = new RecordBatchWriter(allocator, 100)) {
                ByteBuffer batch = w.reset(3).appendAll(records).build();
                List<Decoded> d = Decoded.all(batch);
                assertEquals(records, d.stream().map(Decoded::record).toList());
            }
        }
        assertTrue(guards.size() > 2, "the pool was asked to grow");
        for (int[] g : guards) {
            for (int i = g[0]; i < g[1]; i++) {
                assertEquals(0x5a, pool[i], "guard byte " + i + " outside every slice was written");
            }
        }
        assertTrue(calls[0] > 1, "the switching allocator was asked to grow");
    }

    @Test
    void largeValues() {
        SplittableRandom r = new SplittableRandom(3);
        Record big = Record.of(5, bytes(r, 100), bytes(r, 3 << 20));
        for (Codec codec : new Codec[] {null, DeflateTestCodec.INSTANCE}) {
            ByteBuffer batch = RecordBatchWriter.encode(0, codec, List.of(big, big));
            assertEquals(List.of(big, big), Decoded.records(batch));
        }
    }

    @Test
    void headerFieldsRoundTrip() {
        RecordBatchWriter w = new RecordBatchWriter();
        ByteBuffer batch = w.reset(77, DeflateTestCodec.INSTANCE)
                .producer(123456789L, (short) 7, 42)
                .partitionLeaderEpoch(9)
                .transactional(true)
                .control(true)
                .deleteHorizonMs(999)
                .append(Record.of(1_000, "a", "b"))
                .append(Record.of(5_000, "c", "d"))
                .logAppendTime(8_000)
                .build();
        RecordBatch b = RecordBatch.of(batch).ensureValid();
        assertEquals(77, b.baseOffset());
        assertEquals(123456789L, b.producerId());
        assertEquals(7, b.producerEpoch());
        assertEquals(42, b.baseSequence());
        assertEquals(9, b.partitionLeaderEpoch());
        assertTrue(b.isTransactional());
        assertTrue(b.isControlBatch());
        assertTrue(b.hasDeleteHorizon());
        assertEquals(999, b.deleteHorizonMs());
        assertEquals(999, b.baseTimestamp());
        assertEquals(TimestampType.LOG_APPEND_TIME, b.timestampType());
        assertEquals(8_000, b.maxTimestamp());
        assertEquals(5 | 0x08 | 0x10 | 0x20 | 0x40, b.attributes());
        try (RecordCursor c = b.records(Decoded.CODECS, BufferAllocator.HEAP)) {
            assertTrue(c.next());
            assertEquals(8_000, c.timestamp()); // log append time wins, as in Kafka
            assertEquals(1, c.timestampDelta());
            assertTrue(c.next());
            assertEquals(4001, c.timestampDelta());
            assertFalse(c.next());
            assertFalse(c.next());
        }
    }

    @Test
    void offsetGapsAsAfterCompaction() {
        RecordBatchWriter w = new RecordBatchWriter();
        ByteBuffer batch = w.reset(100)
                .appendWithOffset(100, Record.of(1, "a", "1"))
                .appendWithOffset(103, Record.of(1, "b", "2"))
                .append(Record.of(1, "c", "3"))
                .appendWithOffset(110, Record.of(1, "d", null))
                .build();
        List<Decoded> d = Decoded.all(batch);
        assertEquals(List.of(100L, 103L, 104L, 110L), d.stream().map(Decoded::offset).toList());
        assertEquals(110, RecordBatch.of(batch).lastOffset());
        assertEquals(4, RecordBatch.of(batch).recordCount());
        w.reset(100).append(Record.of(1, "a", "1"));
        assertThrows(IllegalArgumentException.class, () -> w.appendWithOffset(100, Record.of(1, "x", "y")));
        assertThrows(IllegalArgumentException.class, () -> w.appendWithOffset(99, Record.of(1, "x", "y")));
    }

    @Test
    void rawBufferAppendEqualsRecordAppend() {
        ByteBuffer key = ByteBuffer.wrap("xxkeyxx".getBytes(StandardCharsets.UTF_8), 2, 3);
        ByteBuffer value = ByteBuffer.allocateDirect(10).put("value".getBytes(StandardCharsets.UTF_8)).flip();
        RecordBatchWriter w = new RecordBatchWriter();
        ByteBuffer a = copy(w.reset(5).append(9, key, value).append(10, (ByteBuffer) null, null).build());
        assertEquals(2, key.position());
        assertEquals(0, value.position());
        ByteBuffer b = copy(w.reset(5).append(Record.of(9, "key", "value")).append(Record.of(10, (String) null, null)).build());
        assertEquals(b, a);
    }

    @Test
    void workedExampleOfTheLayoutJavadoc() {
        ByteBuffer batch = RecordBatchWriter.encode(0, null, List.of(Record.of(0, "k", "v")));
        assertEquals(70, batch.remaining());
        assertEquals(58, RecordBatch.of(batch).batchLength());
        byte[] record = new byte[9];
        batch.get(61, record);
        assertEquals("10000000026b027600", HexFormat.of().formatHex(record));
    }

    @Test
    void restampingTheBaseOffsetKeepsTheCrcValid() {
        ByteBuffer batch = RecordBatchWriter.encode(0, DeflateTestCodec.INSTANCE, variety());
        long crc = RecordBatch.of(batch).checksum();
        RecordBatchLayout.putBaseOffset(batch, 0, 1L << 40);
        RecordBatchLayout.putPartitionLeaderEpoch(batch, 0, 12);
        RecordBatch b = RecordBatch.of(batch).ensureValid();
        assertEquals(crc, b.checksum());
        assertEquals(1L << 40, b.baseOffset());
        assertEquals((1L << 40) + variety().size() - 1, b.lastOffset());
        assertEquals((1L << 40) + 2, Decoded.all(batch).get(2).offset());
        b.setBaseOffset(5);
        assertEquals(5, Decoded.all(batch).getFirst().offset());
    }

    @Test
    void uncompressedDecodingDoesNotCopyPayloads() {
        ByteBuffer heap = RecordBatchWriter.encode(0, null, List.of(Record.of(1, "key", "value")));
        try (RecordCursor c = RecordBatch.of(heap).ensureValid().records()) {
            assertTrue(c.next());
            ByteBuffer v = c.value();
            assertSame(heap.array(), v.array());
            assertEquals(heap.arrayOffset() + c.valueIndex(), v.arrayOffset());
            assertSame(heap, c.buffer());
            Record rec = c.toRecord();
            heap.put(c.valueIndex(), (byte) 'V'); // the batch's memory is the record's memory
            assertEquals("Value", rec.valueString());
            assertEquals("Value", StandardCharsets.UTF_8.decode(v).toString());
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(100);
        direct.put(heap.rewind()).flip();
        try (RecordCursor c = RecordBatch.of(direct).records()) {
            assertTrue(c.next());
            ByteBuffer k = c.key();
            assertTrue(k.isDirect());
            direct.put(c.keyIndex(), (byte) 'K');
            assertEquals('K', k.get(0));
        }
    }

    @Test
    void writerStateRules() {
        RecordBatchWriter w = new RecordBatchWriter();
        IllegalStateException empty = assertThrows(IllegalStateException.class, w::build);
        assertTrue(empty.getMessage().contains("no records"), empty.getMessage());
        ByteBuffer first = w.append(Record.of(1, "a", "b")).build();
        assertEquals(first, w.build()); // idempotent
        assertThrows(IllegalStateException.class, () -> w.append(Record.of(1, "a", "b")));
        assertThrows(IllegalStateException.class, () -> w.producer(1, (short) 1, 1));
        w.reset(0).append(Record.of(1, "a", "b"));
        assertThrows(IllegalStateException.class, () -> w.deleteHorizonMs(5));
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, () -> w.reset(0));
    }

    @Test
    void recordsWithoutKeyOrValueAndEmptyOnesDiffer() {
        List<Record> d = Decoded.records(RecordBatchWriter.encode(0, null, List.of(
                Record.of(1, (byte[]) null, null), Record.of(1, new byte[0], new byte[0]))));
        assertNull(d.get(0).key());
        assertNull(d.get(0).value());
        assertEquals(0, d.get(1).keySize());
        assertEquals(0, d.get(1).valueSize());
        assertArrayEquals(new byte[0], d.get(1).valueBytes());
    }

    @Test
    void headersDecodeAsViews() {
        Record rec = Record.builder().timestamp(1).header(Header.of("a", "1")).header("b", (String) null).build();
        ByteBuffer batch = RecordBatchWriter.encode(0, null, List.of(rec));
        try (RecordCursor c = RecordBatch.of(batch).records()) {
            assertTrue(c.next());
            assertEquals(2, c.headerCount());
            assertEquals("a", c.header(0).key());
            assertEquals("1", c.header(0).valueString());
            assertEquals("b", c.header(1).key());
            assertNull(c.header(1).value());
            assertEquals(-1, c.header(1).valueSize());
            assertThrows(IndexOutOfBoundsException.class, () -> c.header(2));
        }
    }

    /** An allocator over {@code inner} that counts what is out (allocated and not released). */
    static final class CountingAllocator implements BufferAllocator {
        final BufferAllocator inner;
        final java.util.Set<ByteBuffer> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int allocations;

        CountingAllocator(BufferAllocator inner) {
            this.inner = inner;
        }

        @Override
        public ByteBuffer allocate(int minCapacity) {
            ByteBuffer b = inner.allocate(minCapacity);
            out.add(b);
            allocations++;
            return b;
        }

        @Override
        public void release(ByteBuffer buffer) {
            assertTrue(out.remove(buffer), "released a buffer that is not out (twice, or never allocated)");
        }

        long bytesOut() {
            return out.stream().mapToLong(ByteBuffer::capacity).sum();
        }
    }

    static Stream<Arguments> memories() {
        byte[] pool = new byte[8 << 20];
        int[] next = {16};
        BufferAllocator sliced = n -> { // slices of one array at odd offsets
            if (next[0] + n + 16 > pool.length) {
                next[0] = 16;
            }
            ByteBuffer b = ByteBuffer.wrap(pool, next[0], n).slice();
            next[0] += n + 16;
            return b;
        };
        return Stream.of(Arguments.of("heap", BufferAllocator.HEAP), Arguments.of("direct", BufferAllocator.DIRECT),
                Arguments.of("sliced", sliced));
    }

    /** Records without headers (what the raw appends take), with every size class of varint. */
    static List<Record> headerless() {
        return variety().stream().filter(r -> r.headers().isEmpty()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void everyAppendAndEveryMemoryWriteTheSameBytes(String name, BufferAllocator allocator) {
        for (Codec codec : new Codec[] {null, DeflateTestCodec.INSTANCE}) {
            ByteBuffer expected = RecordBatchWriter.encode(7, codec, headerless());
            ByteBuffer expectedAll = RecordBatchWriter.encode(7, codec, variety());
            try (RecordBatchWriter w = new RecordBatchWriter(allocator, 100)) {
                for (int round = 0; round < 2; round++) { // the second round reuses the grown buffers
                    w.reset(7, codec);
                    for (Record r : headerless()) {
                        w.append(r.timestamp(), r.keyBytes(), r.valueBytes());
                    }
                    assertEquals(expected, copy(w.build()), name + " arrays " + codec);
                    w.reset(7, codec);
                    for (Record r : headerless()) {
                        w.append(r.timestamp(), r.key(), r.value());
                    }
                    assertEquals(expected, copy(w.build()), name + " buffers " + codec);
                    assertEquals(expectedAll, copy(w.reset(7, codec).appendAll(variety()).build()), name + " records " + codec);
                }
            }
        }
    }

    @Test
    void uncompressedHeapAndDirectBatchesAreByteIdentical() {
        List<Record> records = variety();
        try (RecordBatchWriter heap = new RecordBatchWriter(); 
                RecordBatchWriter direct = new RecordBatchWriter(BufferAllocator.DIRECT, 64)) {
            ByteBuffer h = heap.reset(99).producer(5, (short) 1, 3).appendAll(records).build();
            ByteBuffer d = direct.reset(99).producer(5, (short) 1, 3).appendAll(records).build();
            assertTrue(d.isDirect());
            assertEquals(h, d);
            assertEquals(RecordBatch.of(h).checksum(), RecordBatch.of(d).ensureValid().checksum());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void aFailedAppendLeavesTheBatchAsItWas(String name, BufferAllocator allocator) {
        List<Record> records = variety();
        ByteBuffer expected = RecordBatchWriter.encode(0, null, records);
        try (RecordBatchWriter w = new RecordBatchWriter(allocator, 100)) {
            w.reset(0);
            for (int i = 0; i < records.size(); i++) {
                w.append(records.get(i));
                long bad = i; // not above the last offset
                assertThrows(IllegalArgumentException.class, () -> w.appendWithOffset(bad, Record.of(1, "x", "y")));
                assertThrows(NullPointerException.class, () -> w.append(null));
            }
            assertEquals(records.size(), w.recordCount());
            assertEquals(expected, copy(w.build()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void trimGivesLargeBuffersBackAndTheWriterGoesOn(String name, BufferAllocator memory) {
        CountingAllocator allocator = new CountingAllocator(memory);
        byte[] big = new byte[1 << 20];
        new SplittableRandom(9).nextBytes(big);
        List<Record> small = List.of(Record.of(1, "k", "v"));
        try (RecordBatchWriter w = new RecordBatchWriter(allocator, 1024)) {
            for (Codec codec : new Codec[] {null, DeflateTestCodec.INSTANCE}) {
                ByteBuffer batch = w.reset(0, codec).append(Record.of(1, null, big)).build();
                assertEquals(List.of(Record.of(1, null, big)), Decoded.records(batch));
                assertTrue(w.capacity() > 1 << 20, "capacity " + w.capacity());
                w.trim(64 * 1024);
                assertTrue(w.capacity() <= 64 * 1024, "after trim: " + w.capacity());
                assertEquals(w.capacity(), allocator.bytesOut(), "the writer holds exactly what is out");
                assertTrue(w.isEmpty());
                assertEquals(small, Decoded.records(w.reset(0, codec).appendAll(small).build()));
                // a trim that finds nothing too large keeps the buffers
                int allocations = allocator.allocations;
                w.trim(64 * 1024);
                assertEquals(allocations, allocator.allocations);
                assertThrows(IllegalStateException.class, w::build); // trim discarded the batch
            }
        }
        assertEquals(0, allocator.out.size(), "close gives every buffer back");
    }

    @Test
    void aWriterAfterCloseOrWithoutAStartedBatchRefusesClearly() {
        RecordBatchWriter w = new RecordBatchWriter(BufferAllocator.DIRECT, 64);
        w.append(1, "k".getBytes(StandardCharsets.UTF_8), null).build();
        IllegalStateException built = assertThrows(IllegalStateException.class,
                () -> w.append(2, "k".getBytes(StandardCharsets.UTF_8), null));
        assertTrue(built.getMessage().contains("reset()"), built.getMessage());
        w.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> w.append(Record.of(1, "a", "b")));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, () -> w.trim(0));
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
