package io.rivven.it.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that our RecordBatch v2 is Kafka's: batches we write with every standard codec are
 * accepted and read by Kafka's {@code MemoryRecords}/{@code DefaultRecordBatch}, and batches
 * Kafka's {@code MemoryRecordsBuilder} writes with every codec are read by our reader, with keys,
 * values, headers, timestamps, offsets and header fields equal. Codecs are loaded as plugins are:
 * through {@link ServiceLoader}.
 */
class KafkaInteropTest {

    private static final Map<String, Codec> CODECS = loadCodecs();

    static Stream<String> codecNames() {
        return Stream.of("none", "gzip", "snappy", "lz4", "zstd");
    }

    private static Map<String, Codec> loadCodecs() {
        Map<String, Codec> codecs = new TreeMap<>();
        for (CodecProvider p : ServiceLoader.load(CodecProvider.class)) {
            codecs.put(p.name(), p.create(PluginConfig.empty("kafka-interop-test → " + p.name())));
        }
        return codecs;
    }

    private static Codec codec(String name) {
        Codec c = CODECS.get(name);
        if (c == null) {
            fail("codec '" + name + "' was not found by ServiceLoader (found: " + CODECS.keySet()
                    + "): is rivven-codec-" + name + " built and on the test path?");
        }
        return c;
    }

    private static CodecResolver resolver() {
        return CodecResolver.of(CODECS.values().stream().filter(c -> c.id() != 0).toList());
    }

    private static byte[] bytes(SplittableRandom r, int n, boolean compressible) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = compressible ? (byte) ('a' + r.nextInt(4)) : (byte) r.nextInt(256);
        }
        return b;
    }

    /** Null and empty keys and values, headers (null values, empty and non-ASCII keys), large values, negative deltas, many records. */
    static List<Record> records() {
        SplittableRandom r = new SplittableRandom(2024);
        long t = 1_750_000_000_000L;
        List<Record> list = new ArrayList<>();
        list.add(Record.of(t, "first-key", "{\"id\":0,\"name\":\"first\"}"));
        list.add(Record.of(t + 3, (byte[]) null, (byte[]) null));
        list.add(Record.of(t - 60_000, new byte[0], new byte[0])); // negative timestamp delta
        list.add(Record.of(t + 5, "tombstone", null));
        list.add(Record.of(t + 6, null, "keyless"));
        list.add(Record.builder().timestamp(t + 7).key("with-headers").value("v")
                .header("trace-id", "abc123").header("null-value", (byte[]) null).header("", "empty key")
                .header("schlüssel", "wert ✓").header("trace-id", "repeated").header("empty", new byte[0]).build());
        list.add(Record.of(t + 8, bytes(r, 300, false), bytes(r, 200_000, true))); // large, multi-byte varints
        list.add(Record.of(t + 9, bytes(r, 16, false), bytes(r, 70_000, false))); // incompressible
        for (int i = 0; i < 500; i++) {
            String json = "{\"id\":" + i + ",\"user\":\"user-" + r.nextInt(10_000) + "\",\"amount\":" + r.nextInt(100_000)
                    + ",\"tags\":[\"a\",\"b\"]}";
            Record.Builder b = Record.builder().timestamp(t + r.nextInt(-1000, 1000)).key("key-" + (i % 37)).value(json);
            if (i % 10 == 0) {
                b.header("i", Integer.toString(i));
            }
            list.add(b.build());
        }
        return list;
    }

    // ---- ours -> Kafka ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecNames")
    void kafkaAcceptsAndReadsOurBatches(String codecName) {
        Codec codec = codec(codecName);
        List<Record> records = records();
        for (BufferAllocator allocator : new BufferAllocator[] {BufferAllocator.HEAP, BufferAllocator.DIRECT}) {
            try (RecordBatchWriter w = new RecordBatchWriter(allocator, 1024)) {
                w.reset(1_000_000, codec).producer(4242L, (short) 3, 17).partitionLeaderEpoch(5);
                records.forEach(w::append);
                ByteBuffer ours = w.build();
                MemoryRecords mr = MemoryRecords.readableRecords(copyToHeap(ours));
                assertEquals(ours.remaining(), mr.validBytes());
                List<MutableRecordBatch> batches = new ArrayList<>();
                mr.batches().forEach(batches::add);
                assertEquals(1, batches.size());
                MutableRecordBatch kb = batches.getFirst();
                assertInstanceOf(DefaultRecordBatch.class, kb);
                kb.ensureValid();
                assertEquals(2, kb.magic());
                assertEquals(CompressionType.forName(codecName), kb.compressionType());
                assertEquals(1_000_000, kb.baseOffset());
                assertEquals(1_000_000 + records.size() - 1, kb.lastOffset());
                assertEquals(records.size(), kb.countOrNull());
                assertEquals(records.stream().mapToLong(Record::timestamp).max().orElseThrow(), kb.maxTimestamp());
                assertEquals(org.apache.kafka.common.record.TimestampType.CREATE_TIME, kb.timestampType());
                assertEquals(4242L, kb.producerId());
                assertEquals(3, kb.producerEpoch());
                assertEquals(17, kb.baseSequence());
                assertEquals(5, kb.partitionLeaderEpoch());
                assertFalse(kb.isTransactional());
                assertFalse(kb.isControlBatch());
                assertEquals(RecordBatch.of(ours).checksum(), kb.checksum());
                int i = 0;
                for (org.apache.kafka.common.record.internal.Record kr : kb) {
                    assertSame(records.get(i), 1_000_000 + i, kr, "record " + i);
                    i++;
                }
                assertEquals(records.size(), i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecNames")
    void kafkaReadsOurLogAppendTimeAndTransactionalBatches(String codecName) {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            ByteBuffer ours = w.reset(0, codec(codecName)).transactional(true).producer(9, (short) 1, 0)
                    .append(Record.of(100, "a", "1")).append(Record.of(50, "b", "2"))
                    .logAppendTime(7777).build();
            MutableRecordBatch kb = MemoryRecords.readableRecords(copyToHeap(ours)).batches().iterator().next();
            kb.ensureValid();
            assertTrue(kb.isTransactional());
            assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, kb.timestampType());
            assertEquals(7777, kb.maxTimestamp());
            for (org.apache.kafka.common.record.internal.Record kr : kb) {
                assertEquals(7777, kr.timestamp());
            }
        }
    }

    @Test
    void kafkaAcceptsRestampedBatchesBackToBack() {
        ByteBuffer log = ByteBuffer.allocate(1 << 20);
        long next = 0;
        for (String name : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
            ByteBuffer batch = RecordBatchWriter.encode(0, codec(name), records().subList(0, 20)); // a missing codec fails
            int at = log.position();
            log.put(batch);
            io.rivven.core.format.v2.RecordBatchLayout.putBaseOffset(log, at, next); // as the log assigns offsets
            next += 20;
        }
        log.flip();
        long expected = 0;
        for (MutableRecordBatch kb : MemoryRecords.readableRecords(log).batches()) {
            kb.ensureValid();
            assertEquals(expected, kb.baseOffset());
            for (org.apache.kafka.common.record.internal.Record kr : kb) {
                assertEquals(expected++, kr.offset());
            }
        }
        assertEquals(next, expected);
        assertEquals(5 * 20, expected);
    }

    @Test
    void uncompressedBatchesAreByteForByteKafkas() {
        List<Record> records = records();
        ByteBuffer ours = new RecordBatchWriter().reset(12345).producer(77, (short) 2, 1000).partitionLeaderEpoch(8)
                .appendAll(records).build();
        ByteBuffer kafka = kafkaBatch(Compression.NONE, 12345, 77, (short) 2, 1000, 8, records);
        assertEquals(kafka, ours);
        // the same from direct memory (the engine's writers), and from arrays without Records
        try (RecordBatchWriter direct = new RecordBatchWriter(BufferAllocator.DIRECT, 256)) {
            ByteBuffer d = direct.reset(12345).producer(77, (short) 2, 1000).partitionLeaderEpoch(8)
                    .appendAll(records).build();
            assertTrue(d.isDirect());
            assertEquals(kafka, d);
            List<Record> headerless = records.stream().filter(r -> r.headers().isEmpty()).toList();
            ByteBuffer kafkaHeaderless = kafkaBatch(Compression.NONE, 0, -1, (short) -1, -1, -1, headerless);
            for (RecordBatchWriter w : new RecordBatchWriter[] {direct, new RecordBatchWriter()}) {
                w.reset(0);
                for (Record r : headerless) {
                    w.append(r.timestamp(), r.keyBytes(), r.valueBytes());
                }
                assertEquals(kafkaHeaderless, w.build());
            }
        }
    }

    // ---- Kafka -> ours ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecNames")
    void weReadKafkasBatches(String codecName) {
        codec(codecName); // our codec must be loaded to decompress
        List<Record> records = records();
        Compression compression = Compression.of(CompressionType.forName(codecName)).build();
        ByteBuffer kafka = kafkaBatch(compression, 500, 31, (short) 4, 99, 6, records);
        RecordBatchReader reader = new RecordBatchReader(kafka).requireIncreasingOffsets(true);
        RecordBatch batch = reader.next();
        assertNotNull(batch);
        assertNull(reader.next());
        assertTrue(reader.isAtEnd());
        assertEquals(CompressionType.forName(codecName).id, batch.codecId());
        assertEquals(500, batch.baseOffset());
        assertEquals(500 + records.size() - 1, batch.lastOffset());
        assertEquals(records.size(), batch.recordCount());
        assertEquals(31, batch.producerId());
        assertEquals(4, batch.producerEpoch());
        assertEquals(99, batch.baseSequence());
        assertEquals(6, batch.partitionLeaderEpoch());
        assertEquals(TimestampType.CREATE_TIME, batch.timestampType());
        assertEquals(records.getFirst().timestamp(), batch.baseTimestamp());
        assertEquals(records.stream().mapToLong(Record::timestamp).max().orElseThrow(), batch.maxTimestamp());
        for (BufferAllocator allocator : new BufferAllocator[] {BufferAllocator.HEAP, BufferAllocator.DIRECT}) {
            try (RecordCursor c = batch.records(resolver(), allocator)) {
                int i = 0;
                while (c.next()) {
                    assertEquals(500 + i, c.offset());
                    assertEquals(records.get(i), c.toRecord(), "record " + i);
                    i++;
                }
                assertEquals(records.size(), i);
            }
        }
    }

    /**
     * What a transactional producer sends with compression on: a transactional batch with producer
     * fields, tombstones, null and empty keys, null header values; then the same records as a
     * log-append-time batch (as a broker re-stamps them), with and without an append time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecNames")
    void weReadKafkasTransactionalAndLogAppendTimeBatches(String codecName) {
        codec(codecName);
        Compression compression = Compression.of(CompressionType.forName(codecName)).build();
        List<Record> records = records().subList(0, 8);
        MemoryRecordsBuilder tx = MemoryRecords.builder(ByteBuffer.allocate(1024), (byte) 2, compression,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 40, -1, 4242L, (short) 3, 17, true, 5);
        appendAll(tx, records);
        assertSameAsKafka(tx.build().buffer(), records, true);
        for (long appendTime : new long[] {1_760_000_000_000L, -1L}) {
            MemoryRecordsBuilder lat = MemoryRecords.builder(ByteBuffer.allocate(1024), (byte) 2, compression,
                    org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, 40, appendTime);
            appendAll(lat, records);
            assertSameAsKafka(lat.build().buffer(), records, false);
        }
    }

    private static void appendAll(MemoryRecordsBuilder b, List<Record> records) {
        for (Record r : records) {
            b.append(r.timestamp(), r.key(), r.value(), r.headers().stream()
                    .map(h -> new RecordHeader(h.key(), h.valueBytes())).toArray(org.apache.kafka.common.header.Header[]::new));
        }
    }

    /** Our reading of {@code kafka} (one batch) equals Kafka's, record by record; payloads equal {@code records}. */
    private static void assertSameAsKafka(ByteBuffer kafka, List<Record> records, boolean transactional) {
        MutableRecordBatch kb = MemoryRecords.readableRecords(kafka.duplicate()).batches().iterator().next();
        kb.ensureValid();
        RecordBatch batch = new RecordBatchReader(kafka).next();
        assertNotNull(batch);
        assertEquals(transactional, batch.isTransactional());
        assertEquals(kb.isTransactional(), batch.isTransactional());
        assertEquals(kb.producerId(), batch.producerId());
        assertEquals(kb.producerEpoch(), batch.producerEpoch());
        assertEquals(kb.baseSequence(), batch.baseSequence());
        assertEquals(kb.timestampType().name(), batch.timestampType().name());
        assertEquals(kb.maxTimestamp(), batch.maxTimestamp());
        List<org.apache.kafka.common.record.internal.Record> kafkas = new ArrayList<>();
        kb.forEach(kafkas::add);
        try (RecordCursor c = batch.records(resolver(), BufferAllocator.DIRECT)) {
            int i = 0;
            while (c.next()) {
                org.apache.kafka.common.record.internal.Record kr = kafkas.get(i);
                assertEquals(kr.offset(), c.offset(), "record " + i);
                assertEquals(kr.timestamp(), c.timestamp(), "record " + i);
                Record ours = c.toRecord();
                assertEquals(records.get(i).key(), ours.key(), "record " + i);
                assertEquals(records.get(i).value(), ours.value(), "record " + i);
                assertEquals(records.get(i).headers(), ours.headers(), "record " + i);
                i++;
            }
            assertEquals(kafkas.size(), i);
        }
    }

    @Test
    void weReadKafkaBatchesOfEveryCodecBackToBack() {
        ByteBuffer log = ByteBuffer.allocate(4 << 20);
        List<Record> records = records().subList(0, 50);
        long base = 0;
        for (CompressionType type : CompressionType.values()) {
            log.put(kafkaBatch(Compression.of(type).build(), base, -1, (short) -1, -1, -1, records));
            base += records.size();
        }
        log.flip();
        RecordBatchReader reader = new RecordBatchReader(log).requireIncreasingOffsets(true);
        long offset = 0;
        int batches = 0;
        CodecResolver codecs = resolver();
        for (RecordBatch b; (b = reader.next()) != null; batches++) {
            try (RecordCursor c = b.records(codecs, BufferAllocator.HEAP)) {
                int i = 0;
                while (c.next()) {
                    assertEquals(offset++, c.offset());
                    assertEquals(records.get(i++), c.toRecord());
                }
            }
        }
        assertEquals(CompressionType.values().length, batches);
        assertTrue(reader.isAtEnd());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static ByteBuffer kafkaBatch(Compression compression, long baseOffset, long producerId, short producerEpoch,
            int baseSequence, int partitionLeaderEpoch, List<Record> records) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), (byte) 2, compression,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, baseOffset,
                org.apache.kafka.common.record.internal.RecordBatch.NO_TIMESTAMP, producerId, producerEpoch, baseSequence,
                false, partitionLeaderEpoch);
        for (Record r : records) {
            org.apache.kafka.common.header.Header[] headers = r.headers().stream()
                    .map(h -> new RecordHeader(h.key(), h.valueBytes()))
                    .toArray(org.apache.kafka.common.header.Header[]::new);
            b.append(r.timestamp(), r.key(), r.value(), headers);
        }
        return b.build().buffer();
    }

    private static void assertSame(Record expected, long offset, org.apache.kafka.common.record.internal.Record actual, String what) {
        actual.ensureValid();
        assertEquals(offset, actual.offset(), what);
        assertEquals(expected.timestamp(), actual.timestamp(), what);
        assertEquals(expected.key(), actual.key(), what);
        assertEquals(expected.value(), actual.value(), what);
        org.apache.kafka.common.header.Header[] headers = actual.headers();
        assertEquals(expected.headers().size(), headers.length, what);
        for (int h = 0; h < headers.length; h++) {
            Header e = expected.headers().get(h);
            assertEquals(e.key(), headers[h].key(), what);
            assertArrayEquals(e.valueBytes(), headers[h].value(), what);
        }
    }

    private static ByteBuffer copyToHeap(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    @Test
    void standardCodecIdsAreKafkas() {
        for (CompressionType type : CompressionType.values()) {
            assertEquals(type.id, codec(type.name).id(), type.name);
        }
    }
}
