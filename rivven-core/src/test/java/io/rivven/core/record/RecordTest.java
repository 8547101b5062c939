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

    /** The same key and value held every way a record can hold bytes. */
    private static List<Record> sameRecordEveryWay(long ts, byte[] key, byte[] value) {
        byte[] paddedKey = new byte[key.length + 7];
        System.arraycopy(key, 0, paddedKey, 3, key.length);
        ByteBuffer directValue = ByteBuffer.allocateDirect(value.length + 2).position(1);
        directValue.put(value).flip().position(1);
        return List.of(
                Record.of(ts, key, value),
                Record.of(ts, ByteBuffer.wrap(paddedKey, 3, key.length), ByteBuffer.wrap(value)),
                Record.of(ts, ByteBuffer.wrap(key).asReadOnlyBuffer(), directValue),
                Record.builder().timestamp(ts).key(key).value(value).build(),
                Record.builder().timestamp(ts).key(ByteBuffer.wrap(paddedKey, 3, key.length)).value(directValue).build(),
                Record.of(ts, new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8)));
    }

    @Test
    void arrayAndBufferBackedRecordsAreEqual() {
        byte[] key = "the key".getBytes(StandardCharsets.UTF_8);
        byte[] value = "a value ✓".getBytes(StandardCharsets.UTF_8);
        List<Record> all = sameRecordEveryWay(5, key, value);
        for (Record a : all) {
            for (Record b : all) {
                assertEquals(a, b, a + " vs " + b);
                assertEquals(a.hashCode(), b.hashCode(), a + " vs " + b);
            }
            assertEquals("the key", a.keyString());
            assertEquals("a value ✓", a.valueString());
            assertArrayEquals(value, a.valueBytes());
            assertEquals(value.length, a.valueSize());
            byte[] out = new byte[value.length + 2];
            assertEquals(value.length + 1, a.writeValueTo(out, 1));
            assertArrayEquals(value, java.util.Arrays.copyOfRange(out, 1, value.length + 1));
            ByteBuffer direct = ByteBuffer.allocateDirect(key.length + 4);
            assertEquals(key.length + 4, a.writeKeyTo(direct, 4));
            assertEquals(0, direct.position());
            assertEquals(ByteBuffer.wrap(key), direct.slice(4, key.length));
            assertNotEquals(a, Record.of(5, key, "other".getBytes(StandardCharsets.UTF_8)));
            assertNotEquals(a, Record.of(6, key, value));
        }
    }

    @Test
    void viewsAreReadOnlyAndDoNotExposeTheRecordsMemory() {
        byte[] key = "key".getBytes(StandardCharsets.UTF_8);
        byte[] value = "value".getBytes(StandardCharsets.UTF_8);
        for (Record r : sameRecordEveryWay(1, key, value)) {
            for (ByteBuffer v : new ByteBuffer[] {r.key(), r.value()}) {
                assertTrue(v.isReadOnly(), r.toString());
                assertFalse(v.hasArray(), "a view must not hand out the record's array: " + r);
                assertEquals(0, v.position());
                assertThrows(ReadOnlyBufferException.class, () -> v.put(0, (byte) 'X'));
                assertThrows(ReadOnlyBufferException.class, () -> v.duplicate().put((byte) 'X'));
                v.position(v.limit()); // moving a view moves nothing else
            }
            assertEquals("key", r.keyString());
            assertEquals("value", r.valueString());
            assertEquals(3, r.key().remaining()); // a new view each time
            assertTrue(r.value() != r.value());
            byte[] copy = r.valueBytes();
            copy[0] = 'X'; // a copy is the caller's
            assertEquals("value", r.valueString());
        }
        assertArrayEquals("key".getBytes(StandardCharsets.UTF_8), key); // nothing wrote through a view
        assertArrayEquals("value".getBytes(StandardCharsets.UTF_8), value);
        Header h = Header.of("h", "v".getBytes(StandardCharsets.UTF_8));
        assertTrue(h.value().isReadOnly());
        assertFalse(h.value().hasArray());
    }

    @Test
    void recordsHoldTheGivenArraysWithoutCopying() {
        // documented: the bytes are not copied, so a later change to the array shows (do not do that)
        byte[] value = "value".getBytes(StandardCharsets.UTF_8);
        Record of = Record.of(1, null, value);
        Record built = Record.builder().timestamp(1).value(value).build();
        value[0] = 'V';
        assertEquals("Value", of.valueString());
        assertEquals("Value", built.valueString());
    }

    @Test
    void nullAndEmptyKeysAndValuesDifferWhateverTheFactory() {
        ByteBuffer emptyHeap = ByteBuffer.allocate(4).position(4);
        ByteBuffer emptyDirect = ByteBuffer.allocateDirect(0);
        List<Record> empties = List.of(Record.of(1, new byte[0], new byte[0]), Record.of(1, "", ""),
                Record.of(1, emptyHeap, emptyDirect), Record.builder().timestamp(1).key(new byte[0]).value(emptyDirect).build(),
                Record.builder().timestamp(1).key("").value(ByteBuffer.wrap(new byte[0])).build());
        List<Record> nulls = List.of(Record.of(1, (byte[]) null, null), Record.of(1, (String) null, null),
                Record.of(1, (ByteBuffer) null, null), Record.builder().timestamp(1).build(),
                Record.builder().timestamp(1).key("k").key((byte[]) null).value(emptyDirect).value((ByteBuffer) null).build());
        for (Record e : empties) {
            assertTrue(e.hasKey() && e.hasValue(), e.toString());
            assertEquals(0, e.keySize());
            assertEquals(0, e.valueSize());
            assertEquals(0, e.key().remaining());
            assertEquals(0, e.value().remaining());
            assertArrayEquals(new byte[0], e.valueBytes());
            assertEquals("", e.keyString());
            assertEquals(empties.getFirst(), e);
            assertEquals(empties.getFirst().hashCode(), e.hashCode());
        }
        for (Record n : nulls) {
            assertFalse(n.hasKey() || n.hasValue(), n.toString());
            assertEquals(-1, n.keySize());
            assertEquals(-1, n.valueSize());
            assertNull(n.key());
            assertNull(n.value());
            assertNull(n.keyBytes());
            assertNull(n.valueString());
            assertThrows(NullPointerException.class, () -> n.writeValueTo(new byte[1], 0));
            assertThrows(NullPointerException.class, () -> n.writeKeyTo(ByteBuffer.allocate(1), 0));
            assertEquals(nulls.getFirst(), n);
            assertNotEquals(empties.getFirst(), n);
        }
    }

    @Test
    void headersAreKeptInOrderAndUnmodifiable() {
        Record r = Record.builder().timestamp(1).key("k").header("a", "1").header("b", (byte[]) null)
                .header(Header.of("a", ByteBuffer.allocateDirect(1).put((byte) '2').flip())).build();
        assertEquals(List.of("a", "b", "a"), r.headers().stream().map(Header::key).toList());
        assertEquals("2", r.headers().get(2).valueString());
        assertNull(r.headers().get(1).value());
        assertThrows(UnsupportedOperationException.class, () -> r.headers().add(Header.of("c", "3")));
        Record same = Record.of(1, ByteBuffer.wrap(new byte[] {'k'}), null,
                List.of(Header.of("a", "1"), Header.of("b", (byte[]) null), Header.of("a", "2")));
        assertEquals(r, same);
        assertEquals(r.hashCode(), same.hashCode());
        assertNotEquals(r, Record.of(1, ByteBuffer.wrap(new byte[] {'k'}), null,
                List.of(Header.of("a", "2"), Header.of("b", (byte[]) null), Header.of("a", "1"))));
        assertTrue(Record.of(1, "k", "v").headers().isEmpty());
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
