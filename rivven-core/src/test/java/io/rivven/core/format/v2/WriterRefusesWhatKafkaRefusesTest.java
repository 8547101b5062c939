package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.Test;

/**
 * The batch shapes Kafka's {@code MemoryRecordsBuilder} refuses, each checked against Kafka here
 * (not taken on trust), are refused by our writer too, at the earliest point it can know: a record
 * timestamp below -1 at append, producer fields that disagree with the flags at build. What Kafka's
 * builder accepts (a compressed control batch, a producer epoch of -2) ours accepts. Readers accept
 * all of them (see {@link KafkaShapesInteropTest}).
 */
class WriterRefusesWhatKafkaRefusesTest {

    private static final long T = 1_750_000_000_000L;
    private static final byte[] ONE = {1};

    private static MemoryRecordsBuilder kafka(Compression compression, long producerId, short epoch, int sequence,
            boolean transactional, boolean control) {
        return MemoryRecords.builder(ByteBuffer.allocate(1024), (byte) 2, compression, TimestampType.CREATE_TIME, 0L,
                -1L, producerId, epoch, sequence, transactional, control, -1);
    }

    /** Kafka's builder, with one record (an end marker in a control batch), built. */
    private static void kafkaBuilds(long producerId, short epoch, int sequence, boolean transactional, boolean control) {
        MemoryRecordsBuilder b = kafka(Compression.NONE, producerId, epoch, sequence, transactional, control);
        if (control) {
            b.appendEndTxnMarker(T, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        } else {
            b.append(T, ONE, ONE);
        }
        b.build();
    }

    // ---- record timestamps --------------------------------------------------------------------

    @Test
    void aTimestampBelowMinusOneIsRefusedAtAppendNamingTheRecordAndTheBatchStaysAsItWas() {
        for (long ts : new long[] {-2, -1000, Long.MIN_VALUE}) {
            IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                    () -> kafka(Compression.NONE, -1, (short) -1, -1, false, false).append(ts, ONE, ONE));
            assertEquals("Invalid negative timestamp " + ts, k.getMessage());
            IllegalArgumentException kLogAppend = assertThrows(IllegalArgumentException.class, () -> MemoryRecords.builder(
                    ByteBuffer.allocate(256), (byte) 2, Compression.NONE, TimestampType.LOG_APPEND_TIME, 0L, T).append(ts, ONE, ONE));
            assertEquals("Invalid negative timestamp " + ts, kLogAppend.getMessage());

            List<Consumer<RecordBatchWriter>> flavours = List.of(
                    w -> w.append(Record.of(ts, "k", "v")),
                    w -> w.append(ts, ONE, ONE),
                    w -> w.append(ts, ByteBuffer.wrap(ONE), null),
                    w -> w.appendWithOffset(w.recordCount() + 5, Record.of(ts, "k", "v")),
                    w -> w.appendAll(List.of(Record.of(T, "k", "v"), Record.of(ts, "k", "v"))));
            for (boolean logAppend : new boolean[] {false, true}) {
                for (int f = 0; f < flavours.size(); f++) {
                    String what = "timestamp " + ts + ", flavour " + f + (logAppend ? ", log append time" : "");
                    try (RecordBatchWriter w = new RecordBatchWriter(BufferAllocator.DIRECT, 256)) {
                        w.reset(0);
                        if (logAppend) {
                            w.logAppendTime(T);
                        }
                        w.append(Record.of(T, "first", "a"));
                        int before = w.sizeInBytes();
                        Consumer<RecordBatchWriter> flavour = flavours.get(f);
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flavour.accept(w), what);
                        int index = f == 4 ? 2 : 1; // appendAll appended a good record first
                        String m = e.getMessage();
                        assertTrue(m.contains("record " + index + " ") && m.contains("timestamp " + ts)
                                && m.contains("-1") && m.contains("at least 0"), what + ": " + m);
                        assertEquals(index, w.recordCount(), what);
                        if (f != 4) {
                            assertEquals(before, w.sizeInBytes(), what + ": nothing of the refused record was written");
                        }
                        ByteBuffer batch = w.build();
                        assertTrue(RecordBatch.of(batch).isValid(), what);
                        assertEquals(index, RecordBatch.of(batch).recordCount(), what);
                    }
                }
            }
        }
    }

    @Test
    void minusOneAndZeroAreTimestampsForBoth() {
        for (long ts : new long[] {-1, 0}) {
            MemoryRecordsBuilder k = kafka(Compression.NONE, -1, (short) -1, -1, false, false);
            k.append(ts, ONE, ONE);
            k.build();
            try (RecordBatchWriter w = new RecordBatchWriter()) {
                assertEquals(ts, RecordBatch.of(w.reset(0).append(ts, ONE, ONE).build()).maxTimestamp());
            }
        }
    }

    // ---- producer fields and flags ------------------------------------------------------------

    @Test
    void aTransactionalBatchWithoutAProducerIdIsRefusedAtBuild() {
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> kafkaBuilds(-1, (short) -1, -1, true, false));
        assertEquals("Cannot write transactional messages without a valid producer ID", k.getMessage());
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            w.reset(0).transactional(true).append(Record.of(T, "k", "v"));
            IllegalStateException e = assertThrows(IllegalStateException.class, w::build);
            assertTrue(e.getMessage().contains("transactional") && e.getMessage().contains("producerId -1")
                    && e.getMessage().contains("producer("), e.getMessage());
            // the setters may come in any order: fixing it before build is enough
            assertTrue(RecordBatch.of(w.producer(5, (short) 0, 0).build()).isTransactional());
        }
    }

    @Test
    void aProducerIdWithoutAnEpochIsRefusedAtBuild() {
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> kafkaBuilds(5, (short) -1, 0, false, false));
        assertEquals("Invalid negative producer epoch", k.getMessage());
        kafkaBuilds(5, (short) -2, 0, false, false); // only -1 (none) is refused
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            w.reset(0).producer(5, (short) -1, 0).append(Record.of(T, "k", "v"));
            IllegalStateException e = assertThrows(IllegalStateException.class, w::build);
            assertTrue(e.getMessage().contains("producerEpoch -1") && e.getMessage().contains("producerId 5"), e.getMessage());
            assertEquals(-2, RecordBatch.of(w.reset(0).producer(5, (short) -2, 0).append(Record.of(T, "k", "v")).build())
                    .producerEpoch());
        }
    }

    @Test
    void aProducerIdWithANegativeSequenceIsRefusedAtBuildUnlessTheBatchIsAControlBatch() {
        for (int sequence : new int[] {-1, -2}) {
            IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                    () -> kafkaBuilds(5, (short) 0, sequence, false, false));
            assertEquals("Invalid negative sequence number used", k.getMessage());
            kafkaBuilds(5, (short) 0, sequence, true, true);
            try (RecordBatchWriter w = new RecordBatchWriter()) {
                w.reset(0).producer(5, (short) 0, sequence).append(Record.of(T, "k", "v"));
                IllegalStateException e = assertThrows(IllegalStateException.class, w::build);
                assertTrue(e.getMessage().contains("baseSequence " + sequence) && e.getMessage().contains("control"),
                        e.getMessage());
                assertTrue(RecordBatch.of(w.control(true).transactional(true).build()).isControlBatch());
            }
        }
    }

    @Test
    void aCompressedControlBatchIsAcceptedByBoth() {
        MemoryRecordsBuilder k = kafka(Compression.gzip().build(), 5, (short) 0, -1, true, true);
        k.appendEndTxnMarker(T, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        assertTrue(k.build().batches().iterator().next().isControlBatch());
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            ByteBuffer b = w.reset(0, DeflateTestCodec.INSTANCE).transactional(true).control(true).producer(5, (short) 0, -1)
                    .append(Record.of(T, new byte[] {0, 0, 0, 0}, new byte[] {0, 0, 0, 0, 0, 0})).build();
            RecordBatch batch = RecordBatch.of(b).ensureValid();
            assertTrue(batch.isControlBatch() && batch.isCompressed());
            try (RecordCursor c = batch.records(CodecResolver.of(DeflateTestCodec.INSTANCE), BufferAllocator.HEAP)) {
                assertTrue(c.next());
                assertFalse(c.next());
            }
        }
    }
}
