package io.rivven.core.record;

import io.rivven.api.Evolving;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One record as a producer hands it to the log and a consumer gets it back: an optional key, an
 * optional value (null is a tombstone on compacted topics), headers and a timestamp (ms since the
 * epoch). The offset is not part of the record: the log assigns it, and readers report it next to
 * the record (see {@code io.rivven.core.format.v2.RecordCursor}).
 *
 * <p>Immutable: {@link #key()} and {@link #value()} return new read-only views (position 0, no
 * accessible array), made only when asked for. The bytes are <em>not copied</em> when a record is
 * made from arrays or buffers, which keeps producing cheap: a record made from arrays (by
 * {@code Record.of(timestamp, keyArray, valueArray)}, the {@code String} factories or the builder)
 * holds the arrays themselves and allocates nothing but the record; one made from a heap buffer
 * holds its array, offset and length; only memory without an accessible array (direct or
 * read-only buffers) is held as a buffer slice. Do not modify the bytes afterwards. Records
 * decoded from a batch are views of the batch's memory and live as long as it does; copy
 * ({@link #valueBytes()}) to keep them longer.
 *
 * <p>The batch writer reads a record through {@link #keySize()}, {@link #writeKeyTo(byte[], int)}
 * and their value counterparts, which copy straight from the held array (or buffer) and neither
 * allocate nor move any position.
 *
 * <p>Thread-safe. Equality compares timestamp, key and value bytes and headers.
 */
@Evolving
public final class Record {

    private static final List<Header> NO_HEADERS = List.of();

    private final long timestamp;
    // Each payload is an array region, or a slice for memory without an accessible array; length -1 = null.
    private final byte[] keyArray;
    private final int keyOffset;
    private final int keyLength;
    private final ByteBuffer keyBuffer;
    private final byte[] valueArray;
    private final int valueOffset;
    private final int valueLength;
    private final ByteBuffer valueBuffer;
    private final List<Header> headers;

    private Record(long timestamp, byte[] keyArray, int keyOffset, int keyLength, ByteBuffer keyBuffer,
            byte[] valueArray, int valueOffset, int valueLength, ByteBuffer valueBuffer, List<Header> headers) {
        this.timestamp = timestamp;
        this.keyArray = keyArray;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.keyBuffer = keyBuffer;
        this.valueArray = valueArray;
        this.valueOffset = valueOffset;
        this.valueLength = valueLength;
        this.valueBuffer = valueBuffer;
        this.headers = headers;
    }

    private static Record ofArrays(long timestamp, byte[] key, byte[] value, List<Header> headers) {
        return new Record(timestamp, key, 0, key == null ? -1 : key.length, null,
                value, 0, value == null ? -1 : value.length, null, headers);
    }

    private static Record ofBuffers(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        return new Record(timestamp, Bytes.arrayOf(key), Bytes.offsetOf(key), Bytes.lengthOf(key), Bytes.bufferOf(key),
                Bytes.arrayOf(value), Bytes.offsetOf(value), Bytes.lengthOf(value), Bytes.bufferOf(value), headers);
    }

    /** A record with key and value (either may be null, neither is copied) stamped with the current time. */
    public static Record of(byte[] key, byte[] value) {
        return of(System.currentTimeMillis(), key, value);
    }

    /** A record with key and value in UTF-8 (either may be null), stamped with the current time. */
    public static Record of(String key, String value) {
        return of(System.currentTimeMillis(), key, value);
    }

    /** A record with a timestamp, key and value in UTF-8 (either may be null). */
    public static Record of(long timestamp, String key, String value) {
        return ofArrays(timestamp, Bytes.utf8(key), Bytes.utf8(value), NO_HEADERS);
    }

    /** A record with a timestamp, key and value (either may be null, neither is copied). */
    public static Record of(long timestamp, byte[] key, byte[] value) {
        return ofArrays(timestamp, key, value, NO_HEADERS);
    }

    /** A record whose key and value are the remaining bytes of the given buffers (views, not copies), or null. */
    public static Record of(long timestamp, ByteBuffer key, ByteBuffer value) {
        return ofBuffers(timestamp, key, value, NO_HEADERS);
    }

    /** As {@link #of(long, ByteBuffer, ByteBuffer)} with headers (the list is copied, the headers are not). */
    public static Record of(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        return ofBuffers(timestamp, key, value, copyHeaders(headers));
    }

    /** A builder; without {@link Builder#timestamp} the record gets the time of {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The timestamp, ms since the epoch (-1 when the producer gave none, as in Kafka). */
    public long timestamp() {
        return timestamp;
    }

    /** A new read-only view (position 0) of the key, or null when the record has no key. */
    public ByteBuffer key() {
        return Bytes.view(keyArray, keyOffset, keyLength, keyBuffer);
    }

    /** A new read-only view (position 0) of the value, or null for a tombstone. */
    public ByteBuffer value() {
        return Bytes.view(valueArray, valueOffset, valueLength, valueBuffer);
    }

    /** Whether the record has a key. */
    public boolean hasKey() {
        return keyLength >= 0;
    }

    /** Whether the record has a value (false for a tombstone). */
    public boolean hasValue() {
        return valueLength >= 0;
    }

    /** The key's size in bytes, or -1 when there is no key. */
    public int keySize() {
        return keyLength;
    }

    /** The value's size in bytes, or -1 when there is no value. */
    public int valueSize() {
        return valueLength;
    }

    /**
     * Copies the key into {@code dst} at {@code index} (absolute: no position moves).
     *
     * @return {@code index + keySize()}
     * @throws NullPointerException if there is no key
     */
    public int writeKeyTo(ByteBuffer dst, int index) {
        check(keyLength, "key");
        return Bytes.write(keyArray, keyOffset, keyLength, keyBuffer, dst, index);
    }

    /** As {@link #writeKeyTo(ByteBuffer, int)} into an array. */
    public int writeKeyTo(byte[] dst, int index) {
        check(keyLength, "key");
        return Bytes.write(keyArray, keyOffset, keyLength, keyBuffer, dst, index);
    }

    /**
     * Copies the value into {@code dst} at {@code index} (absolute: no position moves).
     *
     * @return {@code index + valueSize()}
     * @throws NullPointerException if there is no value
     */
    public int writeValueTo(ByteBuffer dst, int index) {
        check(valueLength, "value");
        return Bytes.write(valueArray, valueOffset, valueLength, valueBuffer, dst, index);
    }

    /** As {@link #writeValueTo(ByteBuffer, int)} into an array. */
    public int writeValueTo(byte[] dst, int index) {
        check(valueLength, "value");
        return Bytes.write(valueArray, valueOffset, valueLength, valueBuffer, dst, index);
    }

    private static void check(int length, String what) {
        if (length < 0) {
            throw new NullPointerException("the record has no " + what);
        }
    }

    /** A copy of the key, or null. */
    public byte[] keyBytes() {
        return Bytes.copy(keyArray, keyOffset, keyLength, keyBuffer);
    }

    /** A copy of the value, or null. */
    public byte[] valueBytes() {
        return Bytes.copy(valueArray, valueOffset, valueLength, valueBuffer);
    }

    /** The key decoded as UTF-8, or null. */
    public String keyString() {
        return Bytes.string(keyArray, keyOffset, keyLength, keyBuffer);
    }

    /** The value decoded as UTF-8, or null. */
    public String valueString() {
        return Bytes.string(valueArray, valueOffset, valueLength, valueBuffer);
    }

    /** The headers in order (unmodifiable, possibly empty). */
    public List<Header> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && timestamp == r.timestamp
                && Bytes.equal(keyArray, keyOffset, keyLength, keyBuffer, r.keyArray, r.keyOffset, r.keyLength, r.keyBuffer)
                && Bytes.equal(valueArray, valueOffset, valueLength, valueBuffer,
                        r.valueArray, r.valueOffset, r.valueLength, r.valueBuffer)
                && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(timestamp);
        h = 31 * h + Bytes.hash(keyArray, keyOffset, keyLength, keyBuffer);
        h = 31 * h + Bytes.hash(valueArray, valueOffset, valueLength, valueBuffer);
        return 31 * h + headers.hashCode();
    }

    @Override
    public String toString() {
        return "Record[timestamp=" + timestamp + ", key=" + Bytes.preview(keyArray, keyOffset, keyLength, keyBuffer)
                + ", value=" + Bytes.preview(valueArray, valueOffset, valueLength, valueBuffer)
                + (headers.isEmpty() ? "" : ", headers=" + headers) + "]";
    }

    private static List<Header> copyHeaders(Collection<Header> headers) {
        if (headers == null || headers.isEmpty()) {
            return NO_HEADERS;
        }
        return List.copyOf(headers); // rejects null elements
    }

    /**
     * Builds a {@link Record}. Not thread-safe; reusable (each {@link #build()} makes an independent
     * record; the header list is copied).
     */
    public static final class Builder {
        private long timestamp;
        private boolean timestampSet;
        // key and value as the record holds them (see Bytes): array region or buffer slice; length -1 = null
        private byte[] keyArray;
        private int keyOffset;
        private int keyLength = -1;
        private ByteBuffer keyBuffer;
        private byte[] valueArray;
        private int valueOffset;
        private int valueLength = -1;
        private ByteBuffer valueBuffer;
        private final List<Header> headers = new ArrayList<>(0);

        private Builder() {
        }

        /** The timestamp in ms since the epoch; default: the time of {@link #build()}. */
        public Builder timestamp(long timestamp) {
            this.timestamp = timestamp;
            this.timestampSet = true;
            return this;
        }

        /** The key (not copied), or null for none. */
        public Builder key(byte[] key) {
            keyArray = key;
            keyOffset = 0;
            keyLength = key == null ? -1 : key.length;
            keyBuffer = null;
            return this;
        }

        /** The key: {@code key}'s remaining bytes as they are now (a view, not a copy), or null for none. */
        public Builder key(ByteBuffer key) {
            keyArray = Bytes.arrayOf(key);
            keyOffset = Bytes.offsetOf(key);
            keyLength = Bytes.lengthOf(key);
            keyBuffer = Bytes.bufferOf(key);
            return this;
        }

        /** The key in UTF-8, or null for none. */
        public Builder key(String key) {
            return key(Bytes.utf8(key));
        }

        /** The value (not copied), or null for a tombstone. */
        public Builder value(byte[] value) {
            valueArray = value;
            valueOffset = 0;
            valueLength = value == null ? -1 : value.length;
            valueBuffer = null;
            return this;
        }

        /** The value: {@code value}'s remaining bytes as they are now (a view, not a copy), or null for a tombstone. */
        public Builder value(ByteBuffer value) {
            valueArray = Bytes.arrayOf(value);
            valueOffset = Bytes.offsetOf(value);
            valueLength = Bytes.lengthOf(value);
            valueBuffer = Bytes.bufferOf(value);
            return this;
        }

        /** The value in UTF-8, or null for a tombstone. */
        public Builder value(String value) {
            return value(Bytes.utf8(value));
        }

        /** Adds a header. */
        public Builder header(Header header) {
            headers.add(Objects.requireNonNull(header, "header"));
            return this;
        }

        /** Adds a header with a byte value (not copied; may be null). */
        public Builder header(String key, byte[] value) {
            return header(Header.of(key, value));
        }

        /** Adds a header with a UTF-8 value (may be null). */
        public Builder header(String key, String value) {
            return header(Header.of(key, value));
        }

        /** Adds headers, in order. */
        public Builder headers(Collection<Header> headers) {
            for (Header h : headers) {
                header(h);
            }
            return this;
        }

        public Record build() {
            long ts = timestampSet ? timestamp : System.currentTimeMillis();
            return new Record(ts, keyArray, keyOffset, keyLength, keyBuffer, valueArray, valueOffset, valueLength,
                    valueBuffer, copyHeaders(headers));
        }
    }
}
