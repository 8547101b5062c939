package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.plugin.Fakes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets that would not fit an index entry's 4-byte relative offset roll the segment, as Kafka's
 * {@code maxOffsetInMessages - segment.baseOffset > Int.MaxValue}: a compressed batch may claim
 * 2^31 - 1 records in a few bytes (compressed records are not decompressed at append), so a
 * segment's offsets can span more than 2^31 long before its size does. Offsets exactly
 * {@code Integer.MAX_VALUE} above the base still fit.
 */
class OffsetOverflowRollTest {

    @TempDir
    Path dir;

    /** A batch of codec 5 (a fake that does not compress) claiming {@code count} records. */
    private static ByteBuffer claiming(int count) {
        ByteBuffer b = RecordBatchWriter.encode(0, null, EngineFixture.records(0, 1, 10));
        ByteBuffer copy = ByteBuffer.allocate(b.remaining()).put(b).flip();
        copy.putShort(RecordBatchLayout.ATTRIBUTES_OFFSET, (short) 5);
        copy.putInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, count - 1);
        copy.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, count);
        RecordBatchLayout.putCrc(copy, 0, RecordBatchLayout.computeCrc(copy, 0, copy.remaining()));
        return copy;
    }

    private static long baseOffsetRead(PartitionLog p, long offset) {
        try (FetchResult f = p.read(offset, 1)) {
            return f.toByteBuffer().getLong(RecordBatchLayout.BASE_OFFSET_OFFSET);
        }
    }

    @Test
    void offsetsBeyondTheRelativeRangeRollTheSegment() throws IOException {
        EngineFixture fx = new EngineFixture(dir).plugins(EngineFixture.pluginsWith(new Fakes.FakeCodecProvider("fake", 5)))
                .defaults("\"segment\": {\"indexIntervalBytes\": 1}, \"flush\": {\"mode\": \"os\"}");
        long huge = Integer.MAX_VALUE;
        long next = 10 + huge;                                                          // 10 + 2^31 - 1
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 2, 5, 10);                                   // 0..9
            assertEquals(10, p.appendBatch(claiming(Integer.MAX_VALUE)).baseOffset());  // 10..10+2^31-2: rolls
            assertEquals(List.of(0L, 10L), p.segmentBaseOffsets());
            assertEquals(next, p.highWatermark());
            assertEquals(next, p.append(EngineFixture.records(0, 1, 10)).baseOffset()); // relative 2^31-1: fits
            assertEquals(List.of(0L, 10L), p.segmentBaseOffsets());
            assertEquals(next + 1, p.append(EngineFixture.records(0, 1, 10)).baseOffset()); // relative 2^31: rolls
            assertEquals(List.of(0L, 10L, next + 1), p.segmentBaseOffsets());
            assertEquals(10, baseOffsetRead(p, 10));
            assertEquals(10, baseOffsetRead(p, next - 1));
            assertEquals(next, baseOffsetRead(p, next));
            assertEquals(next + 1, baseOffsetRead(p, next + 1));
            p.roll();
        }
        assertEquals(true, fx.verify().isClean(), () -> fx.verify().problems().toString());
        Path partition = fx.partitionDir("t", 0);
        Files.delete(partition.resolve(LogFiles.CLEAN_SHUTDOWN));
        Files.deleteIfExists(partition.resolve(LogFiles.RECOVERY_POINT));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(next + 2, p.highWatermark());
            assertEquals(10, baseOffsetRead(p, next - 1));
            assertEquals(next, baseOffsetRead(p, next));
        }
    }
}
