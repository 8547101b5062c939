package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;
import static io.rivven.core.format.v2.Varints.sizeOfVarint;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Evolving;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

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
 * <p>Refused, as Kafka's {@code MemoryRecordsBuilder} refuses them (the readers still accept such
 * batches, as Kafka's do): a record timestamp below -1, at append ({@link IllegalArgumentException}
 * naming the record's index in the batch); at {@link #build()}, a transactional batch without a
 * producer id, a producer id with producer epoch -1, a producer id with a negative base sequence
 * outside a control batch ({@link IllegalStateException} naming the field). A control batch may be
 * compressed (Kafka's builder allows it); the writer does not encode control records for it: the
 * caller gives their key and value bytes.
 *
 * <p>Memory: every buffer comes from the {@link BufferAllocator}, heap or direct (direct memory
 * can be written to a file without the JDK's copy into a temporary direct buffer). Without a codec
 * the records are encoded straight into the output buffer after the 61-byte header; with a codec
 * they are encoded into a second buffer from the allocator, which the codec then compresses into
 * the output ({@link Codec#compress}). Both are kept and doubled as needed across batches;
 * {@link #trim} gives large ones back.
 *
 * <p>How it is fast: each record's size is computed arithmetically before it is written (no
 * second pass, no temporary), nothing is allocated per record, payloads are copied once (with
 * {@link System#arraycopy} into a heap buffer's array, one bulk copy into a direct buffer), varints
 * are written by hand (one bounds check per byte), the CRC-32C is computed once, last, over the
 * whole batch. A record that fails (too large, bad offset) leaves the batch as it was before it.
 *
 * <p>The buffer returned by {@link #build()} is a view of the writer's memory: valid until the next
 * {@link #reset}, {@link #trim} or {@link #close()} (copy it, or write it out, before). Not
 * thread-safe: one writer per thread. {@link #close()} gives the buffers back to the allocator.
 */
@Evolving
public final class RecordBatchWriter implements AutoCloseable {

    /** Initial buffer size when none is given: 16 KiB. */
    public static final int DEFAULT_INITIAL_CAPACITY = 16 * 1024;

    private final BatchBuffers buffers;
    private final BatchSealer sealer = new BatchSealer();

    // Where records are encoded: the output buffer (after the header) or the compression input buffer,
    // in the writer's own fields for the per-record code. Indexes (recordsStart, recordsLimit, pos) are
    // array indexes into `records` when the holder has an accessible array, else indexes into `holder`
    // itself; `shift` is the array offset of the holder (0 without an array).
    private ByteBuffer holder;       // null once closed
    private byte[] records;          // holder's array, or null: then records are written with absolute puts
    private int shift;
    private int recordsStart;
    private int recordsLimit;
    private int pos;                 // next write index

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
        this.buffers = new BatchBuffers(Objects.requireNonNull(allocator, "allocator"), initialCapacity);
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
        BatchChecks.checkCodecId(codec);
        this.codec = codec == null || codec.id() == CodecProvider.NONE ? null : codec;
        holder = null; // until the buffers are there (an allocation may fail)
        ByteBuffer out = buffers.out();
        if (this.codec == null) {
            bind(out, HEADER_LENGTH);
        } else {
            bind(buffers.scratch(), 0);
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

    /**
     * Appends {@code record} at the next offset.
     *
     * @throws IllegalArgumentException if its timestamp is below -1 (nothing of it is written), or it
     *         does not fit in a batch
     */
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
            throw BatchChecks.badOffset(offset, baseOffset, lastOffsetDelta);
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
        ByteBuffer h = holder;
        if (keySize >= 0) {
            i = RecordEncoding.putBytes(b, h, i, key, key.position(), keySize);
        }
        i = RecordEncoding.putLength(b, h, i, valueSize);
        if (valueSize >= 0) {
            i = RecordEncoding.putBytes(b, h, i, value, value.position(), valueSize);
        }
        endRecord(RecordEncoding.putByte(b, h, i, 0), offsetDelta, timestamp); // no headers
        return this;
    }

    /**
     * Appends a record without headers at the next offset from whole arrays (null for none), as
     * Kafka's {@code MemoryRecordsBuilder.append(timestamp, key, value)}: the bytes are copied into
     * the batch now; the arrays are not kept. Saves making a {@link Record}.
     */
    public RecordBatchWriter append(long timestamp, byte[] key, byte[] value) {
        int offsetDelta = nextOffsetDelta();
        int keySize = key == null ? -1 : key.length;
        int valueSize = value == null ? -1 : value.length;
        int i = startRecord(offsetDelta, timestamp, keySize, valueSize, 0, 0);
        byte[] b = records;
        ByteBuffer h = holder;
        if (keySize >= 0) {
            i = RecordEncoding.putBytes(b, h, i, key, 0, keySize);
        }
        i = RecordEncoding.putLength(b, h, i, valueSize);
        if (valueSize >= 0) {
            i = RecordEncoding.putBytes(b, h, i, value, 0, valueSize);
        }
        endRecord(RecordEncoding.putByte(b, h, i, 0), offsetDelta, timestamp); // no headers
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

    /** The bytes of memory the writer holds now (output buffer plus compression input buffer). */
    public long capacity() {
        return buffers.capacity();
    }

    /**
     * Finishes the batch: compresses the records if a codec is set, writes the header and the CRC.
     * Calling it again returns the same batch.
     *
     * @return a view of exactly one batch, position 0, limit = its size; valid until the next
     *         {@link #reset}, {@link #trim} or {@link #close()}
     * @throws IllegalStateException if no record was appended (a batch holds at least one), or the
     *         producer fields disagree with the flags as Kafka's builder refuses: transactional without
     *         a producer id; a producer id with producer epoch -1; a producer id with a negative base
     *         sequence outside a control batch (the writer stays as it was: fix the field, build again)
     */
    public ByteBuffer build() {
        checkNotClosed();
        if (builtSize == 0) {
            if (holder == null) {
                throw BatchChecks.notStarted();
            }
            if (count == 0) {
                throw BatchChecks.noRecords();
            }
            BatchChecks.checkProducerFields(transactional, control, producerId, producerEpoch, baseSequence);
            int size = codec != null
                    ? buffers.compressScratchIntoOut(codec, pos - recordsStart)
                    : HEADER_LENGTH + pos - recordsStart;
            long maxTs = timestampType == TimestampType.LOG_APPEND_TIME ? logAppendTime : maxTimestamp;
            sealer.seal(buffers.out(), buffers.outView(), size, baseOffset, partitionLeaderEpoch,
                    BatchSealer.attributes(codec, timestampType, transactional, control, hasDeleteHorizon),
                    lastOffsetDelta, baseTimestamp, maxTs, producerId, producerEpoch, baseSequence, count);
            builtSize = size;
        }
        return buffers.out().slice(0, builtSize);
    }

    /**
     * Gives every buffer larger than {@code maxRetainedCapacity} bytes back to the allocator, so that
     * one large batch does not hold its memory for the writer's whole life, then resets the writer
     * ({@link #reset(long) reset(0)}: the current batch is discarded; a buffer returned by
     * {@link #build()} becomes invalid). The next batch starts in a buffer of the initial capacity.
     */
    public RecordBatchWriter trim(int maxRetainedCapacity) {
        checkNotClosed();
        holder = null;
        buffers.trim(maxRetainedCapacity);
        return reset(0, null);
    }

    /** Gives the buffers back to the allocator; the writer must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            holder = null;
            records = null;
            buffers.close();
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
            throw BatchChecks.tooManyOffsets();
        }
        return lastOffsetDelta + 1;
    }

    private RecordBatchWriter write(int offsetDelta, Record r) {
        List<Header> headers = r.headers();
        int headerCount = headers.size();
        long headersSize = headerCount == 0 ? 0 : RecordEncoding.headersSize(headers, headerCount);
        long timestamp = r.timestamp();
        int keySize = r.keySize();
        int valueSize = r.valueSize();
        int i = startRecord(offsetDelta, timestamp, keySize, valueSize, headerCount, headersSize);
        byte[] b = records;
        if (b == null || headerCount != 0) {
            return writeRest(i, offsetDelta, timestamp, r, headers, headerCount);
        }
        // The common case: into an array, no headers (the rest, and any growth that moved the records
        // out of an array, in writeRest).
        if (keySize >= 0) {
            i = r.writeKeyTo(b, i);
        }
        i = RecordEncoding.putLength(b, i, valueSize);
        if (valueSize >= 0) {
            i = r.writeValueTo(b, i);
        }
        b[i++] = 0; // no headers
        endRecord(i, offsetDelta, timestamp);
        return this;
    }

    /** Writes a record's key, value and headers from {@code at} into any memory, then ends it. */
    private RecordBatchWriter writeRest(int at, int offsetDelta, long timestamp, Record r, List<Header> headers,
            int headerCount) {
        int end = RecordEncoding.putKeyValueHeaders(records, holder, at, r, headers, headerCount);
        endRecord(end, offsetDelta, timestamp);
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
        if (builtSize != 0 || holder == null) {
            throw notWritable();
        }
        if (timestamp < RecordBatchLayout.NO_TIMESTAMP) {
            throw BatchChecks.badTimestamp(count, timestamp);
        }
        long base = count == 0 && !hasDeleteHorizon ? timestamp : baseTimestamp;
        long timestampDelta = timestamp - base;
        long body = RecordEncoding.bodySize(timestampDelta, offsetDelta, keySize, valueSize, headerCount, headersSize);
        int used = pos - recordsStart;
        if (body > BatchBuffers.MAX_CAPACITY - HEADER_LENGTH - used - Varints.MAX_VARINT_LENGTH) {
            throw BatchChecks.tooLarge(body, used);
        }
        int bodySize = (int) body;
        int size = sizeOfVarint(bodySize) + bodySize;
        if (size > recordsLimit - pos) {
            grow(size);
        }
        baseTimestamp = base;
        byte[] b = records;
        return b != null
                ? RecordEncoding.putPrefix(b, pos, bodySize, timestampDelta, offsetDelta, keySize)
                : RecordEncoding.putPrefix(holder, pos, bodySize, timestampDelta, offsetDelta, keySize);
    }

    private void endRecord(int end, int offsetDelta, long timestamp) {
        pos = end;
        count++;
        lastOffsetDelta = offsetDelta;
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
    }

    // ---- memory --------------------------------------------------------------------------------

    /** Encodes the records into {@code h} from index {@code start} (a buffer index) on. */
    private void bind(ByteBuffer h, int start) {
        if (h.hasArray()) {
            records = h.array();
            shift = h.arrayOffset();
        } else {
            records = null;
            shift = 0;
        }
        recordsStart = shift + start;
        recordsLimit = shift + h.capacity();
        holder = h;
    }

    /**
     * Makes room for {@code more} bytes at {@code pos}: moves the records into a larger buffer
     * ({@link BatchBuffers#grow}). Nothing changes if the allocation fails.
     */
    private void grow(int more) {
        ByteBuffer old = holder;
        int start = buffers.isOut(old) ? HEADER_LENGTH : 0;
        int used = pos - recordsStart;
        bind(buffers.grow(old, start, recordsStart - shift, used, more), start);
        pos = recordsStart + used;
    }

    // ---- state checks (failures out of line, to keep the per-record path small) ----------------

    private IllegalStateException notWritable() {
        return BatchChecks.notWritable(closed, builtSize != 0);
    }

    private void checkOpen() {
        if (closed || builtSize != 0) {
            throw notWritable();
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw BatchChecks.closed();
        }
    }
}
