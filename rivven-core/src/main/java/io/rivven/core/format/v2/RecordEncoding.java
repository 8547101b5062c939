package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.Varints.sizeOfVarint;
import static io.rivven.core.format.v2.Varints.sizeOfVarlong;

import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One record of a RecordBatch v2 in bytes, as {@link RecordBatchWriter} writes it: the size
 * arithmetic and the writers of its fields.
 *
 * <pre>
 * length          varint   bytes after this field ("body")
 * attributes      int8     0 (unused)
 * timestampDelta  varlong  timestamp - batch base timestamp
 * offsetDelta     varint   offset - batch base offset
 * keyLength       varint   -1 for none
 * key             bytes
 * valueLength     varint   -1 for none
 * value           bytes
 * headerCount     varint
 * headers         per header: keyLength varint, key bytes, valueLength varint (-1: none), value bytes
 * </pre>
 *
 * <p>Memory: the writer encodes into a buffer's backing array when it has an accessible one (a
 * store costs one bounds check there) and with absolute puts otherwise. Each writer here takes both
 * the array {@code b} (null when there is none) and the buffer {@code h}, plus an index into
 * whichever is used (an array index, or a buffer index), and returns the index after what it wrote;
 * the {@code byte[]}-only forms are for the writer's fast path, which has checked that the array
 * exists. Static, as {@link Varints} is, so that they inline into the writer's per-record code with
 * nothing more to load than their arguments.
 *
 * <p>Errors: nothing is checked beyond the array's or buffer's own bounds checks; the caller makes
 * room first, from {@link #bodySize} and {@link #headersSize}. Stateless and thread-safe.
 */
final class RecordEncoding {

    private RecordEncoding() {
    }

    /** The record's body size (the bytes after its length field), as a long so that it cannot overflow. */
    static long bodySize(long timestampDelta, int offsetDelta, int keySize, int valueSize, int headerCount,
            long headersSize) {
        return 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta)
                + sizeOfVarint(keySize) + Math.max(keySize, 0)
                + sizeOfVarint(valueSize) + Math.max(valueSize, 0)
                + sizeOfVarint(headerCount) + headersSize;
    }

    /** The bytes {@code headerCount} headers take after the header count field. */
    static long headersSize(List<Header> headers, int headerCount) {
        long size = 0;
        for (int h = 0; h < headerCount; h++) {
            Header header = headers.get(h);
            int ks = header.keySize();
            int vs = header.valueSize();
            size += sizeOfVarint(ks) + ks + sizeOfVarint(vs) + Math.max(vs, 0);
        }
        return size;
    }

    /**
     * Writes the record's fields up to and including the key length at {@code at} of the array.
     *
     * @return the index where the key goes
     */
    static int putPrefix(byte[] b, int at, int bodySize, long timestampDelta, int offsetDelta, int keySize) {
        int i = Varints.writeVarint(b, at, bodySize);
        b[i++] = 0; // record attributes: unused
        i = Varints.writeVarlong(b, i, timestampDelta);
        i = Varints.writeVarint(b, i, offsetDelta);
        return putLength(b, i, keySize);
    }

    /** {@link #putPrefix(byte[], int, int, long, int, int)} into a buffer without an accessible array. */
    static int putPrefix(ByteBuffer h, int at, int bodySize, long timestampDelta, int offsetDelta, int keySize) {
        int i = Varints.writeVarint(h, at, bodySize);
        h.put(i++, (byte) 0); // record attributes: unused
        i = Varints.writeVarlong(h, i, timestampDelta);
        i = Varints.writeVarint(h, i, offsetDelta);
        return putLength(null, h, i, keySize);
    }

    /**
     * Writes {@code r}'s key, value length, value and headers (count included) from {@code at}, into
     * the array when {@code b} is not null, else into {@code h}.
     *
     * @return the index after the record
     */
    static int putKeyValueHeaders(byte[] b, ByteBuffer h, int at, Record r, List<Header> headers, int headerCount) {
        int i = at;
        if (r.hasKey()) {
            i = b != null ? r.writeKeyTo(b, i) : r.writeKeyTo(h, i);
        }
        i = putLength(b, h, i, r.valueSize());
        if (r.hasValue()) {
            i = b != null ? r.writeValueTo(b, i) : r.writeValueTo(h, i);
        }
        return headerCount == 0 ? putByte(b, h, i, 0) : putHeaders(b, h, i, headers, headerCount);
    }

    private static int putHeaders(byte[] b, ByteBuffer h, int at, List<Header> headers, int headerCount) {
        int i = putVarint(b, h, at, headerCount);
        for (int n = 0; n < headerCount; n++) {
            Header header = headers.get(n);
            i = putVarint(b, h, i, header.keySize());
            i = b != null ? header.writeKeyTo(b, i) : header.writeKeyTo(h, i);
            int vs = header.valueSize();
            i = putLength(b, h, i, vs);
            if (vs >= 0) {
                i = b != null ? header.writeValueTo(b, i) : header.writeValueTo(h, i);
            }
        }
        return i;
    }

    /** Writes a length: {@code size} as a varint, or -1 (null) for any negative size. */
    static int putLength(byte[] b, int i, int size) {
        if (size < 0) {
            b[i] = 1; // zigzag(-1): null
            return i + 1;
        }
        return Varints.writeVarint(b, i, size);
    }

    /** {@link #putLength(byte[], int, int)} into the array, or into {@code h} when {@code b} is null. */
    static int putLength(byte[] b, ByteBuffer h, int i, int size) {
        if (b != null) {
            return putLength(b, i, size);
        }
        if (size < 0) {
            h.put(i, (byte) 1);
            return i + 1;
        }
        return Varints.writeVarint(h, i, size);
    }

    static int putVarint(byte[] b, ByteBuffer h, int i, int value) {
        return b != null ? Varints.writeVarint(b, i, value) : Varints.writeVarint(h, i, value);
    }

    static int putByte(byte[] b, ByteBuffer h, int i, int value) {
        if (b != null) {
            b[i] = (byte) value;
        } else {
            h.put(i, (byte) value);
        }
        return i + 1;
    }

    static int putBytes(byte[] b, ByteBuffer h, int i, byte[] src, int from, int length) {
        if (b != null) {
            System.arraycopy(src, from, b, i, length);
        } else {
            h.put(i, src, from, length);
        }
        return i + length;
    }

    /** Copies {@code length} bytes of {@code src} from its index {@code from} (absolute: its position is unchanged). */
    static int putBytes(byte[] b, ByteBuffer h, int i, ByteBuffer src, int from, int length) {
        if (b != null) {
            src.get(from, b, i, length);
        } else {
            h.put(i, src, from, length);
        }
        return i + length;
    }
}
