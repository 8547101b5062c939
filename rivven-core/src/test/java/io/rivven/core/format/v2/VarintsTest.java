package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VarintsTest {

    /** Reference encoding: the protobuf/Kafka loop, byte by byte. */
    private static byte[] reference(long zigzagged) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = zigzagged;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static final int[] INTS = {0, 1, -1, 2, -2, 63, -64, 64, -65, 8191, -8192, 8192, -8193,
            (1 << 20) - 1, -(1 << 20), 1 << 20, -(1 << 20) - 1, (1 << 27) - 1, -(1 << 27), 1 << 27, -(1 << 27) - 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1};

    private static final long[] LONGS = {0, 1, -1, 63, -64, 64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE,
            (1L << 62) - 1, -(1L << 62), 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
            1_700_000_000_000L, -1_700_000_000_000L};

    @Test
    void intSizesAtEveryByteBoundary() {
        // zigzag: v >= 0 maps to 2v, v < 0 to -2v-1; one more byte each 7 bits
        assertEquals(1, Varints.sizeOfVarint(0));
        assertEquals(1, Varints.sizeOfVarint(63));
        assertEquals(1, Varints.sizeOfVarint(-64));
        assertEquals(2, Varints.sizeOfVarint(64));
        assertEquals(2, Varints.sizeOfVarint(-65));
        assertEquals(2, Varints.sizeOfVarint(8191));
        assertEquals(3, Varints.sizeOfVarint(8192));
        assertEquals(3, Varints.sizeOfVarint((1 << 20) - 1));
        assertEquals(4, Varints.sizeOfVarint(1 << 20));
        assertEquals(4, Varints.sizeOfVarint((1 << 27) - 1));
        assertEquals(5, Varints.sizeOfVarint(1 << 27));
        assertEquals(5, Varints.sizeOfVarint(Integer.MAX_VALUE));
        assertEquals(5, Varints.sizeOfVarint(Integer.MIN_VALUE));
        assertEquals(1, Varints.sizeOfUnsignedVarint(127));
        assertEquals(2, Varints.sizeOfUnsignedVarint(128));
        assertEquals(5, Varints.sizeOfUnsignedVarint(-1));
    }

    @Test
    void longSizes() {
        assertEquals(1, Varints.sizeOfVarlong(0));
        assertEquals(1, Varints.sizeOfVarlong(-1));
        assertEquals(2, Varints.sizeOfVarlong(64));
        assertEquals(10, Varints.sizeOfVarlong(Long.MAX_VALUE));
        assertEquals(10, Varints.sizeOfVarlong(Long.MIN_VALUE));
        assertEquals(9, Varints.sizeOfVarlong((1L << 62) - 1));
        assertEquals(10, Varints.sizeOfVarlong(1L << 62));
    }

    @Test
    void intsMatchTheReferenceEncodingAndRoundTrip() {
        ByteBuffer b = ByteBuffer.allocate(16);
        for (int v : INTS) {
            check(b, v);
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int v = r.nextInt() >> r.nextInt(32);
            check(b, v);
        }
    }

    private static void check(ByteBuffer b, int v) {
        byte[] expected = reference(Integer.toUnsignedLong(Varints.zigzag(v)));
        int end = Varints.writeVarint(b, 3, v);
        assertEquals(3 + expected.length, end, "length of " + v);
        assertEquals(expected.length, Varints.sizeOfVarint(v), "size of " + v);
        byte[] actual = new byte[expected.length];
        b.get(3, actual);
        assertArrayEquals(expected, actual, "bytes of " + v);
        assertEquals(v, Varints.readVarint(b, 3, end), "value of " + v);
        assertEquals(expected.length, Varints.encodedLength(b, 3, b.limit(), 5));
        assertEquals(0, b.position());
    }

    @Test
    void longsMatchTheReferenceEncodingAndRoundTrip() {
        ByteBuffer b = ByteBuffer.allocateDirect(16);
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 100_000 + LONGS.length; i++) {
            long v = i < LONGS.length ? LONGS[i] : r.nextLong() >> r.nextInt(64);
            byte[] expected = reference(Varints.zigzag(v));
            int end = Varints.writeVarlong(b, 0, v);
            assertEquals(expected.length, end, "length of " + v);
            assertEquals(expected.length, Varints.sizeOfVarlong(v), "size of " + v);
            byte[] actual = new byte[end];
            b.get(0, actual);
            assertArrayEquals(expected, actual, "bytes of " + v);
            assertEquals(v, Varints.readVarlong(b, 0, end), "value of " + v);
        }
    }

    @Test
    void arrayWritersMatchBufferWriters() {
        ByteBuffer b = ByteBuffer.allocate(16);
        byte[] a = new byte[16];
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 50_000; i++) {
            int v = i < INTS.length ? INTS[i] : r.nextInt() >> r.nextInt(32);
            int end = Varints.writeVarint(a, 1, v);
            assertEquals(Varints.writeVarint(b, 1, v), end, "length of " + v);
            assertArrayEquals(b.array(), a, "bytes of " + v);
            long l = i < LONGS.length ? LONGS[i] : r.nextLong() >> r.nextInt(64);
            end = Varints.writeVarlong(a, 2, l);
            assertEquals(Varints.writeVarlong(b, 2, l), end, "length of " + l);
            assertArrayEquals(b.array(), a, "bytes of " + l);
            assertEquals(l, Varints.readVarlong(b, 2, end));
        }
    }

    @Test
    void knownEncodings() {
        ByteBuffer b = ByteBuffer.allocate(8);
        assertEquals(2, Varints.writeVarint(b, 0, 300)); // zigzag 600 = 0b1001011000
        assertEquals((byte) 0xd8, b.get(0));
        assertEquals((byte) 0x04, b.get(1));
        assertEquals(1, Varints.writeVarint(b, 0, -1));
        assertEquals(1, b.get(0));
        assertEquals(Integer.MIN_VALUE, Varints.unzigzag(Varints.zigzag(Integer.MIN_VALUE)));
        assertEquals(-1, Varints.zigzag(Integer.MIN_VALUE));
    }

    @Test
    void malformedVarintsAreRejected() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Varints.readVarint(b, 0, b.limit()));
        assertEquals("varint at index 0 is longer than 5 bytes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Varints.readVarint(b, 0, 3)); // cut short
        assertEquals(Varints.unzigzag(1L << 35), Varints.readVarlong(b, 0, b.limit())); // 6 bytes: fine for a long
        byte[] eleven = new byte[11];
        java.util.Arrays.fill(eleven, (byte) 0x80);
        assertThrows(IllegalArgumentException.class, () -> Varints.readVarlong(ByteBuffer.wrap(eleven), 0, 11));
        assertThrows(IllegalArgumentException.class, () -> Varints.encodedLength(b, 0, b.limit(), 5));
        // non-canonical but terminated within 5 bytes: accepted, as Kafka does
        ByteBuffer padded = ByteBuffer.wrap(new byte[] {(byte) 0x82, (byte) 0x80, 0x00});
        assertEquals(1, Varints.readVarint(padded, 0, 3));
    }
}
