package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchReaderTest {

    /** Three batches back to back (offsets 0-2, 3-3, 4-7), the middle one compressed. */
    private static ByteBuffer log(int[] ends) {
        RecordBatchWriter w = new RecordBatchWriter();
        ByteBuffer log = ByteBuffer.allocate(4096);
        long offset = 0;
        int[] counts = {3, 1, 4};
        for (int i = 0; i < 3; i++) {
            w.reset(offset, i == 1 ? DeflateTestCodec.INSTANCE : null);
            for (int j = 0; j < counts[i]; j++) {
                w.append(Record.of(100 + j, "k" + offset, "batch " + i + " record " + j));
                offset++;
            }
            log.put(w.build());
            ends[i] = log.position();
        }
        return log.flip();
    }

    @Test
    void readsBatchesBackToBack() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        RecordBatchReader r = new RecordBatchReader(log).requireIncreasingOffsets(true);
        List<Long> bases = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        for (RecordBatch b; (b = r.next()) != null; ) {
            bases.add(b.baseOffset());
            positions.add(b.position());
        }
        assertEquals(List.of(0L, 3L, 4L), bases);
        assertEquals(List.of(0L, (long) ends[0], (long) ends[1]), positions);
        assertTrue(r.isAtEnd());
        assertEquals(ends[2], r.validBytes());
        assertEquals(0, r.partialBytes());
        assertEquals(0, log.position());
    }

    @Test
    void stopsCleanlyAtAPartialBatchCutAtEveryByte() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        for (int cut = 0; cut <= ends[2]; cut++) {
            RecordBatchReader r = new RecordBatchReader(log.duplicate().limit(cut));
            int complete = 0;
            while (r.next() != null) {
                complete++;
            }
            int expectedComplete = cut >= ends[2] ? 3 : cut >= ends[1] ? 2 : cut >= ends[0] ? 1 : 0;
            int validEnd = expectedComplete == 0 ? 0 : ends[expectedComplete - 1];
            assertEquals(expectedComplete, complete, "cut at " + cut);
            assertEquals(validEnd, r.validBytes(), "cut at " + cut);
            assertEquals(cut - validEnd, r.partialBytes(), "cut at " + cut);
            assertEquals(cut == validEnd, r.isAtEnd());
        }
    }

    @Test
    void truncatedBatchWithinABufferIsCorruptForTheView() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        for (int cut = 0; cut < ends[0]; cut++) {
            ByteBuffer b = log.duplicate().limit(cut);
            assertThrows(CorruptRecordException.class, () -> RecordBatch.of(b).ensureValid(), "cut at " + cut);
        }
    }

    @Test
    void corruptionNamesSourceAndFilePosition() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        log.put(ends[1] - 1, (byte) (log.get(ends[1] - 1) ^ 0x40)); // last byte of the 2nd batch
        ByteBuffer region = ByteBuffer.allocate(10 + ends[2]);
        region.position(10).put(log.duplicate()).position(10);
        RecordBatchReader r = new RecordBatchReader(region).source("/data/t/partition-0/00000000000000000000.log")
                .basePosition(81920);
        assertNotNull(r.next());
        CorruptRecordException e = assertThrows(CorruptRecordException.class, r::next);
        long pos = 81920 + ends[0];
        assertTrue(e.getMessage().startsWith("/data/t/partition-0/00000000000000000000.log: batch at position " + pos
                + " has CRC 0x"), e.getMessage());
        assertEquals(pos, e.position());
        assertEquals(pos, r.position());
        assertEquals(ends[0], r.validBytes());
        assertThrows(CorruptRecordException.class, r::next); // stays on the bad batch
        // without CRC checks the flipped byte goes unnoticed by the scan
        RecordBatchReader lax = new RecordBatchReader(log.duplicate()).verifyChecksums(false);
        int n = 0;
        while (lax.next() != null) {
            n++;
        }
        assertEquals(3, n);
    }

    @Test
    void garbageAfterTheLastBatch() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        ByteBuffer withZeros = ByteBuffer.allocate(ends[2] + 100).put(log.duplicate()).clear(); // zero-filled tail
        RecordBatchReader r = new RecordBatchReader(withZeros);
        for (int i = 0; i < 3; i++) {
            assertNotNull(r.next());
        }
        CorruptRecordException e = assertThrows(CorruptRecordException.class, r::next);
        assertEquals("batch at position " + ends[2] + " has batchLength 0, expected at least 49 (a header without records)",
                e.getMessage());
        assertEquals(ends[2], r.validBytes());

        ByteBuffer huge = ByteBuffer.allocate(ends[2] + 20).put(log.duplicate());
        huge.putInt(ends[2] + 8, 0x7fff_0000);
        huge.clear();
        RecordBatchReader r2 = new RecordBatchReader(huge).maxBatchSize(1 << 20);
        for (int i = 0; i < 3; i++) {
            r2.next();
        }
        e = assertThrows(CorruptRecordException.class, r2::next);
        assertEquals("batchLength", e.field());
        assertTrue(e.getMessage().contains("expected at most 1048576 bytes"), e.getMessage());
    }

    @Test
    void offsetsMustIncreaseWhenAsked() {
        ByteBuffer a = RecordBatchWriter.encode(5, null, List.of(Record.of(1, "a", "b"), Record.of(1, "c", "d")));
        ByteBuffer log = ByteBuffer.allocate(a.remaining() * 2).put(a.duplicate()).put(a.duplicate()).flip();
        RecordBatchReader lax = new RecordBatchReader(log.duplicate());
        assertNotNull(lax.next());
        assertNotNull(lax.next());
        RecordBatchReader strict = new RecordBatchReader(log.duplicate()).requireIncreasingOffsets(true);
        strict.next();
        CorruptRecordException e = assertThrows(CorruptRecordException.class, strict::next);
        assertEquals("batch at position " + a.remaining() + " has baseOffset 5, expected above the previous batch's last offset 6",
                e.getMessage());
    }

    @Test
    void batchInfoExposesHeaderAndKeys() {
        int[] ends = new int[3];
        ByteBuffer log = log(ends);
        RecordBatchReader r = new RecordBatchReader(log);
        RecordBatchInfo info = new RecordBatchInfo(Decoded.CODECS, BufferAllocator.HEAP);
        List<String> keys = new ArrayList<>();
        long position = 0;
        for (RecordBatch b; (b = r.next()) != null; ) {
            info.wrap(b, 4096 + position);
            assertEquals(b.baseOffset(), info.baseOffset());
            assertEquals(b.lastOffset(), info.lastOffset());
            assertEquals(b.maxTimestamp(), info.maxTimestamp());
            assertEquals(b.sizeInBytes(), info.sizeInBytes());
            assertEquals(b.recordCount(), info.recordCount());
            assertEquals(4096 + position, info.position());
            info.forEachKey(k -> {
                assertTrue(k.isReadOnly());
                byte[] bytes = new byte[k.remaining()];
                k.get(bytes);
                keys.add(new String(bytes));
            });
            position += b.sizeInBytes();
        }
        assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"), keys);
        ByteBuffer nullKey = RecordBatchWriter.encode(0, null, List.of(Record.of(1, (String) null, "v")));
        List<ByteBuffer> seen = new ArrayList<>();
        new RecordBatchInfo(Decoded.CODECS, BufferAllocator.HEAP).wrap(RecordBatch.of(nullKey), 0).forEachKey(seen::add);
        assertEquals(1, seen.size());
        assertNull(seen.getFirst());
        assertFalse(log.isReadOnly());
    }
}
