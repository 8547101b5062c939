package io.rivven.core.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Helpers shared by {@link Record} and {@link Header} for their read-only byte views. */
final class Bytes {

    private Bytes() {
    }

    /** A read-only view of {@code b}'s remaining bytes (not copied), or null. */
    static ByteBuffer readOnly(ByteBuffer b) {
        return b == null ? null : b.asReadOnlyBuffer();
    }

    /** A read-only view of {@code a} (not copied), or null. */
    static ByteBuffer readOnly(byte[] a) {
        return a == null ? null : ByteBuffer.wrap(a).asReadOnlyBuffer();
    }

    /** UTF-8 bytes of {@code s} as a read-only view, or null. */
    static ByteBuffer utf8(String s) {
        return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    static int size(ByteBuffer b) {
        return b == null ? -1 : b.remaining();
    }

    static ByteBuffer view(ByteBuffer b) {
        return b == null ? null : b.duplicate();
    }

    static int write(ByteBuffer b, ByteBuffer dst, int index) {
        int n = b.remaining();
        dst.put(index, b, b.position(), n);
        return index + n;
    }

    static byte[] copy(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        if (b.hasArray()) {
            return new String(b.array(), b.arrayOffset() + b.position(), b.remaining(), StandardCharsets.UTF_8);
        }
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** A short printable preview: UTF-8 text when it looks like text, else a byte count. */
    static String preview(ByteBuffer b) {
        if (b == null) {
            return "null";
        }
        int n = b.remaining();
        int shown = Math.min(n, 32);
        for (int i = 0; i < shown; i++) {
            int c = b.get(b.position() + i) & 0xFF;
            if (c < 0x20 || c >= 0x7F) {
                return n + " bytes";
            }
        }
        byte[] head = new byte[shown];
        b.get(b.position(), head);
        String s = new String(head, StandardCharsets.US_ASCII);
        return '"' + s + (n > shown ? "…\" (" + n + " bytes)" : "\"");
    }
}
