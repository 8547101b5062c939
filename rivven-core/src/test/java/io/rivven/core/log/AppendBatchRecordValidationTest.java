package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ready batch from a producer ({@link PartitionLog#appendBatch}) is untrusted bytes: one whose
 * CRC is right but whose codec is not loaded, or whose uncompressed records are malformed, must be
 * refused at append, not stored for every consumer to fail on. (Compressed records are not
 * decompressed to check them: the "validate CRC and header, assign offsets without
 * re-encoding".)
 */
class AppendBatchRecordValidationTest {

    @TempDir
    Path dir;

    private static ByteBuffer withCrcFixed(ByteBuffer b) {
        RecordBatchLayout.putCrc(b, 0, RecordBatchLayout.computeCrc(b, 0, b.remaining()));
        return b;
    }

    private static ByteBuffer batch() {
        ByteBuffer b = RecordBatchWriter.encode(0, null, EngineFixture.records(0, 3, 10));
        ByteBuffer copy = ByteBuffer.allocate(b.remaining());
        return copy.put(b).flip();
    }

    @Test
    void batchesWithAValidCrcButAnUnloadedCodecOrBadRecordsAreRefused() throws IOException {
        try (StorageEngine engine = new EngineFixture(dir).open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);

            ByteBuffer badKeyLength = batch();
            badKeyLength.put(RecordBatchLayout.RECORDS_OFFSET + 4, (byte) 0x7F); // first record's keyLength: -64
            assertThrows(CorruptRecordException.class, () -> p.appendBatch(withCrcFixed(badKeyLength)));

            ByteBuffer unknownCodec = batch();
            unknownCodec.putShort(RecordBatchLayout.ATTRIBUTES_OFFSET, (short) 7);
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> p.appendBatch(withCrcFixed(unknownCodec)));
            assertTrue(e.getMessage().contains("7"), e.getMessage());

            assertEquals(0, p.highWatermark());
        }
    }

    /**
     * A batch of recordCount 0 (compressed or not, its records section empty or not, CRC right) has
     * no offsets to assign: refused with the reason, as Kafka's {@code LogValidator} refuses a v2
     * batch whose count disagrees with its offset range. Readers still read one (empty) from a log.
     */
    @Test
    void batchesOfNoRecordsAreRefusedSayingSo() throws IOException {
        try (StorageEngine engine = new EngineFixture(dir).open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            for (int codecId = 0; codecId <= 4; codecId++) {
                for (byte[] section : new byte[][] {new byte[0], {1, 2, 3, 4, 5, 6, 7, 8}}) {
                    for (int lastOffsetDelta : new int[] {0, 4, -1}) {
                        String what = "codec " + codecId + ", " + section.length + "-byte section, lastOffsetDelta " + lastOffsetDelta;
                        int size = RecordBatchLayout.HEADER_LENGTH + section.length;
                        ByteBuffer b = ByteBuffer.allocate(size);
                        RecordBatchLayout.putHeader(b, 0, 0L, size - RecordBatchLayout.LOG_OVERHEAD, -1, (short) codecId,
                                lastOffsetDelta, 1000L, 1000L, -1L, (short) -1, -1, 0);
                        b.put(RecordBatchLayout.HEADER_LENGTH, section);
                        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> p.appendBatch(withCrcFixed(b)), what);
                        if (lastOffsetDelta >= 0) {
                            assertEquals("recordCount", e.field(), what + ": " + e.getMessage());
                            assertTrue(e.getMessage().contains("t-0") && e.getMessage().contains("no records"), e.getMessage());
                        } else { // the header check comes first: a negative lastOffsetDelta is corrupt in any batch
                            assertEquals("lastOffsetDelta", e.field(), what + ": " + e.getMessage());
                        }
                    }
                }
            }
            assertEquals(0, p.highWatermark());
            assertEquals(0, p.appendBatch(batch()).baseOffset()); // nothing was written before
        }
    }
}
