package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriterPoolTest {

    private static final int RETAINED = 64 * 1024;

    @Test
    void writersAreNeverSharedAndAtMostTheSlotsAreKept() {
        WriterPool pool = new WriterPool(2, RETAINED);
        RecordBatchWriter a = pool.acquire();
        RecordBatchWriter b = pool.acquire(); // as an append inside an append gets
        RecordBatchWriter c = pool.acquire();
        assertNotSame(a, b);
        assertNotSame(b, c);
        assertNotSame(a, c);
        pool.release(a);
        pool.release(b);
        pool.release(c);
        assertEquals(2, pool.idle());
        assertThrows(IllegalStateException.class, () -> c.reset(0), "the writer beyond the slots is closed");
        RecordBatchWriter d = pool.acquire();
        RecordBatchWriter e = pool.acquire();
        assertEquals(Set.of(a, b), Set.of(d, e));
        assertEquals(0, pool.idle());
        assertTrue(d.reset(0).append(Record.of(1, "k", "v")).build().isDirect(), "writers encode in direct memory");
    }

    @Test
    void releaseGivesLargeBuffersBackAndFreesArenaMemoryAtOnce() {
        WriterPool pool = new WriterPool(1, RETAINED);
        RecordBatchWriter w = pool.acquire();
        ByteBuffer batch = w.reset(0).append(Record.of(1, null, new byte[300_000])).build();
        assertEquals(1, RecordBatch.of(batch).ensureValid().recordCount());
        assertEquals(1, pool.memory().arenasOpen(), "a buffer above the retained size comes from an arena");
        pool.release(w);
        assertEquals(0, pool.memory().arenasOpen());
        assertTrue(pool.idleCapacity() <= RETAINED, "idle: " + pool.idleCapacity());
        assertThrows(IllegalStateException.class, () -> batch.get(0), "freed memory cannot be read any more");
        RecordBatchWriter again = pool.acquire();
        assertEquals(w, again);
        assertEquals(List.of(Record.of(2, "k", "v")).size(),
                RecordBatch.of(again.reset(5).append(Record.of(2, "k", "v")).build()).ensureValid().recordCount());
    }

    @Test
    void encodeMemory() {
        EncodeMemory m = new EncodeMemory(1024);
        ByteBuffer small = m.allocate(1024);
        assertTrue(small.isDirect());
        assertEquals(0, m.arenasOpen());
        m.release(small); // not from an arena: left to the GC
        ByteBuffer big = m.allocate(1025);
        assertTrue(big.isDirect());
        assertEquals(0, big.position());
        assertTrue(big.capacity() >= 1025);
        big.putLong(1017, 42);
        assertEquals(42, big.getLong(1017));
        assertEquals(1, m.arenasOpen());
        m.release(big);
        m.release(big); // twice: ignored
        m.release(ByteBuffer.allocateDirect(4096)); // not ours: ignored
        assertEquals(0, m.arenasOpen());
        assertFalse(big.isReadOnly());
        assertThrows(IllegalStateException.class, () -> big.get(0));
    }
}
