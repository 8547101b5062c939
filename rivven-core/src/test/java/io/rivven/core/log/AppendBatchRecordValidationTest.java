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
}
