package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;
import static io.rivven.core.format.v2.RecordBatchLayout.LOG_OVERHEAD;

import io.rivven.api.BufferAllocator;
import io.rivven.api.Evolving;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A flyweight view of one Kafka RecordBatch v2 ({@link RecordBatchLayout}) in a {@link ByteBuffer}:
 * header fields are read in place on each call, nothing is copied. {@link #wrap} points it at
 * another batch, so one instance serves a whole scan.
 *
 * <p>Before {@link #ensureValid} the fields are whatever the bytes say (possibly garbage); accessors
 * never throw for garbage values, but reading a header that is not within the buffer throws
 * {@link IndexOutOfBoundsException}: check with {@link #ensureValid} (or get batches from a
 * {@link RecordBatchReader}, which does). Records are read with {@link #records}.
 *
 * <p>{@link #position()} is where error messages say the batch is: by default its index in the
 * buffer; a caller that knows the file position passes it to {@link #wrap(ByteBuffer, int, long)}.
 *
 * <p>Not thread-safe (a view is cheap: use one per thread); the underlying buffer is only read.
 */
@Evolving
public final class RecordBatch {

    private ByteBuffer buffer;
    private int offset;
    private long position;
    private CRC32C crc;
    private ByteBuffer crcBuffer; // the buffer crcView duplicates
    private ByteBuffer crcView;

    /** An empty view; {@link #wrap} it before use. */
    public RecordBatch() {
    }

    /** A view of the batch starting at {@code buffer}'s position. */
    public static RecordBatch of(ByteBuffer buffer) {
        return new RecordBatch().wrap(buffer, buffer.position());
    }

    /** Points this view at the batch at index {@code offset} of {@code buffer}; its position is {@code offset}. */
    public RecordBatch wrap(ByteBuffer buffer, int offset) {
        return wrap(buffer, offset, offset);
    }

    /**
     * Points this view at the batch at index {@code offset} of {@code buffer}, which error messages
     * will call position {@code position} (e.g. its position in the {@code .log} file).
     */
    public RecordBatch wrap(ByteBuffer buffer, int offset, long position) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.offset = offset;
        this.position = position;
        return this;
    }

    /** The buffer holding the batch. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** The batch's index in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** The batch's position as named in error messages (and by {@link RecordBatchReader}: in the file). */
    public long position() {
        return position;
    }

    public long baseOffset() {
        return RecordBatchLayout.baseOffset(buffer, offset);
    }

    /** The offset of the last record: {@code baseOffset() + lastOffsetDelta()}. */
    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch: {@code lastOffset() + 1}. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    /** The batchLength field: the size minus 12. */
    public int batchLength() {
        return RecordBatchLayout.batchLength(buffer, offset);
    }

    /** The whole batch's size in bytes, header included. */
    public int sizeInBytes() {
        return batchLength() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch() {
        return RecordBatchLayout.partitionLeaderEpoch(buffer, offset);
    }

    public byte magic() {
        return RecordBatchLayout.magic(buffer, offset);
    }

    /** The stored CRC-32C, unsigned. */
    public long checksum() {
        return RecordBatchLayout.crc(buffer, offset);
    }

    public short attributes() {
        return RecordBatchLayout.attributes(buffer, offset);
    }

    /** Attribute bits 0–2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd, 5–7 plugin codecs. */
    public byte codecId() {
        return RecordBatchLayout.codecId(attributes());
    }

    /**
     * The codec its attributes name ({@link #codecId()}, not 0), from {@code codecs}.
     *
     * @throws CorruptRecordException if {@code codecs} cannot resolve the id, or no loaded codec provides it
     */
    public Codec codec(CodecResolver codecs) {
        byte id = codecId();
        Codec codec;
        try {
            codec = codecs.forId(id);
        } catch (RuntimeException e) {
            throw new CorruptRecordException(position, "attributes.codec", "batch at position " + position
                    + " has codec id " + id + " in its attributes, which cannot be resolved: " + e.getMessage(), e);
        }
        if (codec == null) {
            throw corrupt("attributes.codec", "has codec id " + id + ", which no loaded codec provides");
        }
        return codec;
    }

    /** Whether the records section is compressed ({@link #codecId()} is not 0). */
    public boolean isCompressed() {
        return codecId() != 0;
    }

    public TimestampType timestampType() {
        return (attributes() & RecordBatchLayout.TIMESTAMP_TYPE_MASK) != 0
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & RecordBatchLayout.TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControlBatch() {
        return (attributes() & RecordBatchLayout.CONTROL_MASK) != 0;
    }

    /** Whether attribute bit 6 is set: {@link #baseTimestamp()} is then the delete horizon. */
    public boolean hasDeleteHorizon() {
        return (attributes() & RecordBatchLayout.DELETE_HORIZON_MASK) != 0;
    }

    /** The delete horizon (ms), or -1 when {@link #hasDeleteHorizon()} is false. */
    public long deleteHorizonMs() {
        return hasDeleteHorizon() ? baseTimestamp() : RecordBatchLayout.NO_TIMESTAMP;
    }

    public int lastOffsetDelta() {
        return RecordBatchLayout.lastOffsetDelta(buffer, offset);
    }

    public long baseTimestamp() {
        return RecordBatchLayout.baseTimestamp(buffer, offset);
    }

    /** The largest record timestamp, or the log append time for {@link TimestampType#LOG_APPEND_TIME}. */
    public long maxTimestamp() {
        return RecordBatchLayout.maxTimestamp(buffer, offset);
    }

    public long producerId() {
        return RecordBatchLayout.producerId(buffer, offset);
    }

    public short producerEpoch() {
        return RecordBatchLayout.producerEpoch(buffer, offset);
    }

    public int baseSequence() {
        return RecordBatchLayout.baseSequence(buffer, offset);
    }

    public int recordCount() {
        return RecordBatchLayout.recordCount(buffer, offset);
    }

    /** A view of exactly this batch's bytes (position 0, limit = size); shares the buffer's memory. */
    public ByteBuffer slice() {
        return buffer.slice(offset, sizeInBytes());
    }

    /**
     * Rewrites the base offset in place; the CRC stays valid (the field lies outside it). See
     * {@link RecordBatchLayout#putBaseOffset}.
     */
    public void setBaseOffset(long baseOffset) {
        RecordBatchLayout.putBaseOffset(buffer, offset, baseOffset);
    }

    /** Rewrites the partition leader epoch in place; outside the CRC as well. */
    public void setPartitionLeaderEpoch(int epoch) {
        RecordBatchLayout.putPartitionLeaderEpoch(buffer, offset, epoch);
    }

    /**
     * Computes the CRC-32C over attributes to the end, as stored in a valid batch. The batch's
     * bounds must have been checked ({@link #ensureValid}).
     */
    public long computeChecksum() {
        if (crc == null) {
            crc = new CRC32C();
        }
        if (!buffer.hasArray() && crcBuffer != buffer) {
            crcBuffer = buffer;
            crcView = buffer.duplicate();
        }
        return RecordBatchLayout.crc32c(crc, buffer, crcView, offset + RecordBatchLayout.CRC_START_OFFSET,
                offset + sizeInBytes());
    }

    /** Whether {@link #ensureValid()} would pass. */
    public boolean isValid() {
        try {
            ensureValid();
            return true;
        } catch (CorruptRecordException e) {
            return false;
        }
    }

    /** {@link #ensureValid(int)} with {@link RecordBatchLayout#DEFAULT_MAX_BATCH_SIZE}. */
    public RecordBatch ensureValid() {
        return ensureValid(RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE);
    }

    /**
     * Checks everything that can be checked without decoding records: the header lies within the
     * buffer, {@code batchLength >= 49}, the batch lies within the buffer and is at most
     * {@code maxBatchSize} bytes, magic is 2, the CRC-32C matches, {@code recordCount >= 0},
     * {@code lastOffsetDelta >= 0} and {@code recordCount <= lastOffsetDelta + 1}, and (uncompressed)
     * the records section is large enough for {@code recordCount} records. Decoding the records
     * ({@link #records}) checks the rest: every length, the record count, offset deltas within
     * {@code lastOffsetDelta}.
     *
     * @return this
     * @throws CorruptRecordException naming this batch's position, the field, the actual and the expected value
     */
    public RecordBatch ensureValid(int maxBatchSize) {
        checkBounds(maxBatchSize);
        long stored = checksum();
        long computed = computeChecksum();
        if (stored != computed) {
            throw corrupt("crc", "has CRC " + hex(stored) + ", expected " + hex(computed)
                    + " (CRC-32C of its " + (sizeInBytes() - RecordBatchLayout.CRC_START_OFFSET) + " bytes from attributes to the end)");
        }
        int count = recordCount();
        int lastDelta = lastOffsetDelta();
        if (count < 0) {
            throw corrupt("recordCount", "has recordCount " + count + ", expected at least 0");
        }
        if (lastDelta < 0) {
            throw corrupt("lastOffsetDelta", "has lastOffsetDelta " + lastDelta + ", expected at least 0");
        }
        if (count > (long) lastDelta + 1) {
            throw corrupt("recordCount", "has recordCount " + count + ", expected at most lastOffsetDelta + 1 = "
                    + ((long) lastDelta + 1) + " (records have distinct offsets)");
        }
        if (!isCompressed()) {
            long room = (long) (sizeInBytes() - HEADER_LENGTH) / RecordBatchLayout.MIN_RECORD_SIZE;
            if (count > room) {
                throw corrupt("recordCount", "has recordCount " + count + ", expected at most " + room
                        + " (its " + (sizeInBytes() - HEADER_LENGTH) + "-byte records section fits no more "
                        + RecordBatchLayout.MIN_RECORD_SIZE + "-byte records)");
            }
        }
        return this;
    }

    /**
     * The structural checks that make reading the header and the records section safe: the header
     * within the buffer, {@code 49 <= batchLength}, size within the buffer and at most
     * {@code maxBatchSize}, magic 2. No CRC.
     */
    void checkBounds(int maxBatchSize) {
        long available = (long) buffer.limit() - offset;
        if (offset < 0 || available < HEADER_LENGTH) {
            throw corrupt("batchLength", "is truncated: " + Math.max(available, 0) + " bytes remain, expected at least the "
                    + HEADER_LENGTH + "-byte header");
        }
        int length = batchLength();
        if (length < RecordBatchLayout.MIN_BATCH_LENGTH) {
            throw corrupt("batchLength", "has batchLength " + length + ", expected at least "
                    + RecordBatchLayout.MIN_BATCH_LENGTH + " (a header without records)");
        }
        long size = (long) length + LOG_OVERHEAD;
        if (size > maxBatchSize) {
            throw corrupt("batchLength", "has batchLength " + length + " (" + size + " bytes), expected at most "
                    + maxBatchSize + " bytes (the maximum batch size)");
        }
        if (size > available) {
            throw corrupt("batchLength", "has batchLength " + length + " (" + size + " bytes), but only " + available
                    + " bytes remain: the batch is truncated");
        }
        byte magic = magic();
        if (magic != RecordBatchLayout.MAGIC) {
            throw corrupt("magic", "has magic " + magic + ", expected " + RecordBatchLayout.MAGIC
                    + " (only Kafka RecordBatch v2 is supported)");
        }
    }

    /**
     * A cursor over this batch's records (decompressing through {@code codecs} into a buffer from
     * {@code allocator} when compressed). Close it to give that buffer back.
     *
     * @throws CorruptRecordException if the batch's bounds are wrong or it does not decompress
     */
    public RecordCursor records(CodecResolver codecs, BufferAllocator allocator) {
        return new RecordCursor(codecs, allocator).reset(this);
    }

    /** A cursor over an uncompressed batch's records; a compressed batch fails with a clear error. */
    public RecordCursor records() {
        return records(CodecResolver.uncompressedOnly(), BufferAllocator.HEAP);
    }

    CorruptRecordException corrupt(String field, String problem) {
        return new CorruptRecordException(position, field, "batch at position " + position + " " + problem);
    }

    static String hex(long crc) {
        return String.format("0x%08x", crc);
    }

    /** One line as {@code rivven dump} prints it (fields read as they are, valid or not). */
    @Override
    public String toString() {
        if (buffer == null) {
            return "RecordBatch[unwrapped]";
        }
        if ((long) buffer.limit() - offset < HEADER_LENGTH) {
            return "RecordBatch[position=" + position + ", truncated header]";
        }
        return "RecordBatch[position=" + position + ", baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset()
                + ", count=" + recordCount() + ", size=" + sizeInBytes() + ", magic=" + magic() + ", codec=" + codecId()
                + ", timestampType=" + timestampType() + ", baseTimestamp=" + baseTimestamp() + ", maxTimestamp="
                + maxTimestamp() + ", producerId=" + producerId() + ", producerEpoch=" + producerEpoch()
                + ", baseSequence=" + baseSequence() + ", transactional=" + isTransactional() + ", control="
                + isControlBatch() + ", crc=" + hex(checksum()) + "]";
    }
}
