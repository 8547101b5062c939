package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Evolving;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decodes the records of one batch, one at a time, without allocating per record: after
 * {@link #next()} the accessors describe the current record; {@link #key()}, {@link #value()},
 * {@link #headers()} and {@link #toRecord()} allocate only the views they return.
 *
 * <pre>{@code
 * try (RecordCursor c = batch.records(codecs, allocator)) {
 *     while (c.next()) {
 *         use(c.offset(), c.timestamp(), c.key(), c.value());
 *     }
 * }
 * }</pre>
 *
 * <p>Zero copy: for an uncompressed batch, keys, values and header values are slices of the
 * batch's own buffer. A compressed batch is decompressed once, in {@link #reset}, through the
 * {@link Codec} its codec id resolves to, into a buffer from the {@link BufferAllocator}; views then
 * point into that buffer and stay valid until the next {@link #reset} or {@link #close()}.
 *
 * <p>Validation: every length is checked against the bytes left in its record and every record's
 * length against the bytes left in the batch; offset deltas must increase and stay within
 * {@code lastOffsetDelta}; exactly {@code recordCount} records must fill the records section,
 * except in a batch of {@code recordCount} 0, which is empty whatever its records section holds
 * (as Kafka's {@code DefaultRecordBatch} reads it: not decompressed, not parsed, its codec not
 * resolved; the cleaner's empty batches have no records section at all). Any
 * violation throws {@link CorruptRecordException} naming the batch position, the record index, the
 * field and its position; garbage never causes an {@link IndexOutOfBoundsException} or an endless
 * loop (each record consumes at least 7 bytes). The CRC is not checked here: call
 * {@link RecordBatch#ensureValid} first (the {@link RecordBatchReader} does).
 *
 * <p>Bounded: a codec may ask the allocator for at most {@link #DEFAULT_MAX_DECOMPRESSED_BYTES}
 * (or the limit given to the constructor) while decompressing a batch; a batch that needs more
 * (a small batch crafted to expand to gigabytes) fails with {@link CorruptRecordException} naming
 * its position before anything that large is allocated.
 *
 * <p>Timestamps: {@link #timestamp()} is {@code baseTimestamp + timestampDelta}, or the batch's max
 * timestamp for {@link TimestampType#LOG_APPEND_TIME} batches, whatever it is (-1 included), as
 * Kafka reports them.
 *
 * <p>Not thread-safe. Reusable: {@link #reset} it on the next batch; {@link #close()} releases the
 * decompression buffer and the cursor may still be reset afterwards.
 */
@Evolving
public final class RecordCursor implements AutoCloseable {

    /** The default of {@link #RecordCursor(CodecResolver, BufferAllocator, int)}: 256 MiB. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 256 << 20;

    private final CodecResolver codecs;
    /** Decompresses into a buffer from the allocator, refusing buffers beyond the limit; owns that buffer. */
    private final BoundedDecompressor decompressor;

    // the batch
    private long batchPosition;
    private long baseOffset;
    private long baseTimestamp;
    private boolean logAppend;      // LOG_APPEND_TIME: every record has the batch's max timestamp
    private long logAppendTime;
    private int lastOffsetDelta;
    private int recordCount;
    private boolean compressed;
    private String codecName;

    // the records section: batch buffer (uncompressed) or decompressed buffer
    private ByteBuffer buf;
    private int start;              // first record byte in buf
    private int pos;
    private int end;

    // the current record
    private int index = -1;
    private int recordStart;
    private int offsetDelta;
    private long timestampDelta;
    private byte attributes;
    private int keyIndex;
    private int keySize;
    private int valueIndex;
    private int valueSize;
    private int headerCount;
    private int[] headerFields = new int[16]; // per header: key index, key size, value index, value size
    private boolean finished = true;

    /** The most headers one record may have here: 4 int slots each must fit in one Java array. */
    static final int MAX_HEADERS = (Integer.MAX_VALUE - 8) / 4;

    /**
     * @param codecs    resolves the codec of compressed batches (never asked for id 0)
     * @param allocator where decompressed records go; the cursor releases the buffer on the next
     *                  {@link #reset} or {@link #close()}
     */
    public RecordCursor(CodecResolver codecs, BufferAllocator allocator) {
        this(codecs, allocator, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * @param maxDecompressedBytes the largest buffer a codec may ask {@code allocator} for while
     *                             decompressing one batch; a batch that needs more fails with a
     *                             {@link CorruptRecordException} before anything that large is
     *                             allocated (a "decompression bomb": a small batch that expands to
     *                             gigabytes). Codecs that grow their output by doubling may stop
     *                             at about half of it.
     */
    public RecordCursor(CodecResolver codecs, BufferAllocator allocator, int maxDecompressedBytes) {
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        Objects.requireNonNull(allocator, "allocator");
        if (maxDecompressedBytes < 1) {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive, got " + maxDecompressedBytes);
        }
        this.decompressor = new BoundedDecompressor(allocator, maxDecompressedBytes);
    }

    /**
     * Starts on {@code batch}'s records: reads its header (the cursor does not keep the flyweight, so
     * it may be re-wrapped), checks its bounds and magic, and decompresses it when compressed and
     * its {@code recordCount} is not 0.
     *
     * @return this
     * @throws CorruptRecordException if the bounds or magic are wrong, the codec id is unknown or the
     *         records do not decompress
     */
    public RecordCursor reset(RecordBatch batch) {
        releaseDecompressed();
        finished = true;
        index = -1;
        recordCount = 0;
        batch.checkBounds(Integer.MAX_VALUE);
        batchPosition = batch.position();
        baseOffset = batch.baseOffset();
        baseTimestamp = batch.baseTimestamp();
        // A flag, not a sentinel: a log-append-time batch whose max timestamp is -1 (Kafka's builder
        // writes one when given no append time) gives -1 for every record in Kafka, and here.
        logAppend = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
        logAppendTime = batch.maxTimestamp();
        lastOffsetDelta = batch.lastOffsetDelta();
        int count = batch.recordCount(); // published last: a failed reset leaves an empty cursor
        if (count < 0) {
            throw batch.corrupt("recordCount", "has recordCount " + count + ", expected at least 0");
        }
        byte codecId = batch.codecId();
        int from = batch.offset() + HEADER_LENGTH;
        int to = batch.offset() + batch.sizeInBytes();
        compressed = codecId != 0;
        if (count == 0) {
            // As Kafka's DefaultRecordBatch: a batch of no records has nothing to read, so its records
            // section is not looked at (not decompressed, its codec not even resolved), whatever it
            // holds. The CRC (RecordBatch.ensureValid) still covers those bytes; the engine refuses
            // such a batch at append (PartitionLog.appendBatch), as Kafka's LogValidator does.
            buf = batch.buffer();
            start = from;
            end = from;
            codecName = null;
        } else if (!compressed) {
            buf = batch.buffer();
            start = from;
            end = to;
            codecName = null;
        } else {
            Codec codec = batch.codec(codecs);
            codecName = codec.name();
            ByteBuffer decompressed = decompressor.decompress(codec, batch.buffer().slice(from, to - from),
                    batchPosition, codecId);
            buf = decompressed;
            start = decompressed.position();
            end = decompressed.limit();
        }
        pos = start;
        if ((long) count * RecordBatchLayout.MIN_RECORD_SIZE > end - start) {
            throw batch.corrupt("recordCount", "has recordCount " + count + " but its " + where()
                    + " records section of " + (end - start) + " bytes holds at most "
                    + (end - start) / RecordBatchLayout.MIN_RECORD_SIZE + " records");
        }
        offsetDelta = -1;
        recordCount = count;
        finished = false;
        return this;
    }

    /**
     * Moves to the next record.
     *
     * @return false when all {@code recordCount} records were read (the records section must end
     *         exactly there)
     * @throws CorruptRecordException if the record is malformed
     */
    public boolean next() {
        // Kept small so that it inlines into the caller's loop: failures are built in cold methods.
        if (index + 1 >= recordCount) {
            return finish();
        }
        index++;
        recordStart = pos;
        int length = readVarint(end, "length");
        if (length < RecordBatchLayout.MIN_RECORD_BODY_SIZE || length > end - pos) {
            throw badSize("length", length, RecordBatchLayout.MIN_RECORD_BODY_SIZE, end - pos, " (the bytes left in the batch)");
        }
        int bodyEnd = pos + length;
        attributes = buf.get(pos++);
        timestampDelta = readVarlong(bodyEnd, "timestampDelta");
        int previousDelta = offsetDelta;
        offsetDelta = readVarint(bodyEnd, "offsetDelta");
        if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta) {
            throw badOffsetDelta(previousDelta);
        }
        keySize = readVarint(bodyEnd, "keyLength");
        if (keySize < -1 || keySize > bodyEnd - pos) {
            throw badSize("keyLength", keySize, -1, bodyEnd - pos, " (the bytes left in the record)");
        }
        keyIndex = pos;
        pos += Math.max(keySize, 0);
        valueSize = readVarint(bodyEnd, "valueLength");
        if (valueSize < -1 || valueSize > bodyEnd - pos) {
            throw badSize("valueLength", valueSize, -1, bodyEnd - pos, " (the bytes left in the record)");
        }
        valueIndex = pos;
        pos += Math.max(valueSize, 0);
        headerCount = readVarint(bodyEnd, "headerCount");
        if (headerCount != 0) {
            readHeaders(bodyEnd);
        }
        if (pos != bodyEnd) {
            throw corruptRecord("length", "is " + length + " but its fields end after " + (pos - (bodyEnd - length)) + " bytes");
        }
        return true;
    }

    /** After the last record: checks that the records section ends there, once. */
    private boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        if (pos != end) {
            throw corruptBatch("records", "has " + (end - pos) + " bytes after its last (" + recordCount
                    + "th) record, expected none (recordCount " + recordCount + " disagrees with the "
                    + where() + " records section)");
        }
        return false;
    }

    private void readHeaders(int bodyEnd) {
        if (headerCount < 0 || headerCount > (bodyEnd - pos) / 2) {
            throw corruptRecord("headerCount", "is " + headerCount + ", expected 0 to " + (bodyEnd - pos) / 2
                    + " (each header takes at least 2 of the " + (bodyEnd - pos) + " bytes left in the record)");
        }
        // The check above bounds headerCount by half the record's bytes, up to 2^30 in a record of
        // 2 GiB, so headerCount * 4 int slots could overflow int: past MAX_HEADERS (a record over 1 GiB)
        // the record is refused before any arithmetic on it; below, every index (j < 4 * headerCount)
        // and the new length fit in an int.
        if (headerCount > MAX_HEADERS) {
            throw corruptRecord("headerCount", "is " + headerCount + ", expected at most " + MAX_HEADERS
                    + " (the most headers this reader indexes in one record)");
        }
        int[] f = headerFields;
        int slots = headerCount * 4;
        if (f.length < slots) {
            f = headerFields = Arrays.copyOf(f, (int) Math.min(MAX_HEADERS * 4L, Math.max(slots, 2L * f.length)));
        }
        for (int h = 0, j = 0; h < headerCount; h++, j += 4) {
            int ks = readVarint(bodyEnd, "headers.keyLength");
            if (ks < 0 || ks > bodyEnd - pos) {
                throw corruptRecord("headers[" + h + "].keyLength", "is " + ks + ", expected 0 to " + (bodyEnd - pos)
                        + " (a header key is never null)");
            }
            f[j] = pos;
            f[j + 1] = ks;
            pos += ks;
            int vs = readVarint(bodyEnd, "headers.valueLength");
            if (vs < -1 || vs > bodyEnd - pos) {
                throw corruptRecord("headers[" + h + "].valueLength", "is " + vs + ", expected -1 to " + (bodyEnd - pos)
                        + " (the bytes left in the record)");
            }
            f[j + 2] = pos;
            f[j + 3] = vs;
            pos += Math.max(vs, 0);
        }
    }

    private int readVarint(int limit, String field) {
        int p = pos;
        if (p < limit) { // one or two bytes (up to ±8191): lengths, deltas and counts, unrolled
            ByteBuffer b = buf;
            int v = b.get(p);
            if (v >= 0) {
                pos = p + 1;
                return (v >>> 1) ^ -(v & 1);
            }
            int second = p + 1 < limit ? b.get(p + 1) : -1;
            if (second >= 0) {
                v = (v & 0x7F) | (second << 7);
                pos = p + 2;
                return (v >>> 1) ^ -(v & 1);
            }
        }
        return readVarintSlow(limit, field);
    }

    private int readVarintSlow(int limit, String field) {
        ByteBuffer b = buf;
        int p = pos;
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (p >= limit) {
                throw cutShort(field, p);
            }
            int x = b.get(p++);
            value |= (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return Varints.unzigzag(value);
            }
        }
        throw corruptRecord(field, "is a varint longer than " + Varints.MAX_VARINT_LENGTH + " bytes");
    }

    private long readVarlong(int limit, String field) {
        int p = pos;
        if (p < limit) {
            int first = buf.get(p);
            if (first >= 0) { // one byte: a timestamp delta within ±63 ms
                pos = p + 1;
                return (first >>> 1) ^ -(first & 1);
            }
        }
        return readVarlongSlow(limit, field);
    }

    private long readVarlongSlow(int limit, String field) {
        ByteBuffer b = buf;
        int p = pos;
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (p >= limit) {
                throw cutShort(field, p);
            }
            int x = b.get(p++);
            value |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return Varints.unzigzag(value);
            }
        }
        throw corruptRecord(field, "is a varlong longer than " + Varints.MAX_VARLONG_LENGTH + " bytes");
    }

    private CorruptRecordException cutShort(String field, int p) {
        return corruptRecord(field, "runs past the end of the record at byte " + (p - recordStart) + " (a varint cut short)");
    }

    private CorruptRecordException badSize(String field, int actual, int min, int max, String why) {
        return corruptRecord(field, "is " + actual + ", expected " + min + " to " + max + why);
    }

    private CorruptRecordException badOffsetDelta(int previousDelta) {
        return corruptRecord("offsetDelta", "is " + offsetDelta + ", expected " + (previousDelta + 1L)
                + " to lastOffsetDelta " + lastOffsetDelta + " (offsets increase within the batch)");
    }

    // ---- the current record -----------------------------------------------------------------

    /** The index of the current record in the batch, from 0. */
    public int index() {
        return index;
    }

    /** The current record's offset: base offset + offset delta. */
    public long offset() {
        return baseOffset + offsetDelta;
    }

    public int offsetDelta() {
        return offsetDelta;
    }

    /** The current record's timestamp (see the class comment for log-append-time batches). */
    public long timestamp() {
        return logAppend ? logAppendTime : baseTimestamp + timestampDelta;
    }

    public long timestampDelta() {
        return timestampDelta;
    }

    /** The record attributes byte (unused by Kafka, 0). */
    public byte attributes() {
        return attributes;
    }

    public boolean hasKey() {
        return keySize >= 0;
    }

    /** The key's size, or -1 for none. */
    public int keySize() {
        return keySize;
    }

    /** The key's index in {@link #buffer()} (meaningless without a key). */
    public int keyIndex() {
        return keyIndex;
    }

    /** A slice of the key (shares memory, position 0), or null. */
    public ByteBuffer key() {
        return keySize < 0 ? null : buf.slice(keyIndex, keySize);
    }

    public boolean hasValue() {
        return valueSize >= 0;
    }

    /** The value's size, or -1 for none (a tombstone). */
    public int valueSize() {
        return valueSize;
    }

    /** The value's index in {@link #buffer()} (meaningless without a value). */
    public int valueIndex() {
        return valueIndex;
    }

    /** A slice of the value (shares memory, position 0), or null. */
    public ByteBuffer value() {
        return valueSize < 0 ? null : buf.slice(valueIndex, valueSize);
    }

    public int headerCount() {
        return headerCount;
    }

    /** Header {@code i} of the current record: views of the record's bytes. */
    public Header header(int i) {
        Objects.checkIndex(i, headerCount);
        int j = i * 4;
        int[] f = headerFields;
        ByteBuffer v = f[j + 3] < 0 ? null : buf.slice(f[j + 2], f[j + 3]);
        return Header.fromUtf8(buf.slice(f[j], f[j + 1]), v);
    }

    /** The current record's headers (views), in order. */
    public List<Header> headers() {
        if (headerCount == 0) {
            return List.of();
        }
        List<Header> list = new ArrayList<>(headerCount);
        for (int i = 0; i < headerCount; i++) {
            list.add(header(i));
        }
        return list;
    }

    /** The current record as a {@link Record} of views (no payload copied). */
    public Record toRecord() {
        return Record.of(timestamp(), key(), value(), headers());
    }

    /**
     * The buffer the current batch's records are read from: the batch's own buffer, or the
     * decompressed one. With {@link #keyIndex()} and {@link #valueIndex()} it allows absolute reads
     * without creating slices. Do not modify it.
     */
    public ByteBuffer buffer() {
        return buf;
    }

    /** Whether the current batch was compressed (records come from a decompressed copy). */
    public boolean isCompressed() {
        return compressed;
    }

    /** Gives the decompression buffer back to the allocator and ends the iteration. Idempotent. */
    @Override
    public void close() {
        releaseDecompressed();
        finished = true;
        recordCount = 0;
        index = -1;
    }

    private void releaseDecompressed() {
        if (decompressor.hasBuffer()) {
            buf = null;
            decompressor.releaseBuffer();
        }
    }

    private String where() {
        return compressed ? "decompressed" : "uncompressed";
    }

    private CorruptRecordException corruptBatch(String field, String problem) {
        endIteration();
        return new CorruptRecordException(batchPosition, field, "batch at position " + batchPosition + " " + problem);
    }

    /** After corruption the cursor is at its end: {@link #next()} returns false until the next reset. */
    private void endIteration() {
        finished = true;
        recordCount = 0;
    }

    private CorruptRecordException corruptRecord(String field, String problem) {
        endIteration();
        String at = compressed
                ? "byte " + (recordStart - start) + " of the decompressed records (codec '" + codecName + "')"
                : "position " + (batchPosition + HEADER_LENGTH + (recordStart - start));
        return new CorruptRecordException(batchPosition, "records[" + index + "]." + field, "batch at position "
                + batchPosition + ", record " + index + " (at " + at + "): " + field + " " + problem);
    }
}
