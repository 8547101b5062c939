package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * The batch shapes beyond plain produce batches, uncompressed (the codecs are proven per module and
 * in rivven-it): every batch is read by Kafka's {@code DefaultRecordBatch} and by ours, and the two
 * readings must agree field by field and record by record. Kafka → ours: transactional batches
 * with tombstones and null header values, commit/abort markers (control batches), the empty
 * batch header the log cleaner keeps, log-append-time batches. Ours → Kafka: the same flags,
 * the delete horizon, extreme timestamps and offset deltas; Kafka's {@code ensureValid} passes.
 * Shapes the writers refuse (a timestamp below -1, say), patched in by hand, are read alike.
 */
class KafkaShapesInteropTest {

    private static final long T = 1_750_000_000_000L;

    private static org.apache.kafka.common.header.Header[] headers(Object... keyValues) {
        org.apache.kafka.common.header.Header[] h = new org.apache.kafka.common.header.Header[keyValues.length / 2];
        for (int i = 0; i < h.length; i++) {
            h[i] = new RecordHeader((String) keyValues[2 * i], (byte[]) keyValues[2 * i + 1]);
        }
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- Kafka -> ours ------------------------------------------------------------------------

    @Test
    void kafkasTransactionalBatchWithTombstonesAndNullHeaderValues() {
        MemoryRecords kafka = MemoryRecords.withTransactionalRecords(Compression.NONE, 4242L, (short) 3, 17,
                new SimpleRecord(T, utf8("key"), null, headers("null-value", null, "empty", new byte[0])),
                new SimpleRecord(T + 1, (byte[]) null, new byte[0]),
                new SimpleRecord(T - 7, new byte[0], null, headers("", utf8("empty key"), "schlüssel", utf8("wert ✓"))),
                new SimpleRecord(T + 2, (byte[]) null, null));
        List<RecordBatch> ours = assertSameReading(kafka.buffer());
        assertTrue(ours.getFirst().isTransactional());
        assertFalse(ours.getFirst().isControlBatch());
    }

    @Test
    void kafkasCommitAndAbortMarkers() {
        ByteBuffer log = ByteBuffer.allocate(1024);
        log.put(MemoryRecords.withEndTransactionMarker(10L, T, 5, 4242L, (short) 3,
                new EndTransactionMarker(ControlRecordType.COMMIT, 7)).buffer());
        log.put(MemoryRecords.withEndTransactionMarker(11L, T + 1, 5, 4242L, (short) 3,
                new EndTransactionMarker(ControlRecordType.ABORT, 7)).buffer());
        List<RecordBatch> ours = assertSameReading(log.flip());
        assertEquals(2, ours.size());
        for (RecordBatch b : ours) {
            assertTrue(b.isControlBatch());
            assertTrue(b.isTransactional());
        }
    }

    @Test
    void kafkasEmptyBatchHeaderAsTheCleanerKeepsIt() {
        ByteBuffer b = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        DefaultRecordBatch.writeEmptyHeader(b, (byte) 2, 4242L, (short) 3, 17, 100L, 104L, 5,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, T, true, false);
        List<RecordBatch> ours = assertSameReading(b.flip());
        assertEquals(0, ours.getFirst().recordCount());
        assertEquals(104L, ours.getFirst().lastOffset());
    }

    @Test
    void kafkasLogAppendTimeBatchesWithAndWithoutAnAppendTime() {
        for (long appendTime : new long[] {T + 99, org.apache.kafka.common.record.internal.RecordBatch.NO_TIMESTAMP}) {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(256), (byte) 2, Compression.NONE,
                    org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, 0L, appendTime);
            b.append(T, utf8("a"), utf8("1"));
            b.append(T + 5, utf8("b"), utf8("2"));
            assertSameReading(b.build().buffer());
        }
    }

    // ---- ours -> Kafka ------------------------------------------------------------------------

    @Test
    void ourTransactionalAndControlBatches() {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            assertSameReading(w.reset(0).transactional(true).producer(4242L, (short) 3, 17)
                    .append(Record.builder().timestamp(T).key("key").header("null-value", (byte[]) null).build())
                    .append(Record.of(T + 1, (byte[]) null, new byte[0])).build());
            assertSameReading(w.reset(7).transactional(true).control(true).producer(4242L, (short) 3, -1)
                    .append(Record.of(T, new byte[] {0, 0, 0, 1}, new byte[] {0, 0, 0, 0, 0, 7})).build());
        }
    }

    @Test
    void ourLogAppendTimeBatchesWithAndWithoutAnAppendTime() {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            assertSameReading(w.reset(0).append(Record.of(T, "a", "1")).append(Record.of(T + 5, "b", "2"))
                    .logAppendTime(T + 99).build());
            // the type alone leaves the max timestamp -1: Kafka then reports -1 for every record, and so must we
            assertSameReading(w.reset(0).timestampType(TimestampType.LOG_APPEND_TIME)
                    .append(Record.of(T, "a", "1")).append(Record.of(T + 5, "b", "2")).build());
        }
    }

    @Test
    void ourDeleteHorizonExtremeTimestampsAndOffsetDeltas() {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            List<RecordBatch> ours = assertSameReading(w.reset(0).deleteHorizonMs(T + 86_400_000L)
                    .append(Record.of(T, "k", null)).append(Record.of(T + 1, "k", "v")).build());
            assertEquals(T + 86_400_000L, ours.getFirst().deleteHorizonMs());
            // timestamps Long.MIN_VALUE, Long.MAX_VALUE, -1 (deltas 0, -1, Long.MAX_VALUE): the writer refuses
            // Long.MIN_VALUE, as Kafka's builder does, so the base timestamp is patched in (0 -> Long.MIN_VALUE)
            ByteBuffer extreme = patched(w.reset(0).append(Record.of(0, "min", "a")).append(Record.of(-1, "max", "b"))
                    .append(Record.of(Long.MAX_VALUE, "none", "c")).build(),
                    b -> b.putLong(RecordBatchLayout.BASE_TIMESTAMP_OFFSET, Long.MIN_VALUE));
            List<RecordBatch> read = assertSameReading(extreme);
            try (RecordCursor c = read.getFirst().records()) {
                for (long expected : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1}) {
                    assertTrue(c.next());
                    assertEquals(expected, c.timestamp());
                }
            }
            assertSameReading(w.reset(1000).appendWithOffset(1000, Record.of(T, "first", "a"))
                    .appendWithOffset(1000L + Integer.MAX_VALUE, Record.of(T, "last", "b")).build());
        }
    }

    /**
     * The shapes our writer refuses because Kafka's builder does (WriterRefusesWhatKafkaRefusesTest),
     * patched into valid batches by hand: both readers still read them, the same way.
     */
    @Test
    void shapesTheWritersRefuseAreStillReadAsKafkaReadsThem() {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            // a record timestamp of -2 (base timestamp T, delta -2 - T)
            ByteBuffer negative = patched(w.reset(0).append(Record.of(T, "a", "1")).append(Record.of(0, "b", "2")).build(),
                    b -> b.putLong(RecordBatchLayout.BASE_TIMESTAMP_OFFSET, T - 2)
                            .putLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET, T - 2));
            assertSameReading(negative);
            // transactional without a producer id
            assertSameReading(patched(w.reset(0).append(Record.of(T, "a", "1")).build(),
                    b -> b.putShort(RecordBatchLayout.ATTRIBUTES_OFFSET, (short) RecordBatchLayout.TRANSACTIONAL_MASK)));
            // a producer id with epoch -1 and base sequence -1, not a control batch
            assertSameReading(patched(w.reset(0).append(Record.of(T, "a", "1")).build(),
                    b -> b.putLong(RecordBatchLayout.PRODUCER_ID_OFFSET, 4242L)));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A copy of {@code batch} (one batch at its position) changed by {@code patch}, its CRC recomputed. */
    private static ByteBuffer patched(ByteBuffer batch, java.util.function.Consumer<ByteBuffer> patch) {
        ByteBuffer b = ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip();
        patch.accept(b);
        RecordBatchLayout.putCrc(b, 0, RecordBatchLayout.computeCrc(b, 0, b.remaining()));
        return b;
    }

    /**
     * Reads {@code batches} with Kafka (after its {@code ensureValid}) and with our reader and
     * cursor, over heap and direct copies, and asserts that both see the same batches and records.
     *
     * @return our views of the batches (over the heap copy)
     */
    private static List<RecordBatch> assertSameReading(ByteBuffer batches) {
        List<MutableRecordBatch> kafka = new ArrayList<>();
        MemoryRecords.readableRecords(copy(batches, false)).batches().forEach(kafka::add);
        List<RecordBatch> result = new ArrayList<>();
        for (boolean direct : new boolean[] {false, true}) {
            RecordBatchReader reader = new RecordBatchReader(copy(batches, direct)).requireIncreasingOffsets(true);
            int i = 0;
            for (RecordBatch b; (b = reader.next()) != null; i++) {
                MutableRecordBatch k = kafka.get(i);
                k.ensureValid();
                String what = (direct ? "direct" : "heap") + " batch " + i;
                assertBatchEquals(k, b, what);
                try (RecordCursor c = b.records(CodecResolver.uncompressedOnly(), BufferAllocator.HEAP)) {
                    int r = 0;
                    for (org.apache.kafka.common.record.internal.Record kr : k) {
                        assertTrue(c.next(), what + ": we read fewer records than Kafka");
                        assertRecordEquals(kr, c, what + " record " + r++);
                    }
                    assertFalse(c.next(), what + ": we read more records than Kafka");
                }
                if (!direct) {
                    result.add(new RecordBatch().wrap(b.buffer(), b.offset()));
                }
            }
            assertEquals(kafka.size(), i, "batch count");
            assertTrue(reader.isAtEnd());
        }
        return result;
    }

    private static void assertBatchEquals(MutableRecordBatch k, RecordBatch b, String what) {
        assertEquals(k.baseOffset(), b.baseOffset(), what);
        assertEquals(k.lastOffset(), b.lastOffset(), what);
        assertEquals(k.countOrNull(), b.recordCount(), what);
        assertEquals(k.sizeInBytes(), b.sizeInBytes(), what);
        assertEquals(k.checksum(), b.checksum(), what);
        assertEquals(k.compressionType().id, b.codecId(), what);
        assertEquals(k.timestampType().name(), b.timestampType().name(), what);
        assertEquals(k.maxTimestamp(), b.maxTimestamp(), what);
        assertEquals(k.deleteHorizonMs().orElse(-1), b.deleteHorizonMs(), what);
        assertEquals(k.producerId(), b.producerId(), what);
        assertEquals(k.producerEpoch(), b.producerEpoch(), what);
        assertEquals(k.baseSequence(), b.baseSequence(), what);
        assertEquals(k.partitionLeaderEpoch(), b.partitionLeaderEpoch(), what);
        assertEquals(k.isTransactional(), b.isTransactional(), what);
        assertEquals(k.isControlBatch(), b.isControlBatch(), what);
    }

    private static void assertRecordEquals(org.apache.kafka.common.record.internal.Record k, RecordCursor c, String what) {
        assertEquals(k.offset(), c.offset(), what);
        assertEquals(k.timestamp(), c.timestamp(), what + ": timestamp");
        assertEquals(k.key(), c.key(), what + ": key");
        assertEquals(k.value(), c.value(), what + ": value");
        Record ours = c.toRecord();
        assertEquals(k.timestamp(), ours.timestamp(), what + ": record timestamp");
        org.apache.kafka.common.header.Header[] kh = k.headers();
        assertEquals(kh.length, c.headerCount(), what + ": header count");
        for (int h = 0; h < kh.length; h++) {
            Header oh = c.header(h);
            assertEquals(kh[h].key(), oh.key(), what + ": header " + h);
            if (kh[h].value() == null) {
                assertNull(oh.value(), what + ": header " + h + " value");
            } else {
                assertEquals(ByteBuffer.wrap(kh[h].value()), oh.value(), what + ": header " + h + " value");
            }
        }
    }

    private static ByteBuffer copy(ByteBuffer b, boolean direct) {
        ByteBuffer c = direct ? ByteBuffer.allocateDirect(b.remaining() + 3) : ByteBuffer.allocate(b.remaining() + 3);
        c.position(3); // not at index 0, as batches inside a larger region are
        c.put(b.duplicate()).flip().position(3);
        return c;
    }
}
