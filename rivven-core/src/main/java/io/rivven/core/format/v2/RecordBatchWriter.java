package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;
import static io.rivven.core.format.v2.Varints.sizeOfVarint;
import static io.rivven.core.format.v2.Varints.sizeOfVarlong;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Evolving;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Encodes records into one Kafka RecordBatch v2 ({@link RecordBatchLayout}); reusable for batch
 * after batch.
 *
 * <pre>{@code
 * RecordBatchWriter w = new RecordBatchWriter();          // heap buffers, grown as needed
 * w.reset(0, lz4);                                        // base offset, codec (null = none)
 * for (Record r : records) w.append(r);
 * ByteBuffer batch = w.build();                           // exactly one batch, position 0
 * }</pre>
 *
 * <p>Defaults after {@link #reset}: create-time timestamps, producer id/epoch/base sequence and
 * partition leader epoch -1, not transactional, not a control batch, no delete horizon. Header
 * setters may be called any time before {@link #build()}; {@link #deleteHorizonMs} only before the
 * first record. Offsets: {@link #append} gives the next offset (base offset, then +1 each);
 * {@link #appendWithOffset} allows gaps (as a compacted batch has) but offsets must increase.
 * The base timestamp is the first record's timestamp; deltas may be negative.
 *
 * <p>How it is fast: records are encoded straight into the output buffer's backing array (heap
 * buffers from the {@link BufferAllocator}, kept and grown across batches), each record's size
 * computed arithmetically before it is written (no second pass, no temporary), varints written by
 * hand into the array (one bounds check per byte), payloads copied once with
 * {@link System#arraycopy}, nothing allocated per record. With a codec, or when the allocator gives
 * direct buffers, records are encoded into a reusable heap scratch array instead; the codec then
 * compresses it after the 61-byte header ({@link Codec#compress}), or it is copied there once. The
 * CRC-32C is computed once, last.
 *
 * <p>The buffer returned by {@link #build()} is a view of the writer's memory: valid until the next
 * {@link #reset} (copy it, or write it out, before). Not thread-safe: one writer per thread.
 * {@link #close()} gives the buffers back to the allocator.
 */
@Evolving
public final class RecordBatchWriter implements AutoCloseable {

    /** Initial buffer size when none is given: 16 KiB. */
    public static final int DEFAULT_INITIAL_CAPACITY = 16 * 1024;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;

    private final BufferAllocator allocator;
    private final CRC32C crc = new CRC32C();

    private ByteBuffer out;          // the batch: header at 0, then records or the compressed stream
    private ByteBuffer outView;      // reusable view of out for the codec and the CRC
    private byte[] scratch = new byte[0]; // records, when not encoded in out's array
    private ByteBuffer scratchView;  // reusable wrapper of scratch for the codec
    private byte[] records;          // where records are encoded: out's array or scratch
    private int recordsStart;        // index of the first record byte in records
    private int recordsLimit;        // end of the usable part of records (out's array may be shared, pooled)
    private int pos;                 // next write index in records

    private long baseOffset;
    private Codec codec;             // null = none
    private TimestampType timestampType;
    private long logAppendTime;
    private int partitionLeaderEpoch;
    private long producerId;
    private short producerEpoch;
    private int baseSequence;
    private boolean transactional;
    private boolean control;
    private boolean hasDeleteHorizon;

    private long baseTimestamp;
    private long maxTimestamp;
    private int count;
    private int lastOffsetDelta;
    private int builtSize;           // > 0 once built
    private boolean closed;

    /** A writer over heap buffers starting at {@link #DEFAULT_INITIAL_CAPACITY}. */
    public RecordBatchWriter() {
        this(BufferAllocator.HEAP, DEFAULT_INITIAL_CAPACITY);
    }

    /**
     * A writer whose buffers come from {@code allocator} (heap or direct, pooled or not), starting at
     * {@code initialCapacity} bytes and doubled as needed.
     */
    public RecordBatchWriter(BufferAllocator allocator, int initialCapacity) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        setOut(allocator.allocate(Math.max(initialCapacity, HEADER_LENGTH + 64)));
        reset(0, null);
    }

    /** Starts a new uncompressed batch; see {@link #reset(long, Codec)}. */
    public RecordBatchWriter reset(long baseOffset) {
        return reset(baseOffset, null);
    }

    /**
     * Starts a new batch, discarding what was appended or built before (a buffer returned by
     * {@link #build()} becomes invalid). Header fields go back to their defaults.
     *
     * @param codec the codec for the records section; null or id 0 means uncompressed
     */
    public RecordBatchWriter reset(long baseOffset, Codec codec) {
        checkNotClosed();
        if (codec != null && (codec.id() < 0 || codec.id() > CodecProvider.MAX_ID)) {
            throw new IllegalArgumentException("codec '" + codec.name() + "' has id " + codec.id()
                    + ", which does not fit attribute bits 0-2 (0-" + CodecProvider.MAX_ID + ")");
        }
        this.codec = codec == null || codec.id() == CodecProvider.NONE ? null : codec;
        if (this.codec == null && out.hasArray()) {
            records = out.array();
            recordsStart = out.arrayOffset() + HEADER_LENGTH;
            recordsLimit = out.arrayOffset() + out.capacity();
        } else {
            if (scratch.length == 0) {
                scratch = new byte[Math.max(out.capacity(), 1024)];
            }
            records = scratch;
            recordsStart = 0;
            recordsLimit = scratch.length;
        }
        pos = recordsStart;
        this.baseOffset = baseOffset;
        timestampType = TimestampType.CREATE_TIME;
        logAppendTime = RecordBatchLayout.NO_TIMESTAMP;
        partitionLeaderEpoch = RecordBatchLayout.NO_PARTITION_LEADER_EPOCH;
        producerId = RecordBatchLayout.NO_PRODUCER_ID;
        producerEpoch = RecordBatchLayout.NO_PRODUCER_EPOCH;
        baseSequence = RecordBatchLayout.NO_SEQUENCE;
        transactional = false;
        control = false;
        hasDeleteHorizon = false;
        baseTimestamp = RecordBatchLayout.NO_TIMESTAMP;
        maxTimestamp = RecordBatchLayout.NO_TIMESTAMP;
        count = 0;
        lastOffsetDelta = -1;
        builtSize = 0;
        return this;
    }

    /** Sets the base offset (may change until {@link #build()}; record offsets move with it). */
    public RecordBatchWriter baseOffset(long baseOffset) {
        checkOpen();
        this.baseOffset = baseOffset;
        return this;
    }

    /** Sets the timestamp type; for {@link TimestampType#LOG_APPEND_TIME} prefer {@link #logAppendTime}. */
    public RecordBatchWriter timestampType(TimestampType type) {
        checkOpen();
        this.timestampType = Objects.requireNonNull(type, "timestampType");
        return this;
    }

    /**
     * Marks the batch as stamped by the log at {@code appendTime}: timestamp type
     * {@link TimestampType#LOG_APPEND_TIME} and the max timestamp field set to {@code appendTime}
     * (records keep their own deltas, as in Kafka).
     */
    public RecordBatchWriter logAppendTime(long appendTime) {
        checkOpen();
        this.timestampType = TimestampType.LOG_APPEND_TIME;
        this.logAppendTime = appendTime;
        return this;
    }

    public RecordBatchWriter partitionLeaderEpoch(int epoch) {
        checkOpen();
        this.partitionLeaderEpoch = epoch;
        return this;
    }

    /** Sets the idempotent-producer fields (all -1 by default). */
    public RecordBatchWriter producer(long producerId, short producerEpoch, int baseSequence) {
        checkOpen();
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchWriter transactional(boolean transactional) {
        checkOpen();
        this.transactional = transactional;
        return this;
    }

    public RecordBatchWriter control(boolean control) {
        checkOpen();
        this.control = control;
        return this;
    }

    /**
     * Sets attribute bit 6 and makes {@code deleteHorizonMs} the base timestamp (record deltas are
     * relative to it, so record timestamps are unchanged). Only before the first record.
     */
    public RecordBatchWriter deleteHorizonMs(long deleteHorizonMs) {
        checkOpen();
        if (count > 0) {
            throw new IllegalStateException("the delete horizon is the base timestamp: set it before the first record");
        }
        this.hasDeleteHorizon = true;
        this.baseTimestamp = deleteHorizonMs;
        return this;
    }

    /** Appends {@code record} at the next offset. */
    public RecordBatchWriter append(Record record) {
        return write(nextOffsetDelta(), record);
    }

    /** Appends every record of {@code list}, in order, at consecutive offsets. */
    public RecordBatchWriter appendAll(List<Record> list) {
        for (int i = 0, n = list.size(); i < n; i++) {
            write(nextOffsetDelta(), list.get(i));
        }
        return this;
    }

    /**
     * Appends {@code record} at {@code offset}, which must be above the last appended offset and
     * at most {@code baseOffset + Integer.MAX_VALUE} (gaps are allowed, as after compaction).
     */
    public RecordBatchWriter appendWithOffset(long offset, Record record) {
        long delta = offset - baseOffset;
        if (delta <= lastOffsetDelta || delta > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " must be above the last appended offset "
                    + (baseOffset + lastOffsetDelta) + " and at most base offset " + baseOffset + " + " + Integer.MAX_VALUE);
        }
        return write((int) delta, record);
    }

    /**
     * Appends a record without headers at the next offset from raw buffers: their remaining bytes
     * (read with absolute copies; positions unchanged), null for none. Saves making a {@link Record}.
     */
    public RecordBatchWriter append(long timestamp, ByteBuffer key, ByteBuffer value) {
        int offsetDelta = nextOffsetDelta();
        int keySize = key == null ? -1 : key.remaining();
        int valueSize = value == null ? -1 : value.remaining();
        int i = startRecord(offsetDelta, timestamp, keySize, valueSize, 0, 0);
        byte[] b = records;
        if (keySize >= 0) {
            key.get(key.position(), b, i, keySize);
            i += keySize;
        }
        i = putLength(b, i, valueSize);
        if (valueSize >= 0) {
            value.get(value.position(), b, i, valueSize);
            i += valueSize;
        }
        b[i++] = 0; // header count
        endRecord(i, offsetDelta, timestamp);
        return this;
    }

    /** Records appended to the current batch. */
    public int recordCount() {
        return count;
    }

    /** Whether no record was appended since the last {@link #reset}. */
    public boolean isEmpty() {
        return count == 0;
    }

    /**
     * The batch's size so far: exact for an uncompressed batch, the uncompressed size (an upper
     * estimate for most data) with a codec, exact once built.
     */
    public int sizeInBytes() {
        if (builtSize > 0) {
            return builtSize;
        }
        return HEADER_LENGTH + pos - recordsStart;
    }

    /**
     * Finishes the batch: compresses the records if a codec is set, writes the header and the CRC.
     * Calling it again returns the same batch.
     *
     * @return a view of exactly one batch, position 0, limit = its size; valid until the next
     *         {@link #reset} or {@link #close()}
     * @throws IllegalStateException if no record was appended (a batch holds at least one)
     */
    public ByteBuffer build() {
        checkNotClosed();
        if (builtSize == 0) {
            if (count == 0) {
                throw new IllegalStateException("no records appended: a batch holds at least one record");
            }
            builtSize = codec != null ? compress() : records == scratch ? copyToOut() : HEADER_LENGTH + pos - recordsStart;
            writeHeader(builtSize);
        }
        return out.slice(0, builtSize);
    }

    /** Gives the buffers back to the allocator; the writer must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            allocator.release(out);
            out = outView = scratchView = null;
            scratch = records = null;
        }
    }

    /**
     * Encodes {@code list} as one batch into a new heap buffer of exactly its size.
     *
     * @param codec null or id 0 for none
     */
    public static ByteBuffer encode(long baseOffset, Codec codec, List<Record> list) {
        try (RecordBatchWriter w = new RecordBatchWriter()) {
            ByteBuffer b = w.reset(baseOffset, codec).appendAll(list).build();
            ByteBuffer copy = ByteBuffer.allocate(b.remaining());
            copy.put(b).flip();
            return copy;
        }
    }

    // ---- encoding ------------------------------------------------------------------------------

    private int nextOffsetDelta() {
        if (lastOffsetDelta == Integer.MAX_VALUE) {
            throw new IllegalStateException("a batch spans at most " + Integer.MAX_VALUE + " offsets");
        }
        return lastOffsetDelta + 1;
    }

    private RecordBatchWriter write(int offsetDelta, Record r) {
        long timestamp = r.timestamp();
        int keySize = r.keySize();
        int valueSize = r.valueSize();
        List<Header> headers = r.headers();
        int headerCount = headers.size();
        long headersSize = 0;
        for (int h = 0; h < headerCount; h++) {
            Header header = headers.get(h);
            int ks = header.keySize();
            int vs = header.valueSize();
            headersSize += sizeOfVarint(ks) + ks + sizeOfVarint(vs) + Math.max(vs, 0);
        }
        int i = startRecord(offsetDelta, timestamp, keySize, valueSize, headerCount, headersSize);
        byte[] b = records;
        if (keySize >= 0) {
            i = r.writeKeyTo(b, i);
        }
        i = putLength(b, i, valueSize);
        if (valueSize >= 0) {
            i = r.writeValueTo(b, i);
        }
        i = Varints.writeUnsignedVarint(b, i, Varints.zigzag(headerCount));
        for (int h = 0; h < headerCount; h++) {
            Header header = headers.get(h);
            i = Varints.writeVarint(b, i, header.keySize());
            i = header.writeKeyTo(b, i);
            int vs = header.valueSize();
            i = putLength(b, i, vs);
            if (vs >= 0) {
                i = header.writeValueTo(b, i);
            }
        }
        endRecord(i, offsetDelta, timestamp);
        return this;
    }

    /**
     * Computes the record's size, makes room and writes its fields up to and including the key
     * length; the caller writes the key, value and headers, then calls {@link #endRecord}.
     *
     * @return the index where the key goes
     */
    private int startRecord(int offsetDelta, long timestamp, int keySize, int valueSize, int headerCount,
            long headersSize) {
        checkOpen();
        if (count == 0 && !hasDeleteHorizon) {
            baseTimestamp = timestamp;
        }
        long timestampDelta = timestamp - baseTimestamp;
        long body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta)
                + sizeOfVarint(keySize) + Math.max(keySize, 0)
                + sizeOfVarint(valueSize) + Math.max(valueSize, 0)
                + sizeOfVarint(headerCount) + headersSize;
        int used = pos - recordsStart;
        if (body > MAX_CAPACITY - HEADER_LENGTH - used - Varints.MAX_VARINT_LENGTH) {
            throw new IllegalArgumentException("record of " + body + " bytes does not fit in a batch of at most "
                    + MAX_CAPACITY + " bytes (" + (HEADER_LENGTH + used) + " used)");
        }
        int bodySize = (int) body;
        ensureCapacity(sizeOfVarint(bodySize) + bodySize);
        byte[] b = records;
        int i = Varints.writeVarint(b, pos, bodySize);
        b[i++] = 0; // record attributes: unused
        i = Varints.writeVarlong(b, i, timestampDelta);
        i = Varints.writeVarint(b, i, offsetDelta);
        return putLength(b, i, keySize);
    }

    private static int putLength(byte[] b, int i, int size) {
        if (size < 0) {
            b[i] = 1; // zigzag(-1): null
            return i + 1;
        }
        return Varints.writeVarint(b, i, size);
    }

    private void endRecord(int end, int offsetDelta, long timestamp) {
        pos = end;
        count++;
        lastOffsetDelta = offsetDelta;
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
    }

    /** Makes room for {@code more} bytes at {@code pos} in the records array. */
    private void ensureCapacity(int more) {
        byte[] b = records;
        if ((long) pos + more <= recordsLimit) {
            return;
        }
        int used = pos - recordsStart;
        long needed = (long) used + more;
        if (b == scratch) {
            scratch = Arrays.copyOf(b, (int) Math.min(MAX_CAPACITY, Math.max(needed, 2L * b.length)));
            scratchView = null;
            records = scratch;
            recordsLimit = scratch.length;
            return;
        }
        // Encoding in out's array: grow out, keeping the records; fall back to scratch if the allocator
        // hands out a buffer without an accessible array.
        int capacity = (int) Math.min(MAX_CAPACITY, Math.max(HEADER_LENGTH + needed, 2L * out.capacity()));
        ByteBuffer bigger = allocator.allocate(capacity);
        if (bigger.hasArray()) {
            System.arraycopy(b, recordsStart, bigger.array(), bigger.arrayOffset() + HEADER_LENGTH, used);
            allocator.release(out);
            setOut(bigger);
            records = out.array();
            recordsStart = out.arrayOffset() + HEADER_LENGTH;
            recordsLimit = out.arrayOffset() + out.capacity();
        } else {
            scratch = Arrays.copyOfRange(b, recordsStart, recordsStart + (int) Math.min(MAX_CAPACITY, Math.max(needed, 2L * used)));
            scratchView = null;
            allocator.release(out);
            setOut(bigger);
            records = scratch;
            recordsStart = 0;
            recordsLimit = scratch.length;
        }
        pos = recordsStart + used;
    }

    private void setOut(ByteBuffer b) {
        out = b;
        outView = b.duplicate();
    }

    /** Makes {@code out} hold at least {@code capacity} bytes; its content is not kept. */
    private void ensureOut(long capacity) {
        if (capacity > MAX_CAPACITY) {
            throw new IllegalStateException("batch may need " + capacity + " bytes, more than " + MAX_CAPACITY);
        }
        if (capacity > out.capacity()) {
            allocator.release(out);
            setOut(allocator.allocate((int) capacity));
        }
    }

    /** Copies scratch's records after the header of out; returns the batch size. */
    private int copyToOut() {
        int n = pos;
        ensureOut((long) HEADER_LENGTH + n);
        out.put(HEADER_LENGTH, scratch, 0, n);
        return HEADER_LENGTH + n;
    }

    /** Compresses scratch[0, pos) to out[61, …); returns the batch size. */
    private int compress() {
        int n = pos;
        ensureOut((long) HEADER_LENGTH + codec.maxCompressedLength(n));
        if (scratchView == null || scratchView.array() != scratch) {
            scratchView = ByteBuffer.wrap(scratch);
        }
        scratchView.clear().limit(n);
        outView.clear().position(HEADER_LENGTH);
        int written = codec.compress(scratchView, outView);
        return HEADER_LENGTH + written;
    }

    private void writeHeader(int size) {
        int attributes = codec == null ? 0 : codec.id();
        if (timestampType == TimestampType.LOG_APPEND_TIME) {
            attributes |= RecordBatchLayout.TIMESTAMP_TYPE_MASK;
        }
        if (transactional) {
            attributes |= RecordBatchLayout.TRANSACTIONAL_MASK;
        }
        if (control) {
            attributes |= RecordBatchLayout.CONTROL_MASK;
        }
        if (hasDeleteHorizon) {
            attributes |= RecordBatchLayout.DELETE_HORIZON_MASK;
        }
        long maxTs = timestampType == TimestampType.LOG_APPEND_TIME ? logAppendTime : maxTimestamp;
        RecordBatchLayout.putHeader(out, 0, baseOffset, size - RecordBatchLayout.LOG_OVERHEAD, partitionLeaderEpoch,
                (short) attributes, lastOffsetDelta, baseTimestamp, maxTs, producerId, producerEpoch, baseSequence,
                count);
        crc.reset();
        int from = RecordBatchLayout.CRC_START_OFFSET;
        if (out.hasArray()) {
            crc.update(out.array(), out.arrayOffset() + from, size - from);
        } else {
            crc.update(outView.clear().position(from).limit(size));
        }
        RecordBatchLayout.putCrc(out, 0, crc.getValue());
    }

    private void checkOpen() {
        checkNotClosed();
        if (builtSize > 0) {
            throw new IllegalStateException("batch already built: call reset() to start the next one");
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("writer closed");
        }
    }
}
