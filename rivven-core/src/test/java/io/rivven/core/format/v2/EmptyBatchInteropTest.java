package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

/**
 * A batch whose recordCount is 0, compressed or not, built by hand (no writer makes one: Kafka's
 * builder returns no batch at all, its cleaner writes an uncompressed empty header). Kafka's
 * {@code DefaultRecordBatch} checks only its size and CRC and iterates nothing for a count of 0,
 * without looking at the codec or the records section; our reader must read it the same way:
 * valid, no records, no decompression, heap or direct.
 */
class EmptyBatchInteropTest {

    private static final long T = 1_750_000_000_000L;

    /** Records sections worth trying: none, a real codec's stream of nothing, garbage. */
    private static final List<byte[]> SECTIONS = List.of(new byte[0], emptyDeflateStream(),
            new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4, 5, 6, 7});

    private static byte[] emptyDeflateStream() {
        ByteBuffer dst = ByteBuffer.allocate(DeflateTestCodec.INSTANCE.maxCompressedLength(0));
        DeflateTestCodec.INSTANCE.compress(ByteBuffer.allocate(0), dst);
        byte[] b = new byte[dst.flip().remaining()];
        dst.get(b);
        return b;
    }

    /**
     * A batch of recordCount 0 with codec {@code codecId}, the given records section and a correct
     * CRC-32C, at index 3 of a heap or direct buffer (not at 0, as batches inside a region are).
     */
    static ByteBuffer emptyBatch(int codecId, int lastOffsetDelta, byte[] section, boolean direct) {
        int size = RecordBatchLayout.HEADER_LENGTH + section.length;
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(size + 3) : ByteBuffer.allocate(size + 3);
        RecordBatchLayout.putHeader(b, 3, 100L, size - RecordBatchLayout.LOG_OVERHEAD, 5, (short) codecId,
                lastOffsetDelta, T, T, 4242L, (short) 3, 17, 0);
        b.put(3 + RecordBatchLayout.HEADER_LENGTH, section);
        RecordBatchLayout.putCrc(b, 3, RecordBatchLayout.computeCrc(b, 3, size));
        return b.position(3);
    }

    /** A codec for {@code id} that fails if asked anything: a batch of no records has nothing to decompress. */
    private static Codec untouchable(byte id) {
        return new Codec() {
            @Override
            public String name() {
                return "untouchable-" + id;
            }

            @Override
            public byte id() {
                return id;
            }

            @Override
            public int maxCompressedLength(int sourceLength) {
                throw new AssertionError("asked for a compression bound");
            }

            @Override
            public int compress(ByteBuffer src, ByteBuffer dst) {
                throw new AssertionError("asked to compress");
            }

            @Override
            public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
                throw new AssertionError("asked to decompress a batch of no records");
            }
        };
    }

    @Test
    void kafkaReadsABatchOfNoRecordsAsValidAndEmptyWhateverItsCodecAndRecordsSection() {
        for (int codecId = 0; codecId <= 4; codecId++) { // Kafka knows ids 0-4
            for (byte[] section : SECTIONS) {
                for (int lastOffsetDelta : new int[] {0, 4, -1}) {
                    String what = "codec " + codecId + ", " + section.length + "-byte section, lastOffsetDelta " + lastOffsetDelta;
                    List<MutableRecordBatch> kafka = new ArrayList<>();
                    MemoryRecords.readableRecords(emptyBatch(codecId, lastOffsetDelta, section, false).slice())
                            .batches().forEach(kafka::add);
                    assertEquals(1, kafka.size(), what);
                    MutableRecordBatch k = kafka.getFirst();
                    k.ensureValid(); // size and CRC only
                    assertTrue(k.isValid(), what);
                    assertEquals(0, k.countOrNull(), what);
                    assertEquals(codecId, k.compressionType().id, what);
                    assertFalse(k.iterator().hasNext(), what + ": Kafka iterates no records");
                }
            }
        }
    }

    @Test
    void weReadABatchOfNoRecordsAsValidAndEmptyForEveryCodecWithoutDecompressing() {
        List<Codec> codecs = new ArrayList<>();
        for (byte id = 1; id <= 7; id++) {
            codecs.add(untouchable(id));
        }
        for (CodecResolver resolver : new CodecResolver[] {CodecResolver.of(codecs), CodecResolver.uncompressedOnly()}) {
            for (int codecId = 0; codecId <= 7; codecId++) {
                for (byte[] section : SECTIONS) {
                    for (boolean direct : new boolean[] {false, true}) {
                        String what = "codec " + codecId + ", " + section.length + "-byte section, "
                                + (direct ? "direct" : "heap");
                        ByteBuffer region = emptyBatch(codecId, 4, section, direct);
                        RecordBatchReader reader = new RecordBatchReader(region);
                        RecordBatch b = reader.next();
                        assertNotNull(b, what);
                        assertTrue(b.isValid(), what);
                        assertEquals(0, b.recordCount(), what);
                        assertEquals(104L, b.lastOffset(), what);
                        assertEquals(codecId, b.codecId(), what);
                        try (RecordCursor c = b.records(resolver, BufferAllocator.HEAP)) {
                            assertFalse(c.next(), what + ": no records");
                            assertFalse(c.next(), what + ": still none");
                        }
                        RecordBatchInfo info = new RecordBatchInfo(resolver, BufferAllocator.HEAP).wrap(b, 3);
                        List<Object> keys = new ArrayList<>();
                        info.forEachKey(keys::add);
                        assertEquals(List.of(), keys, what);
                        assertNull(reader.next(), what);
                        assertTrue(reader.isAtEnd(), what);
                    }
                }
            }
        }
    }

    @Test
    void aCorruptBatchOfNoRecordsIsStillCaughtByItsCrc() {
        ByteBuffer b = emptyBatch(3, 0, new byte[] {1, 2, 3}, false);
        b.put(3 + RecordBatchLayout.HEADER_LENGTH + 1, (byte) 9); // a flipped byte in the records section
        CorruptRecordException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptRecordException.class,
                () -> new RecordBatchReader(b).next());
        assertEquals("crc", e.field(), e.getMessage());
        assertFalse(MemoryRecords.readableRecords(b.slice()).batches().iterator().next().isValid(), "Kafka flags it too");
    }
}
