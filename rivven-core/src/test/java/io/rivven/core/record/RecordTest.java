package io.rivven.core.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordTest {

    @Test
    void factoriesAndAccessors() {
        Record r = Record.of(42, "key", "välue");
        assertEquals(42, r.timestamp());
        assertEquals("key", r.keyString());
        assertEquals("välue", r.valueString());
        assertEquals(3, r.keySize());
        assertEquals("välue".getBytes(StandardCharsets.UTF_8).length, r.valueSize());
        assertTrue(r.hasKey() && r.hasValue());
        assertEquals(List.of(), r.headers());

        Record tombstone = Record.of(1, "k".getBytes(StandardCharsets.UTF_8), null);
        assertFalse(tombstone.hasValue());
        assertNull(tombstone.value());
        assertEquals(-1, tombstone.valueSize());
        assertNull(tombstone.valueBytes());
        assertNull(tombstone.valueString());

        long before = System.currentTimeMillis();
        Record now = Record.of("a", "b");
        assertTrue(now.timestamp() >= before && now.timestamp() <= System.currentTimeMillis());
        assertTrue(Record.builder().build().timestamp() >= before);
    }

    @Test
    void immutableViews() {
        byte[] value = "value".getBytes(StandardCharsets.UTF_8);
        Record r = Record.of(1, null, value);
        ByteBuffer v = r.value();
        assertTrue(v.isReadOnly());
        assertThrows(ReadOnlyBufferException.class, () -> v.put(0, (byte) 1));
        v.position(3); // moving a returned view does not move the record's
        assertEquals(5, r.value().remaining());
        assertEquals("value", r.valueString());
        assertArrayEquals(value, r.valueBytes());
    }

    @Test
    void buffersContributeTheirRemainingBytes() {
        ByteBuffer src = ByteBuffer.wrap("..key..value..".getBytes(StandardCharsets.UTF_8));
        Record r = Record.builder().timestamp(1)
                .key(src.duplicate().position(2).limit(5))
                .value(src.duplicate().position(7).limit(12))
                .build();
        assertEquals("key", r.keyString());
        assertEquals("value", r.valueString());
        ByteBuffer dst = ByteBuffer.allocate(10);
        assertEquals(8, r.writeKeyTo(dst, 5));
        assertEquals(0, dst.position());
        assertEquals('k', dst.get(5));

        // memory without an accessible array: read-only heap and direct buffers
        ByteBuffer direct = ByteBuffer.allocateDirect(16).put("..direct".getBytes(StandardCharsets.UTF_8)).flip().position(2);
        Record d = Record.of(1, src.asReadOnlyBuffer().position(2).limit(5), direct);
        assertEquals("key", d.keyString());
        assertEquals("direct", d.valueString());
        assertEquals(0, d.value().position());
        byte[] out = new byte[8];
        assertEquals(7, d.writeValueTo(out, 1));
        assertEquals("direct", new String(out, 1, 6, StandardCharsets.UTF_8));
        assertEquals(Record.of(1, "key", "direct"), d);
        assertEquals(Record.of(1, "key", "direct").hashCode(), d.hashCode());
        assertThrows(NullPointerException.class, () -> Record.of(1, (String) null, "v").writeKeyTo(out, 0));
    }

    @Test
    void equalityIsByContent() {
        Record a = Record.builder().timestamp(7).key("k").value("v").header("h", "1").build();
        Record b = Record.builder().timestamp(7).key(ByteBuffer.allocateDirect(1).put((byte) 'k').flip())
                .value("v".getBytes(StandardCharsets.UTF_8)).header(Header.of("h", ByteBuffer.wrap(new byte[] {'1'}))).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Record.builder().timestamp(8).key("k").value("v").header("h", "1").build());
        assertNotEquals(a, Record.builder().timestamp(7).key("k").value("v").build());
        assertNotEquals(Record.of(1, "", null), Record.of(1, (String) null, null)); // empty is not null
        assertTrue(a.toString().contains("key=\"k\""), a.toString());
    }

    @Test
    void headers() {
        Header h = Header.of("ключ", "v");
        assertEquals("ключ", h.key());
        assertEquals(8, h.keySize());
        assertEquals("v", h.valueString());
        Header decoded = Header.fromUtf8(ByteBuffer.wrap("ключ".getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(new byte[] {'v'}));
        assertEquals(h, decoded);
        assertEquals("ключ", decoded.key());
        assertEquals(-1, Header.of("n", (byte[]) null).valueSize());
        assertThrows(NullPointerException.class, () -> Header.of(null, "v"));
        assertThrows(NullPointerException.class, () -> Record.builder().header(null));
    }

    @Test
    void corruptRecordExceptionKeepsItsParts() {
        CorruptRecordException e = new CorruptRecordException(81920, "crc", "batch at position 81920 has CRC 0x1, expected 0x2");
        assertNull(e.source());
        CorruptRecordException f = e.withSource("/x.log");
        assertEquals("/x.log: batch at position 81920 has CRC 0x1, expected 0x2", f.getMessage());
        assertEquals("/x.log", f.source());
        assertEquals(81920, f.position());
        assertEquals("crc", f.field());
        assertTrue(e == e.withSource(null));
    }
}
