package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordBatchCorruptionTest {

    private static ByteBuffer batch(Codec codec) {
        List<Record> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(Record.builder().timestamp(1000 + i).key("key-" + i).value("value-" + i).header("h", "x" + i).build());
        }
        return RecordBatchWriter.encode(0, codec, list);
    }

    /** Puts {@code batch} at index {@code at} of a bigger buffer, so that positions are not trivially 0. */
    private static ByteBuffer at(int at, ByteBuffer batch) {
        ByteBuffer b = ByteBuffer.allocate(at + batch.remaining());
        b.put(at, batch, batch.position(), batch.remaining());
        return b;
    }

    private static void fixCrc(ByteBuffer b, int at) {
        RecordBatchLayout.putCrc(b, at, RecordBatchLayout.computeCrc(b, at, RecordBatchLayout.sizeInBytes(b, at)));
    }

    private static CorruptRecordException invalid(ByteBuffer b, int at) {
        return assertThrows(CorruptRecordException.class, () -> new RecordBatch().wrap(b, at).ensureValid());
    }

    @Test
    void crcMismatchNamesPositionStoredAndExpectedValue() {
        ByteBuffer b = at(100, batch(null));
        long good = RecordBatch.of(b.duplicate().position(100)).checksum();
        b.put(100 + 70, (byte) (b.get(100 + 70) ^ 0x01));
        CorruptRecordException e = invalid(b, 100);
        assertEquals("crc", e.field());
        assertEquals(100, e.position());
        long now = RecordBatchLayout.computeCrc(b, 100, RecordBatchLayout.sizeInBytes(b, 100));
        assertTrue(e.getMessage().startsWith("batch at position 100 has CRC " + RecordBatch.hex(good) + ", expected "
                + RecordBatch.hex(now)), e.getMessage());
        CorruptRecordException withFile = e.withSource("/data/t/partition-0/00000000000000000000.log");
        assertTrue(withFile.getMessage().startsWith("/data/t/partition-0/00000000000000000000.log: batch at position 100 has CRC"),
                withFile.getMessage());
        assertEquals(100, withFile.position());
        assertEquals("crc", withFile.field());
    }

    @Test
    void magicAndSizeErrors() {
        ByteBuffer b = at(8, batch(null));
        b.put(8 + RecordBatchLayout.MAGIC_OFFSET, (byte) 1);
        CorruptRecordException e = invalid(b, 8);
        assertEquals("magic", e.field());
        assertEquals("batch at position 8 has magic 1, expected 2 (only Kafka RecordBatch v2 is supported)", e.getMessage());

        b = batch(null);
        b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, 48);
        e = invalid(b, 0);
        assertEquals("batch at position 0 has batchLength 48, expected at least 49 (a header without records)", e.getMessage());

        b = batch(null);
        int size = b.remaining();
        b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, size - 12 + 1);
        e = invalid(b, 0);
        assertEquals("batch at position 0 has batchLength " + (size - 11) + " (" + (size + 1) + " bytes), but only " + size
                + " bytes remain: the batch is truncated", e.getMessage());

        ByteBuffer ok = batch(null);
        e = assertThrows(CorruptRecordException.class, () -> RecordBatch.of(ok).ensureValid(100));
        assertTrue(e.getMessage().endsWith("expected at most 100 bytes (the maximum batch size)"), e.getMessage());

        e = assertThrows(CorruptRecordException.class, () -> RecordBatch.of(ByteBuffer.allocate(30)).ensureValid());
        assertEquals("batch at position 0 is truncated: 30 bytes remain, expected at least the 61-byte header", e.getMessage());
    }

    @Test
    void countsMustAgreeWithTheRecords() {
        ByteBuffer b = batch(null);
        b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, -1);
        fixCrc(b, 0);
        assertEquals("recordCount", invalid(b, 0).field());

        b = batch(null);
        b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, 6); // lastOffsetDelta is 4
        fixCrc(b, 0);
        assertTrue(invalid(b, 0).getMessage().contains("has recordCount 6, expected at most lastOffsetDelta + 1 = 5"));

        b = batch(null);
        b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, 4); // one record too many in the section
        fixCrc(b, 0);
        ByteBuffer fewer = b;
        RecordBatch.of(fewer).ensureValid();
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> drain(fewer));
        assertTrue(e.getMessage().startsWith("batch at position 0 has "), e.getMessage());
        assertTrue(e.getMessage().contains("bytes after its last (4th) record, expected none"), e.getMessage());

        b = batch(null);
        b.putInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, 2); // consistent header, but 2 records too many
        b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, 3);
        fixCrc(b, 0);
        ByteBuffer shortCount = b;
        assertEquals("records", assertThrows(CorruptRecordException.class, () -> drain(shortCount)).field());

        b = new RecordBatchWriter().reset(0).append(Record.of(1, "a", "b")).appendWithOffset(5, Record.of(1, "c", "d")).build();
        b.putInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, 1); // the second record says delta 5
        fixCrc(b, 0);
        ByteBuffer beyond = b;
        RecordBatch.of(beyond).ensureValid();
        e = assertThrows(CorruptRecordException.class, () -> drain(beyond));
        assertEquals("records[1].offsetDelta", e.field());
        assertTrue(e.getMessage().contains("record 1 (at position "), e.getMessage());
        assertTrue(e.getMessage().endsWith("offsetDelta is 5, expected 1 to lastOffsetDelta 1 (offsets increase within the batch)"),
                e.getMessage());
    }

    @Test
    void recordFieldErrorsNameTheRecordAndItsPosition() {
        ByteBuffer b = at(1000, batch(null));
        // record 0 starts at 1000 + 61: length(1) attrs(1) tsDelta(1) offsetDelta(1) keyLength(1)
        int keyLength = 1000 + 61 + 4;
        assertEquals(10, b.get(keyLength)); // zigzag(5) for "key-0"
        b.put(keyLength, (byte) 0x7e); // 63: more than the record has
        fixCrc(b, 1000);
        RecordBatch batch = new RecordBatch().wrap(b, 1000).ensureValid();
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> {
            try (RecordCursor c = batch.records()) {
                while (c.next()) {
                    // drain
                }
            }
        });
        assertEquals("records[0].keyLength", e.field());
        assertEquals(1000, e.position());
        assertTrue(e.getMessage().startsWith("batch at position 1000, record 0 (at position 1061): keyLength is 63, expected -1 to "),
                e.getMessage());
    }

    @Test
    void unknownCodecAndUndecompressableRecords() {
        ByteBuffer compressed = batch(DeflateTestCodec.INSTANCE);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordBatch.of(compressed).ensureValid().records());
        assertEquals("attributes.codec", e.field());
        assertTrue(e.getMessage().startsWith("batch at position 0 has codec id 5 in its attributes, which cannot be resolved: "
                + "no codec with id 5 is loaded; loaded ids: none but 0 (uncompressed)"), e.getMessage());

        ByteBuffer garbled = batch(DeflateTestCodec.INSTANCE);
        for (int i = 61; i < garbled.limit(); i++) {
            garbled.put(i, (byte) 0xff);
        }
        fixCrc(garbled, 0);
        e = assertThrows(CorruptRecordException.class, () -> drain(garbled));
        assertEquals("records", e.field());
        assertTrue(e.getMessage().contains("-byte records section does not decompress with codec 'deflate-test' (id 5): "),
                e.getMessage());
    }

    @Test
    void aBatchThatExpandsBeyondTheLimitFailsBeforeTheBigBufferIsAllocated() {
        List<Record> zeros = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            zeros.add(Record.of(1000 + i, new byte[0], new byte[100_000]));
        }
        ByteBuffer small = at(7, RecordBatchWriter.encode(0, DeflateTestCodec.INSTANCE, zeros));
        assertTrue(small.remaining() < 10_000, "a million zeros deflate to a few KiB: " + small.remaining());
        int[] largest = {0};
        BufferAllocator counting = new BufferAllocator() {
            @Override
            public ByteBuffer allocate(int minCapacity) {
                largest[0] = Math.max(largest[0], minCapacity);
                return ByteBuffer.allocate(minCapacity);
            }
        };
        RecordBatch batch = new RecordBatch().wrap(small, 7).ensureValid();

        RecordCursor limited = new RecordCursor(Decoded.CODECS, counting, 256 * 1024);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> limited.reset(batch));
        assertEquals("records", e.field());
        assertEquals(7L, e.position());
        assertTrue(e.getMessage().startsWith("batch at position 7: its ") && e.getMessage().contains(
                "does not decompress with codec 'deflate-test' (id 5): its records would decompress to more than 262144 bytes"),
                e.getMessage());
        assertTrue(largest[0] <= 256 * 1024, "the allocator was asked for " + largest[0] + " bytes");

        try (RecordCursor defaults = new RecordCursor(Decoded.CODECS, counting)) {
            defaults.reset(batch);
            int n = 0;
            while (defaults.next()) {
                assertEquals(100_000, defaults.valueSize());
                n++;
            }
            assertEquals(10, n, "the default limit (" + RecordCursor.DEFAULT_MAX_DECOMPRESSED_BYTES + ") lets it through");
        }
        assertThrows(IllegalArgumentException.class, () -> new RecordCursor(Decoded.CODECS, counting, 0));
    }

    @Test
    void bitFlipsAnywhereAreCaught() {
        ByteBuffer good = batch(DeflateTestCodec.INSTANCE);
        int size = good.remaining();
        for (int i = 0; i < size; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                ByteBuffer b = ByteBuffer.allocate(size).put(good.duplicate()).flip();
                b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                boolean outsideCrc = i < RecordBatchLayout.BATCH_LENGTH_OFFSET
                        || (i >= RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET && i < RecordBatchLayout.MAGIC_OFFSET);
                if (outsideCrc) {
                    assertEquals(5, Decoded.all(b).size(), "flip at " + i);
                    continue;
                }
                CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordBatch.of(b).ensureValid(),
                        "flip of bit " + bit + " at " + i);
                if (i < RecordBatchLayout.MAGIC_OFFSET) { // batchLength: out of bounds, or a CRC over the wrong bytes
                    assertTrue(e.field().equals("batchLength") || e.field().equals("crc"), "flip at " + i + ": " + e);
                } else {
                    assertEquals(i == RecordBatchLayout.MAGIC_OFFSET ? "magic" : "crc", e.field(), "flip at " + i);
                }
            }
        }
    }

    @Test
    void garbageRecordsWithAValidCrcFailCleanly() {
        SplittableRandom r = new SplittableRandom(5);
        ByteBuffer template = batch(null);
        int size = template.remaining();
        int failures = 0;
        for (int round = 0; round < 20_000; round++) {
            ByteBuffer b = ByteBuffer.allocate(size).put(template.duplicate()).flip();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b.put(61 + r.nextInt(size - 61), (byte) r.nextInt(256));
            }
            if (r.nextInt(4) == 0) {
                b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, r.nextInt(0, 8));
                b.putInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, r.nextInt(0, 8));
            }
            fixCrc(b, 0);
            try {
                drain(b);
            } catch (CorruptRecordException e) {
                failures++;
                assertTrue(e.getMessage().startsWith("batch at position 0"), e.getMessage());
            } catch (RuntimeException e) {
                fail("garbage must give CorruptRecordException, got " + e, e);
            }
        }
        assertTrue(failures > 10_000, "most garbage is detected: " + failures);
    }

    @Test
    void pureGarbageBuffers() {
        SplittableRandom r = new SplittableRandom(9);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[r.nextInt(0, 300)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) r.nextInt(256);
            }
            if (bytes.length > 20 && r.nextBoolean()) { // plausible length and magic, to get past the first checks
                ByteBuffer.wrap(bytes).putInt(8, bytes.length - 12).put(16, (byte) 2);
            }
            RecordBatchReader reader = new RecordBatchReader(ByteBuffer.wrap(bytes));
            try {
                RecordBatch b = reader.next();
                if (b != null) {
                    drain(b.buffer().duplicate().position(b.offset()));
                }
            } catch (CorruptRecordException e) {
                assertEquals(0, reader.validBytes());
            } catch (RuntimeException e) {
                fail("garbage must give CorruptRecordException, got " + e, e);
            }
        }
    }

    @Test
    void cursorNeverReadsOutsideAnUnvalidatedBatch() {
        ByteBuffer b = batch(null);
        b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, 1 << 30);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordBatch.of(b).records());
        assertEquals("batchLength", e.field());
    }

    @Test
    void emptyBatchHeaderIsValid() {
        ByteBuffer b = batch(null).limit(61);
        b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, 49);
        b.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, 0);
        fixCrc(b, 0);
        RecordBatch batch = RecordBatch.of(b).ensureValid();
        try (RecordCursor c = batch.records()) {
            assertFalse(c.next());
        }
        assertNull(new RecordBatchReader(ByteBuffer.allocate(0)).next());
    }

    private static void drain(ByteBuffer b) {
        RecordBatch batch = RecordBatch.of(b);
        try (RecordCursor c = batch.records(Decoded.CODECS, BufferAllocator.HEAP)) {
            while (c.next()) {
                c.key();
                c.value();
                c.headers().forEach(h -> h.key());
            }
        }
    }
}
