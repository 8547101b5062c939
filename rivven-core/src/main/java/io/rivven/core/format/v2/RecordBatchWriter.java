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
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;
    private static final int MIN_CAPACITY = HEADER_LENGTH + 64;

    private final BufferAllocator allocator;
    private final int initialCapacity;
    private final CRC32C crc = new CRC32C();

    private ByteBuffer out;          // the batch: header at 0, then records or the compressed stream
    private ByteBuffer outView;      // reusable view of out for the codec and the CRC
    private ByteBuffer scratch;      // records before compression (codec set), from the allocator; null until needed
    private ByteBuffer scratchView;  // reusable view of scratch for the codec

    // Where records are encoded: out (after the header) or scratch. Indexes (recordsStart, recordsLimit,
    // pos) are array indexes into `records` when the holder has an accessible array, else indexes into
    // `holder` itself; `shift` is the array offset of the holder (0 without an array).
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
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.initialCapacity = Math.max(initialCapacity, MIN_CAPACITY);
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
        holder = null; // until the buffers are there (an allocation may fail)
        if (out == null) {
            setOut(allocator.allocate(initialCapacity));
        }
        if (this.codec == null) {
            bind(out, HEADER_LENGTH);
        } else {
            if (scratch == null) {
                setScratch(allocator.allocate(Math.max(out.capacity(), 1024)));
            }
            bind(scratch, 0);
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
        if (keySize >= 0) {
            i = putBytes(i, key, key.position(), keySize);
        }
        i = putLength(i, valueSize);
        if (valueSize >= 0) {
            i = putBytes(i, value, value.position(), valueSize);
        }
        endRecord(putByte(i, 0), offsetDelta, timestamp); // no headers
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
        if (keySize >= 0) {
            i = putBytes(i, key, 0, keySize);
        }
        i = putLength(i, valueSize);
        if (valueSize >= 0) {
            i = putBytes(i, value, 0, valueSize);
        }
        endRecord(putByte(i, 0), offsetDelta, timestamp); // no headers
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
        return (out == null ? 0L : out.capacity()) + (scratch == null ? 0L : scratch.capacity());
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
                throw new IllegalStateException("no batch started: call reset() first");
            }
            if (count == 0) {
                throw new IllegalStateException("no records appended: a batch holds at least one record");
            }
            checkProducerFields();
            int size = codec != null ? compress() : HEADER_LENGTH + pos - recordsStart;
            writeHeader(size);
            builtSize = size;
        }
        return out.slice(0, builtSize);
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
        if (scratch != null && scratch.capacity() > maxRetainedCapacity) {
            ByteBuffer s = scratch;
            setScratch(null);
            allocator.release(s);
        }
        if (out != null && out.capacity() > maxRetainedCapacity) {
            ByteBuffer o = out;
            setOut(null);
            allocator.release(o);
        }
        return reset(0, null);
    }

    /** Gives the buffers back to the allocator; the writer must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ByteBuffer o = out;
            ByteBuffer s = scratch;
            setOut(null);
            setScratch(null);
            holder = null;
            records = null;
            if (o != null) {
                allocator.release(o);
            }
            if (s != null) {
                allocator.release(s);
            }
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
        List<Header> headers = r.headers();
        int headerCount = headers.size();
        long headersSize = headerCount == 0 ? 0 : headersSize(headers, headerCount);
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
        i = putLength(b, i, valueSize);
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
        int i = at;
        byte[] b = records;
        if (r.hasKey()) {
            i = b != null ? r.writeKeyTo(b, i) : r.writeKeyTo(holder, i);
        }
        i = putLength(i, r.valueSize());
        if (r.hasValue()) {
            i = b != null ? r.writeValueTo(b, i) : r.writeValueTo(holder, i);
        }
        i = headerCount == 0 ? putByte(i, 0) : putHeaders(i, headers, headerCount);
        endRecord(i, offsetDelta, timestamp);
        return this;
    }

    private static long headersSize(List<Header> headers, int headerCount) {
        long size = 0;
        for (int h = 0; h < headerCount; h++) {
            Header header = headers.get(h);
            int ks = header.keySize();
            int vs = header.valueSize();
            size += sizeOfVarint(ks) + ks + sizeOfVarint(vs) + Math.max(vs, 0);
        }
        return size;
    }

    private int putHeaders(int at, List<Header> headers, int headerCount) {
        int i = putVarint(at, headerCount);
        byte[] b = records;
        for (int h = 0; h < headerCount; h++) {
            Header header = headers.get(h);
            i = putVarint(i, header.keySize());
            i = b != null ? header.writeKeyTo(b, i) : header.writeKeyTo(holder, i);
            int vs = header.valueSize();
            i = putLength(i, vs);
            if (vs >= 0) {
                i = b != null ? header.writeValueTo(b, i) : header.writeValueTo(holder, i);
            }
        }
        return i;
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
            throw badTimestamp(timestamp);
        }
        long base = count == 0 && !hasDeleteHorizon ? timestamp : baseTimestamp;
        long timestampDelta = timestamp - base;
        long body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta)
                + sizeOfVarint(keySize) + Math.max(keySize, 0)
                + sizeOfVarint(valueSize) + Math.max(valueSize, 0)
                + sizeOfVarint(headerCount) + headersSize;
        int used = pos - recordsStart;
        if (body > MAX_CAPACITY - HEADER_LENGTH - used - Varints.MAX_VARINT_LENGTH) {
            throw tooLarge(body, used);
        }
        int bodySize = (int) body;
        int size = sizeOfVarint(bodySize) + bodySize;
        if (size > recordsLimit - pos) {
            grow(size);
        }
        baseTimestamp = base;
        byte[] b = records;
        if (b == null) {
            return prefixInBuffer(bodySize, timestampDelta, offsetDelta, keySize);
        }
        int i = Varints.writeVarint(b, pos, bodySize);
        b[i++] = 0; // record attributes: unused
        i = Varints.writeVarlong(b, i, timestampDelta);
        i = Varints.writeVarint(b, i, offsetDelta);
        return putLength(b, i, keySize);
    }

    /** {@link #startRecord}'s writes into a buffer without an accessible array. */
    private int prefixInBuffer(int bodySize, long timestampDelta, int offsetDelta, int keySize) {
        ByteBuffer h = holder;
        int i = Varints.writeVarint(h, pos, bodySize);
        h.put(i++, (byte) 0); // record attributes: unused
        i = Varints.writeVarlong(h, i, timestampDelta);
        i = Varints.writeVarint(h, i, offsetDelta);
        return putLength(i, keySize);
    }

    private void endRecord(int end, int offsetDelta, long timestamp) {
        pos = end;
        count++;
        lastOffsetDelta = offsetDelta;
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
    }

    // ---- writing into the holder: its array when it has one, else absolute puts -------------

    private static int putLength(byte[] b, int i, int size) {
        if (size < 0) {
            b[i] = 1; // zigzag(-1): null
            return i + 1;
        }
        return Varints.writeVarint(b, i, size);
    }

    private int putLength(int i, int size) {
        byte[] b = records;
        if (b != null) {
            return putLength(b, i, size);
        }
        if (size < 0) {
            holder.put(i, (byte) 1);
            return i + 1;
        }
        return Varints.writeVarint(holder, i, size);
    }

    private int putVarint(int i, int value) {
        byte[] b = records;
        return b != null ? Varints.writeVarint(b, i, value) : Varints.writeVarint(holder, i, value);
    }

    private int putByte(int i, int value) {
        byte[] b = records;
        if (b != null) {
            b[i] = (byte) value;
        } else {
            holder.put(i, (byte) value);
        }
        return i + 1;
    }

    private int putBytes(int i, byte[] src, int from, int length) {
        byte[] b = records;
        if (b != null) {
            System.arraycopy(src, from, b, i, length);
        } else {
            holder.put(i, src, from, length);
        }
        return i + length;
    }

    private int putBytes(int i, ByteBuffer src, int from, int length) {
        byte[] b = records;
        if (b != null) {
            src.get(from, b, i, length);
        } else {
            holder.put(i, src, from, length);
        }
        return i + length;
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
     * Makes room for {@code more} bytes at {@code pos}: moves the records into a larger buffer from
     * the allocator (at least double), which may be of another kind (heap or direct) than the old one.
     * Nothing changes if the allocation fails.
     */
    private void grow(int more) {
        ByteBuffer old = holder;
        int start = old == out ? HEADER_LENGTH : 0;
        int used = pos - recordsStart;
        long capacity = Math.min(MAX_CAPACITY, Math.max((long) start + used + more, 2L * old.capacity()));
        ByteBuffer bigger = allocator.allocate((int) capacity);
        bigger.put(start, old, recordsStart - shift, used);
        if (old == out) {
            setOut(bigger);
        } else {
            setScratch(bigger);
        }
        allocator.release(old);
        bind(bigger, start);
        pos = recordsStart + used;
    }

    private void setOut(ByteBuffer b) {
        out = b;
        outView = b == null ? null : b.duplicate();
    }

    private void setScratch(ByteBuffer b) {
        scratch = b;
        scratchView = b == null ? null : b.duplicate();
    }

    /** Makes {@code out} hold at least {@code capacity} bytes; its content is not kept. */
    private void ensureOut(long capacity) {
        if (capacity > MAX_CAPACITY) {
            throw new IllegalStateException("batch may need " + capacity + " bytes, more than " + MAX_CAPACITY);
        }
        if (capacity > out.capacity()) {
            ByteBuffer bigger = allocator.allocate((int) capacity);
            ByteBuffer old = out;
            setOut(bigger);
            allocator.release(old);
        }
    }

    /** Compresses the records (scratch[0, n)) to out[61, …); returns the batch size. */
    private int compress() {
        int n = pos - recordsStart;
        ensureOut((long) HEADER_LENGTH + codec.maxCompressedLength(n));
        ByteBuffer src = scratchView.clear().limit(n);
        ByteBuffer dst = outView.clear().position(HEADER_LENGTH);
        int written = codec.compress(src, dst);
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

    // ---- state checks (failures out of line, to keep the per-record path small) ----------------

    /** Kafka's {@code MemoryRecordsBuilder.validateProducerState}, at build: the setters may come in any order. */
    private void checkProducerFields() {
        if (transactional && producerId == RecordBatchLayout.NO_PRODUCER_ID) {
            throw new IllegalStateException("transactional batch without a producer id (producerId -1): a transactional"
                    + " batch needs one; set it with producer(id, epoch, sequence) or call transactional(false)");
        }
        if (producerId != RecordBatchLayout.NO_PRODUCER_ID) {
            if (producerEpoch == RecordBatchLayout.NO_PRODUCER_EPOCH) {
                throw new IllegalStateException("producerId " + producerId + " without a producer epoch (producerEpoch -1):"
                        + " give producer(id, epoch, sequence) an epoch other than -1, or no producer id");
            }
            if (baseSequence < 0 && !control) {
                throw new IllegalStateException("producerId " + producerId + " with baseSequence " + baseSequence
                        + " in a batch that is not a control batch: expected a base sequence of at least 0 (only"
                        + " control batches may have none); give one to producer(id, epoch, sequence)");
            }
        }
    }

    private IllegalArgumentException badTimestamp(long timestamp) {
        return new IllegalArgumentException("record " + count + " of the batch has timestamp " + timestamp
                + ", expected -1 (none) or at least 0 (ms since the epoch), as Kafka's producer requires");
    }

    private RuntimeException notWritable() {
        if (closed) {
            return new IllegalStateException("writer closed");
        }
        if (builtSize != 0) {
            return new IllegalStateException("batch already built: call reset() to start the next one");
        }
        return new IllegalStateException("no batch started: call reset() first");
    }

    private static IllegalArgumentException tooLarge(long body, int used) {
        return new IllegalArgumentException("record of " + body + " bytes does not fit in a batch of at most "
                + MAX_CAPACITY + " bytes (" + (HEADER_LENGTH + used) + " used)");
    }

    private void checkOpen() {
        if (closed || builtSize != 0) {
            throw notWritable();
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("writer closed");
        }
    }
}
