package io.rivven.core.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Helpers for the byte fields of {@link Record} and {@link Header}. A field is held without copying
 * as either a heap array region ({@code array}, {@code offset}, {@code length}) or, for memory
 * that has no accessible array (direct or read-only buffers), a position-0 slice {@code buffer}
 * of {@code length} bytes; {@code length} -1 means null. Keeping arrays as arrays lets the batch
 * writer copy with {@link System#arraycopy} and lets {@code Record.of(byte[], byte[])} allocate
 * nothing but the record.
 */
final class Bytes {

    private Bytes() {
    }

    /** The array of a heap buffer whose array is accessible, else null. */
    static byte[] arrayOf(ByteBuffer b) {
        return b != null && b.hasArray() ? b.array() : null;
    }

    /** Where {@code b}'s remaining bytes start in {@link #arrayOf}'s array. */
    static int offsetOf(ByteBuffer b) {
        return b != null && b.hasArray() ? b.arrayOffset() + b.position() : 0;
    }

    static int lengthOf(ByteBuffer b) {
        return b == null ? -1 : b.remaining();
    }

    /** A position-0 slice of {@code b}'s remaining bytes when it has no accessible array, else null. */
    static ByteBuffer bufferOf(ByteBuffer b) {
        return b == null || b.hasArray() ? null : b.slice();
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** A new read-only view, position 0, of the field; null for a null field. */
    static ByteBuffer view(byte[] array, int offset, int length, ByteBuffer buffer) {
        if (length < 0) {
            return null;
        }
        if (array != null) {
            return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
        }
        return buffer.asReadOnlyBuffer();
    }

    static int write(byte[] array, int offset, int length, ByteBuffer buffer, ByteBuffer dst, int index) {
        if (array != null) {
            dst.put(index, array, offset, length);
        } else {
            dst.put(index, buffer, 0, length);
        }
        return index + length;
    }

    static int write(byte[] array, int offset, int length, ByteBuffer buffer, byte[] dst, int index) {
        if (array != null) {
            System.arraycopy(array, offset, dst, index, length);
        } else {
            buffer.get(0, dst, index, length);
        }
        return index + length;
    }

    static byte[] copy(byte[] array, int offset, int length, ByteBuffer buffer) {
        if (length < 0) {
            return null;
        }
        if (array != null) {
            return Arrays.copyOfRange(array, offset, offset + length);
        }
        byte[] out = new byte[length];
        buffer.get(0, out);
        return out;
    }

    static String string(byte[] array, int offset, int length, ByteBuffer buffer) {
        if (length < 0) {
            return null;
        }
        if (array != null) {
            return new String(array, offset, length, StandardCharsets.UTF_8);
        }
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    static boolean equal(byte[] a1, int o1, int l1, ByteBuffer b1, byte[] a2, int o2, int l2, ByteBuffer b2) {
        if (l1 != l2) {
            return false;
        }
        if (l1 < 0) {
            return true;
        }
        if (a1 != null && a2 != null) {
            return Arrays.equals(a1, o1, o1 + l1, a2, o2, o2 + l2);
        }
        return view(a1, o1, l1, b1).equals(view(a2, o2, l2, b2));
    }

    static int hash(byte[] array, int offset, int length, ByteBuffer buffer) {
        if (length < 0) {
            return 0;
        }
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + (array != null ? array[offset + i] : buffer.get(i));
        }
        return h;
    }

    /** A short printable preview: ASCII text when it looks like text, else a byte count. */
    static String preview(byte[] array, int offset, int length, ByteBuffer buffer) {
        if (length < 0) {
            return "null";
        }
        int shown = Math.min(length, 32);
        byte[] head = new byte[shown];
        if (array != null) {
            System.arraycopy(array, offset, head, 0, shown);
        } else {
            buffer.get(0, head);
        }
        for (byte c : head) {
            if (c < 0x20 || c >= 0x7F) {
                return length + " bytes";
            }
        }
        String s = new String(head, StandardCharsets.US_ASCII);
        return '"' + s + (length > shown ? "…\" (" + length + " bytes)" : "\"");
    }
}
