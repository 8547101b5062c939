package io.rivven.core.record;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One record header: a non-null string key and a byte value that may be null (Kafka's header
 * model; keys need not be unique within a record).
 *
 * <p>Immutable: the value is held as a read-only view and {@link #value()} hands out independent
 * read-only views. The bytes are <em>not copied</em> when a header is created from an array or a
 * buffer: do not modify them afterwards. Headers decoded from a batch are views of the batch's
 * memory and live as long as that memory does (for compressed batches: until the cursor moves on
 * to another batch or is closed); copy them ({@link #valueBytes()}) to keep them longer.
 *
 * <p>Thread-safe. Equality compares the key and the value's bytes.
 */
public final class Header {

    private final ByteBuffer keyUtf8;
    private final ByteBuffer value;
    private String key; // decoded lazily for headers read from a batch; a benign race

    private Header(String key, ByteBuffer keyUtf8, ByteBuffer value) {
        this.key = key;
        this.keyUtf8 = keyUtf8;
        this.value = value;
    }

    /** A header whose value is {@code value}'s remaining bytes (a view, not a copy), or null. */
    public static Header of(String key, ByteBuffer value) {
        Objects.requireNonNull(key, "header key");
        return new Header(key, Bytes.utf8(key), Bytes.readOnly(value));
    }

    /** A header with {@code value} (not copied), or a null value. */
    public static Header of(String key, byte[] value) {
        Objects.requireNonNull(key, "header key");
        return new Header(key, Bytes.utf8(key), Bytes.readOnly(value));
    }

    /** A header whose value is {@code value} in UTF-8, or null. */
    public static Header of(String key, String value) {
        Objects.requireNonNull(key, "header key");
        return new Header(key, Bytes.utf8(key), Bytes.utf8(value));
    }

    /**
     * A header over already encoded bytes, as a decoder finds them: {@code keyUtf8}'s remaining
     * bytes are the key in UTF-8 (decoded on first use, malformed sequences replaced), {@code value}'s
     * remaining bytes the value (or null). Neither is copied.
     */
    public static Header fromUtf8(ByteBuffer keyUtf8, ByteBuffer value) {
        Objects.requireNonNull(keyUtf8, "header key");
        return new Header(null, keyUtf8.asReadOnlyBuffer(), Bytes.readOnly(value));
    }

    /** The key. */
    public String key() {
        String k = key;
        if (k == null) {
            k = Bytes.string(keyUtf8);
            key = k;
        }
        return k;
    }

    /** The number of bytes of the key in UTF-8. */
    public int keySize() {
        return keyUtf8.remaining();
    }

    /**
     * Copies the key's UTF-8 bytes into {@code dst} at {@code index} (absolute; positions unchanged).
     *
     * @return {@code index + keySize()}
     */
    public int writeKeyTo(ByteBuffer dst, int index) {
        return Bytes.write(keyUtf8, dst, index);
    }

    /** A new read-only view of the value (its remaining bytes), or null. */
    public ByteBuffer value() {
        return Bytes.view(value);
    }

    /** The value's size in bytes, or -1 when it is null. */
    public int valueSize() {
        return Bytes.size(value);
    }

    /**
     * Copies the value into {@code dst} at {@code index} (absolute; positions unchanged).
     *
     * @return {@code index + valueSize()}
     * @throws NullPointerException if the value is null
     */
    public int writeValueTo(ByteBuffer dst, int index) {
        return Bytes.write(value, dst, index);
    }

    /** A copy of the value, or null. */
    public byte[] valueBytes() {
        return Bytes.copy(value);
    }

    /** The value decoded as UTF-8, or null. */
    public String valueString() {
        return Bytes.string(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && keyUtf8.equals(h.keyUtf8) && Objects.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * keyUtf8.hashCode() + Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return key() + "=" + Bytes.preview(value);
    }
}
