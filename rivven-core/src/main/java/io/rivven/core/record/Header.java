package io.rivven.core.record;

import io.rivven.api.Evolving;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a non-null string key and a byte value that may be null (Kafka's header
 * model; keys need not be unique within a record).
 *
 * <p>Immutable: {@link #value()} hands out independent read-only views. The value's bytes are
 * <em>not copied</em> when a header is created from an array or a buffer: do not modify them
 * afterwards. Headers decoded from a batch are views of the batch's memory and live as long as that
 * memory does (for compressed batches: until the cursor moves on to another batch or is closed);
 * copy them ({@link #valueBytes()}) to keep them longer.
 *
 * <p>Thread-safe. Equality compares the key and the value's bytes.
 */
@Evolving
public final class Header {

    private final byte[] keyUtf8;
    private final int keyOffset;
    private final int keyLength;
    private String key; // decoded lazily for headers read from a batch; a benign race

    private final byte[] valueArray;
    private final int valueOffset;
    private final int valueLength;
    private final ByteBuffer valueBuffer;

    private Header(String key, byte[] keyUtf8, int keyOffset, int keyLength, byte[] valueArray, int valueOffset,
            int valueLength, ByteBuffer valueBuffer) {
        this.key = key;
        this.keyUtf8 = keyUtf8;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.valueArray = valueArray;
        this.valueOffset = valueOffset;
        this.valueLength = valueLength;
        this.valueBuffer = valueBuffer;
    }

    /** A header whose value is {@code value}'s remaining bytes (a view, not a copy), or null. */
    public static Header of(String key, ByteBuffer value) {
        byte[] k = Bytes.utf8(Objects.requireNonNull(key, "header key"));
        return new Header(key, k, 0, k.length, Bytes.arrayOf(value), Bytes.offsetOf(value), Bytes.lengthOf(value),
                Bytes.bufferOf(value));
    }

    /** A header with {@code value} (not copied), or a null value. */
    public static Header of(String key, byte[] value) {
        byte[] k = Bytes.utf8(Objects.requireNonNull(key, "header key"));
        return new Header(key, k, 0, k.length, value, 0, value == null ? -1 : value.length, null);
    }

    /** A header whose value is {@code value} in UTF-8, or null. */
    public static Header of(String key, String value) {
        return of(key, Bytes.utf8(value));
    }

    /**
     * A header over already encoded bytes, as a decoder finds them: {@code keyUtf8}'s remaining
     * bytes are the key in UTF-8 (decoded on first use, malformed sequences replaced), {@code value}'s
     * remaining bytes the value (or null). Neither is copied, except a key without an accessible array.
     */
    public static Header fromUtf8(ByteBuffer keyUtf8, ByteBuffer value) {
        Objects.requireNonNull(keyUtf8, "header key");
        byte[] k;
        int ko;
        if (keyUtf8.hasArray()) {
            k = keyUtf8.array();
            ko = keyUtf8.arrayOffset() + keyUtf8.position();
        } else {
            k = new byte[keyUtf8.remaining()];
            keyUtf8.get(keyUtf8.position(), k);
            ko = 0;
        }
        return new Header(null, k, ko, keyUtf8.remaining(), Bytes.arrayOf(value), Bytes.offsetOf(value),
                Bytes.lengthOf(value), Bytes.bufferOf(value));
    }

    /** The key. */
    public String key() {
        String k = key;
        if (k == null) {
            k = new String(keyUtf8, keyOffset, keyLength, StandardCharsets.UTF_8);
            key = k;
        }
        return k;
    }

    /** The number of bytes of the key in UTF-8. */
    public int keySize() {
        return keyLength;
    }

    /**
     * Copies the key's UTF-8 bytes into {@code dst} at {@code index} (absolute; positions unchanged).
     *
     * @return {@code index + keySize()}
     */
    public int writeKeyTo(ByteBuffer dst, int index) {
        dst.put(index, keyUtf8, keyOffset, keyLength);
        return index + keyLength;
    }

    /** Copies the key's UTF-8 bytes into {@code dst} at {@code index}; returns {@code index + keySize()}. */
    public int writeKeyTo(byte[] dst, int index) {
        System.arraycopy(keyUtf8, keyOffset, dst, index, keyLength);
        return index + keyLength;
    }

    /** A new read-only view (position 0) of the value, or null. */
    public ByteBuffer value() {
        return Bytes.view(valueArray, valueOffset, valueLength, valueBuffer);
    }

    /** The value's size in bytes, or -1 when it is null. */
    public int valueSize() {
        return valueLength;
    }

    /**
     * Copies the value into {@code dst} at {@code index} (absolute; positions unchanged).
     *
     * @return {@code index + valueSize()}
     * @throws NullPointerException if the value is null
     */
    public int writeValueTo(ByteBuffer dst, int index) {
        checkValue();
        return Bytes.write(valueArray, valueOffset, valueLength, valueBuffer, dst, index);
    }

    /** As {@link #writeValueTo(ByteBuffer, int)} into an array. */
    public int writeValueTo(byte[] dst, int index) {
        checkValue();
        return Bytes.write(valueArray, valueOffset, valueLength, valueBuffer, dst, index);
    }

    private void checkValue() {
        if (valueLength < 0) {
            throw new NullPointerException("header '" + key() + "' has a null value");
        }
    }

    /** A copy of the value, or null. */
    public byte[] valueBytes() {
        return Bytes.copy(valueArray, valueOffset, valueLength, valueBuffer);
    }

    /** The value decoded as UTF-8, or null. */
    public String valueString() {
        return Bytes.string(valueArray, valueOffset, valueLength, valueBuffer);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h
                && Arrays.equals(keyUtf8, keyOffset, keyOffset + keyLength, h.keyUtf8, h.keyOffset, h.keyOffset + h.keyLength)
                && Bytes.equal(valueArray, valueOffset, valueLength, valueBuffer, h.valueArray, h.valueOffset, h.valueLength,
                        h.valueBuffer);
    }

    @Override
    public int hashCode() {
        return 31 * Bytes.hash(keyUtf8, keyOffset, keyLength, null) + Bytes.hash(valueArray, valueOffset, valueLength, valueBuffer);
    }

    @Override
    public String toString() {
        return key() + "=" + Bytes.preview(valueArray, valueOffset, valueLength, valueBuffer);
    }
}
