package io.rivven.core.record;

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
 * <p>Immutable: key and value are held as read-only views and {@link #key()} / {@link #value()}
 * return independent read-only views (position and limit of their own, the record's bytes between
 * them). The bytes are <em>not copied</em> when a record is made from arrays or buffers, which
 * keeps producing cheap: do not modify them afterwards. Records decoded from a batch are views of
 * the batch's memory and live as long as it does; copy ({@link #valueBytes()}) to keep them longer.
 *
 * <p>The batch writer reads a record through {@link #keySize()}, {@link #writeKeyTo} and their
 * value counterparts, which neither allocate nor move any position.
 *
 * <p>Thread-safe. Equality compares timestamp, key and value bytes and headers.
 */
public final class Record {

    private static final List<Header> NO_HEADERS = List.of();

    private final long timestamp;
    private final ByteBuffer key;
    private final ByteBuffer value;
    private final List<Header> headers;

    private Record(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    /** A record with key and value (either may be null, neither is copied) stamped with the current time. */
    public static Record of(byte[] key, byte[] value) {
        return of(System.currentTimeMillis(), key, value);
    }

    /** A record with key and value in UTF-8 (either may be null), stamped with the current time. */
    public static Record of(String key, String value) {
        return new Record(System.currentTimeMillis(), Bytes.utf8(key), Bytes.utf8(value), NO_HEADERS);
    }

    /** A record with a timestamp, key and value in UTF-8 (either may be null). */
    public static Record of(long timestamp, String key, String value) {
        return new Record(timestamp, Bytes.utf8(key), Bytes.utf8(value), NO_HEADERS);
    }

    /** A record with a timestamp, key and value (either may be null, neither is copied). */
    public static Record of(long timestamp, byte[] key, byte[] value) {
        return new Record(timestamp, Bytes.readOnly(key), Bytes.readOnly(value), NO_HEADERS);
    }

    /** A record whose key and value are the remaining bytes of the given buffers (views, not copies), or null. */
    public static Record of(long timestamp, ByteBuffer key, ByteBuffer value) {
        return new Record(timestamp, Bytes.readOnly(key), Bytes.readOnly(value), NO_HEADERS);
    }

    /** As {@link #of(long, ByteBuffer, ByteBuffer)} with headers (the list is copied, the headers are not). */
    public static Record of(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        return new Record(timestamp, Bytes.readOnly(key), Bytes.readOnly(value), copyHeaders(headers));
    }

    /** A builder; without {@link Builder#timestamp} the record gets the time of {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The timestamp, ms since the epoch (-1 when the producer gave none, as in Kafka). */
    public long timestamp() {
        return timestamp;
    }

    /** A new read-only view of the key, or null when the record has no key. */
    public ByteBuffer key() {
        return Bytes.view(key);
    }

    /** A new read-only view of the value, or null for a tombstone. */
    public ByteBuffer value() {
        return Bytes.view(value);
    }

    /** Whether the record has a key. */
    public boolean hasKey() {
        return key != null;
    }

    /** Whether the record has a value (false for a tombstone). */
    public boolean hasValue() {
        return value != null;
    }

    /** The key's size in bytes, or -1 when there is no key. */
    public int keySize() {
        return Bytes.size(key);
    }

    /** The value's size in bytes, or -1 when there is no value. */
    public int valueSize() {
        return Bytes.size(value);
    }

    /**
     * Copies the key into {@code dst} at {@code index} (absolute: no position moves).
     *
     * @return {@code index + keySize()}
     * @throws NullPointerException if there is no key
     */
    public int writeKeyTo(ByteBuffer dst, int index) {
        return Bytes.write(key, dst, index);
    }

    /**
     * Copies the value into {@code dst} at {@code index} (absolute: no position moves).
     *
     * @return {@code index + valueSize()}
     * @throws NullPointerException if there is no value
     */
    public int writeValueTo(ByteBuffer dst, int index) {
        return Bytes.write(value, dst, index);
    }

    /** A copy of the key, or null. */
    public byte[] keyBytes() {
        return Bytes.copy(key);
    }

    /** A copy of the value, or null. */
    public byte[] valueBytes() {
        return Bytes.copy(value);
    }

    /** The key decoded as UTF-8, or null. */
    public String keyString() {
        return Bytes.string(key);
    }

    /** The value decoded as UTF-8, or null. */
    public String valueString() {
        return Bytes.string(value);
    }

    /** The headers in order (unmodifiable, possibly empty). */
    public List<Header> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && timestamp == r.timestamp && Objects.equals(key, r.key)
                && Objects.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, key, value, headers);
    }

    @Override
    public String toString() {
        return "Record[timestamp=" + timestamp + ", key=" + Bytes.preview(key) + ", value=" + Bytes.preview(value)
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
        private ByteBuffer key;
        private ByteBuffer value;
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
            this.key = Bytes.readOnly(key);
            return this;
        }

        /** The key: {@code key}'s remaining bytes (a view, not a copy), or null for none. */
        public Builder key(ByteBuffer key) {
            this.key = Bytes.readOnly(key);
            return this;
        }

        /** The key in UTF-8, or null for none. */
        public Builder key(String key) {
            this.key = Bytes.utf8(key);
            return this;
        }

        /** The value (not copied), or null for a tombstone. */
        public Builder value(byte[] value) {
            this.value = Bytes.readOnly(value);
            return this;
        }

        /** The value: {@code value}'s remaining bytes (a view, not a copy), or null for a tombstone. */
        public Builder value(ByteBuffer value) {
            this.value = Bytes.readOnly(value);
            return this;
        }

        /** The value in UTF-8, or null for a tombstone. */
        public Builder value(String value) {
            this.value = Bytes.utf8(value);
            return this;
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
            return new Record(ts, key, value, copyHeaders(headers));
        }
    }
}
