package io.rivven.core.format.v2;

import io.rivven.api.Evolving;
import java.nio.ByteBuffer;

/**
 * Zigzag variable-length integers as Kafka writes them in RecordBatch v2 records (protobuf style:
 * 7 bits per byte, least significant group first, high bit set on every byte but the last; signed
 * values are zigzag-mapped first so that small negative numbers stay short: 0 → 0, -1 → 1, 1 → 2,
 * -2 → 3 …). An {@code int} takes 1–5 bytes, a {@code long} 1–10.
 *
 * <p>Writers exist for {@link ByteBuffer}s and for arrays (the batch writer encodes into an array,
 * where a store costs one bounds check). All methods use absolute indexes and never change a
 * buffer's position or limit. Writers do not
 * check capacity beyond the buffer's own bounds checks: callers size the space first with
 * {@link #sizeOfVarint} / {@link #sizeOfVarlong}. Readers reject encodings longer than 5 (int) or
 * 10 (long) bytes and encodings that run past {@code limit} with {@link IllegalArgumentException};
 * the record decoder has its own copies of the read loops so that it can name the record and field.
 *
 * <p>Stateless and thread-safe.
 */
@Evolving
public final class Varints {

    /** The longest encoding of an {@code int}. */
    public static final int MAX_VARINT_LENGTH = 5;
    /** The longest encoding of a {@code long}. */
    public static final int MAX_VARLONG_LENGTH = 10;

    private Varints() {
    }

    /** Zigzag-maps a signed int so that small magnitudes become small unsigned numbers. */
    public static int zigzag(int value) {
        return (value << 1) ^ (value >> 31);
    }

    /** Zigzag-maps a signed long. */
    public static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    /** Inverse of {@link #zigzag(int)}. */
    public static int unzigzag(int encoded) {
        return (encoded >>> 1) ^ -(encoded & 1);
    }

    /** Inverse of {@link #zigzag(long)}. */
    public static long unzigzag(long encoded) {
        return (encoded >>> 1) ^ -(encoded & 1);
    }

    /** Bytes taken by {@code value} as a zigzag varint: 1 to 5. */
    public static int sizeOfVarint(int value) {
        return sizeOfUnsignedVarint(zigzag(value));
    }

    /** Bytes taken by {@code value} as an unsigned (not zigzag) varint: 1 to 5. */
    public static int sizeOfUnsignedVarint(int value) {
        // Significant bits (at least 1), seven per byte; the division by a constant compiles to a multiply.
        return 1 + (31 - Integer.numberOfLeadingZeros(value | 1)) / 7;
    }

    /** Bytes taken by {@code value} as a zigzag varlong: 1 to 10. */
    public static int sizeOfVarlong(long value) {
        long v = zigzag(value);
        return 1 + (63 - Long.numberOfLeadingZeros(v | 1)) / 7;
    }

    /**
     * Writes {@code value} as a zigzag varint at {@code index}.
     *
     * @return the index after the last byte written
     * @throws IndexOutOfBoundsException if the encoding does not fit below the buffer's limit
     */
    public static int writeVarint(ByteBuffer buffer, int index, int value) {
        return writeUnsignedVarint(buffer, index, zigzag(value));
    }

    /** Writes {@code value} as an unsigned varint at {@code index}; returns the index after it. */
    public static int writeUnsignedVarint(ByteBuffer buffer, int index, int value) {
        int v = value;
        int i = index;
        if ((v & ~0x7F) == 0) { // the common case of a one-byte length, delta or count
            buffer.put(i, (byte) v);
            return i + 1;
        }
        if ((v & ~0x3FFF) == 0) {
            buffer.put(i, (byte) (v | 0x80));
            buffer.put(i + 1, (byte) (v >>> 7));
            return i + 2;
        }
        while ((v & ~0x7F) != 0) {
            buffer.put(i++, (byte) (v | 0x80));
            v >>>= 7;
        }
        buffer.put(i++, (byte) v);
        return i;
    }

    /** Writes {@code value} as a zigzag varlong at {@code index}; returns the index after it. */
    public static int writeVarlong(ByteBuffer buffer, int index, long value) {
        long v = zigzag(value);
        int i = index;
        if ((v & ~0x7FL) == 0) { // a timestamp delta within ±63 ms
            buffer.put(i, (byte) v);
            return i + 1;
        }
        while ((v & ~0x7FL) != 0) {
            buffer.put(i++, (byte) (v | 0x80));
            v >>>= 7;
        }
        buffer.put(i++, (byte) v);
        return i;
    }

    /**
     * Writes {@code value} as a zigzag varint into {@code array} at {@code index}.
     *
     * @return the index after the last byte written
     * @throws ArrayIndexOutOfBoundsException if the encoding does not fit
     */
    public static int writeVarint(byte[] array, int index, int value) {
        return writeUnsignedVarint(array, index, zigzag(value));
    }

    /** Writes {@code value} as an unsigned varint into {@code array} at {@code index}; returns the index after it. */
    public static int writeUnsignedVarint(byte[] array, int index, int value) {
        int v = value;
        int i = index;
        if ((v & ~0x7F) == 0) {
            array[i] = (byte) v;
            return i + 1;
        }
        if ((v & ~0x3FFF) == 0) {
            array[i] = (byte) (v | 0x80);
            array[i + 1] = (byte) (v >>> 7);
            return i + 2;
        }
        while ((v & ~0x7F) != 0) {
            array[i++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        array[i++] = (byte) v;
        return i;
    }

    /** Writes {@code value} as a zigzag varlong into {@code array} at {@code index}; returns the index after it. */
    public static int writeVarlong(byte[] array, int index, long value) {
        long v = zigzag(value);
        int i = index;
        if ((v & ~0x7FL) == 0) {
            array[i] = (byte) v;
            return i + 1;
        }
        while ((v & ~0x7FL) != 0) {
            array[i++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        array[i++] = (byte) v;
        return i;
    }

    /**
     * Reads a zigzag varint at {@code index}.
     *
     * @param limit the first index that is not part of the readable region
     * @throws IllegalArgumentException if the encoding runs past {@code limit} or is longer than 5 bytes
     */
    public static int readVarint(ByteBuffer buffer, int index, int limit) {
        return unzigzag(readUnsignedVarint(buffer, index, limit));
    }

    /** Reads an unsigned varint at {@code index}; see {@link #readVarint}. */
    public static int readUnsignedVarint(ByteBuffer buffer, int index, int limit) {
        int value = 0;
        int i = index;
        for (int shift = 0; shift < 35; shift += 7) {
            if (i >= limit) {
                throw new IllegalArgumentException("varint at index " + index + " runs past the limit " + limit);
            }
            int b = buffer.get(i++);
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint at index " + index + " is longer than " + MAX_VARINT_LENGTH + " bytes");
    }

    /** Reads a zigzag varlong at {@code index}; see {@link #readVarint}, at most 10 bytes. */
    public static long readVarlong(ByteBuffer buffer, int index, int limit) {
        long value = 0;
        int i = index;
        for (int shift = 0; shift < 70; shift += 7) {
            if (i >= limit) {
                throw new IllegalArgumentException("varlong at index " + index + " runs past the limit " + limit);
            }
            int b = buffer.get(i++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return unzigzag(value);
            }
        }
        throw new IllegalArgumentException("varlong at index " + index + " is longer than " + MAX_VARLONG_LENGTH + " bytes");
    }

    /**
     * The number of bytes of the varint or varlong starting at {@code index} (the bytes up to and
     * including the first without the continuation bit).
     *
     * @throws IllegalArgumentException if no terminating byte is found within {@code maxLength}
     *         bytes or before {@code limit}
     */
    public static int encodedLength(ByteBuffer buffer, int index, int limit, int maxLength) {
        int end = Math.min(limit, index + maxLength);
        for (int i = index; i < end; i++) {
            if (buffer.get(i) >= 0) {
                return i - index + 1;
            }
        }
        throw new IllegalArgumentException("no varint end at index " + index + " within " + maxLength
                + " bytes before the limit " + limit);
    }
}
