package io.rivven.core.format.v2;

import io.rivven.api.Evolving;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The layout of a Kafka RecordBatch v2 (magic 2), the unit of every {@code .log} file: offsets,
 * lengths and static accessors over a {@link ByteBuffer} holding a batch at index {@code at}.
 * Every multi-byte header field is <b>big-endian</b>, whatever the buffer's own byte order; the
 * accessors never move a buffer's position or limit.
 *
 * <pre>
 *  byte  size  field                                         CRC-32C
 * +-----+----+----------------------------------------------+------+
 * |   0 |  8 | baseOffset            int64                  |      |
 * |   8 |  4 | batchLength           int32  (size - 12)     |      |
 * |  12 |  4 | partitionLeaderEpoch  int32                  |      |
 * |  16 |  1 | magic                 int8   = 2             |      |
 * |  17 |  4 | crc                   uint32                 |      |
 * +-----+----+----------------------------------------------+------+
 * |  21 |  2 | attributes            int16                  |  ##  |
 * |  23 |  4 | lastOffsetDelta       int32                  |  ##  |
 * |  27 |  8 | baseTimestamp         int64                  |  ##  |
 * |  35 |  8 | maxTimestamp          int64                  |  ##  |
 * |  43 |  8 | producerId            int64  (-1 unused)     |  ##  |
 * |  51 |  2 | producerEpoch         int16  (-1 unused)     |  ##  |
 * |  53 |  4 | baseSequence          int32  (-1 unused)     |  ##  |
 * |  57 |  4 | recordCount           int32                  |  ##  |
 * |  61 |  n | records (compressed as one stream if codec)  |  ##  |
 * +-----+----+----------------------------------------------+------+
 *
 *  attributes: bits 0-2 codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd, 5-7 plugins),
 *              bit 3 timestamp type (1 = log append time), bit 4 transactional,
 *              bit 5 control batch, bit 6 baseTimestamp is the delete horizon; bits 7-15 zero
 * </pre>
 *
 * <p>The records section (from {@link #RECORDS_OFFSET} to the end) holds {@code recordCount} records,
 * compressed as one stream by the codec in the attributes when its id is not 0. Each record:
 * <pre>
 *   length          varint   bytes of the record after this field
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  timestamp - baseTimestamp
 *   offsetDelta     varint   offset - baseOffset
 *   keyLength       varint   -1 for a null key
 *   key             keyLength bytes
 *   valueLength     varint   -1 for a null value
 *   value           valueLength bytes
 *   headerCount     varint
 *   headers         headerCount x (keyLength varint, UTF-8 key, valueLength varint (-1 null), value)
 * </pre>
 * All varints are zigzag ({@link Varints}).
 *
 * <p>Worked example: one record with key {@code "k"}, value {@code "v"}, no headers, at offset 0 of
 * a batch with base offset 0: the record is {@code 10 00 00 00 02 6b 02 76 00} (length 8 zigzag =
 * 0x10, attributes 0, deltas 0, key length 1 zigzag = 2, 'k', value length 2 (1 zigzag), 'v', no headers), the
 * batch is 61 + 9 = 70 bytes and its batchLength field holds 58.
 *
 * <p>Integrity: {@code baseOffset}, {@code batchLength} and {@code partitionLeaderEpoch} lie
 * <em>outside</em> the CRC, which covers attributes to the end. The log engine therefore assigns
 * offsets by rewriting {@code baseOffset} in place ({@link #putBaseOffset}) without re-encoding or
 * re-checksumming, as Kafka does; a torn or garbage length is caught by the size bounds and the
 * CRC of what it claims to frame.
 *
 * <p>Stateless and thread-safe (the buffers are the caller's business).
 */
@Evolving
public final class RecordBatchLayout {

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BASE_OFFSET_LENGTH = 8;
    public static final int BATCH_LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH; // 8
    public static final int BATCH_LENGTH_LENGTH = 4;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH; // 12
    public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH; // 16
    public static final int MAGIC_LENGTH = 1;
    public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH; // 17
    public static final int CRC_LENGTH = 4;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH; // 21
    public static final int ATTRIBUTES_LENGTH = 2;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH; // 23
    public static final int LAST_OFFSET_DELTA_LENGTH = 4;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH; // 27
    public static final int BASE_TIMESTAMP_LENGTH = 8;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH; // 35
    public static final int MAX_TIMESTAMP_LENGTH = 8;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH; // 43
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH; // 51
    public static final int PRODUCER_EPOCH_LENGTH = 2;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH; // 53
    public static final int BASE_SEQUENCE_LENGTH = 4;
    public static final int RECORD_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH; // 57
    public static final int RECORD_COUNT_LENGTH = 4;
    public static final int RECORDS_OFFSET = RECORD_COUNT_OFFSET + RECORD_COUNT_LENGTH; // 61

    /** The fixed header: 61 bytes. */
    public static final int HEADER_LENGTH = RECORDS_OFFSET;
    /** Bytes not counted by batchLength: baseOffset and batchLength themselves (12). */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + BATCH_LENGTH_LENGTH;
    /** The smallest valid batchLength: a header without records (49). */
    public static final int MIN_BATCH_LENGTH = HEADER_LENGTH - LOG_OVERHEAD;
    /** Bytes needed to read up to and including the magic byte (17). */
    public static final int HEADER_LENGTH_UP_TO_MAGIC = MAGIC_OFFSET + MAGIC_LENGTH;
    /** The first byte covered by the CRC. */
    public static final int CRC_START_OFFSET = ATTRIBUTES_OFFSET;

    /** The magic byte of this format. */
    public static final byte MAGIC = 2;

    /** The smallest encoded record: a 1-byte length and 6 one-byte fields (7). */
    public static final int MIN_RECORD_SIZE = 7;
    /** The smallest record body after its length varint (6). */
    public static final int MIN_RECORD_BODY_SIZE = MIN_RECORD_SIZE - 1;

    public static final int CODEC_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_MASK = 0x10;
    public static final int CONTROL_MASK = 0x20;
    public static final int DELETE_HORIZON_MASK = 0x40;

    /** producerId, producerEpoch, baseSequence and partitionLeaderEpoch when unused. */
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    /** A timestamp that was not given (Kafka's {@code NO_TIMESTAMP}). */
    public static final long NO_TIMESTAMP = -1L;

    /** Readers refuse batches larger than this unless told otherwise: 64 MiB. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 64 << 20;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private RecordBatchLayout() {
    }

    public static long baseOffset(ByteBuffer b, int at) {
        return (long) LONG.get(b, at + BASE_OFFSET_OFFSET);
    }

    /**
     * Re-stamps the base offset of the batch at {@code at}. The field is outside the CRC, so the
     * batch stays valid: this is how the log assigns offsets to a ready batch without re-encoding.
     */
    public static void putBaseOffset(ByteBuffer b, int at, long baseOffset) {
        LONG.set(b, at + BASE_OFFSET_OFFSET, baseOffset);
    }

    public static int batchLength(ByteBuffer b, int at) {
        return (int) INT.get(b, at + BATCH_LENGTH_OFFSET);
    }

    /** The whole batch's size: batchLength + 12. May be garbage (even negative) before validation. */
    public static int sizeInBytes(ByteBuffer b, int at) {
        return batchLength(b, at) + LOG_OVERHEAD;
    }

    public static int partitionLeaderEpoch(ByteBuffer b, int at) {
        return (int) INT.get(b, at + PARTITION_LEADER_EPOCH_OFFSET);
    }

    /** Re-stamps the partition leader epoch; outside the CRC like {@link #putBaseOffset}. */
    public static void putPartitionLeaderEpoch(ByteBuffer b, int at, int epoch) {
        INT.set(b, at + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    public static byte magic(ByteBuffer b, int at) {
        return b.get(at + MAGIC_OFFSET);
    }

    /** The stored CRC as an unsigned 32-bit value. */
    public static long crc(ByteBuffer b, int at) {
        return Integer.toUnsignedLong((int) INT.get(b, at + CRC_OFFSET));
    }

    public static short attributes(ByteBuffer b, int at) {
        return (short) SHORT.get(b, at + ATTRIBUTES_OFFSET);
    }

    public static int lastOffsetDelta(ByteBuffer b, int at) {
        return (int) INT.get(b, at + LAST_OFFSET_DELTA_OFFSET);
    }

    public static long baseTimestamp(ByteBuffer b, int at) {
        return (long) LONG.get(b, at + BASE_TIMESTAMP_OFFSET);
    }

    public static long maxTimestamp(ByteBuffer b, int at) {
        return (long) LONG.get(b, at + MAX_TIMESTAMP_OFFSET);
    }

    public static long producerId(ByteBuffer b, int at) {
        return (long) LONG.get(b, at + PRODUCER_ID_OFFSET);
    }

    public static short producerEpoch(ByteBuffer b, int at) {
        return (short) SHORT.get(b, at + PRODUCER_EPOCH_OFFSET);
    }

    public static int baseSequence(ByteBuffer b, int at) {
        return (int) INT.get(b, at + BASE_SEQUENCE_OFFSET);
    }

    public static int recordCount(ByteBuffer b, int at) {
        return (int) INT.get(b, at + RECORD_COUNT_OFFSET);
    }

    /**
     * Writes the whole 61-byte header at {@code at} except the CRC (left as is); the writer
     * computes the CRC last with {@link #putCrc}.
     */
    public static void putHeader(ByteBuffer b, int at, long baseOffset, int batchLength, int partitionLeaderEpoch,
            short attributes, int lastOffsetDelta, long baseTimestamp, long maxTimestamp, long producerId,
            short producerEpoch, int baseSequence, int recordCount) {
        LONG.set(b, at + BASE_OFFSET_OFFSET, baseOffset);
        INT.set(b, at + BATCH_LENGTH_OFFSET, batchLength);
        INT.set(b, at + PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
        b.put(at + MAGIC_OFFSET, MAGIC);
        SHORT.set(b, at + ATTRIBUTES_OFFSET, attributes);
        INT.set(b, at + LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        LONG.set(b, at + BASE_TIMESTAMP_OFFSET, baseTimestamp);
        LONG.set(b, at + MAX_TIMESTAMP_OFFSET, maxTimestamp);
        LONG.set(b, at + PRODUCER_ID_OFFSET, producerId);
        SHORT.set(b, at + PRODUCER_EPOCH_OFFSET, producerEpoch);
        INT.set(b, at + BASE_SEQUENCE_OFFSET, baseSequence);
        INT.set(b, at + RECORD_COUNT_OFFSET, recordCount);
    }

    /** Stores {@code crc} (the low 32 bits) in the CRC field. */
    public static void putCrc(ByteBuffer b, int at, long crc) {
        INT.set(b, at + CRC_OFFSET, (int) crc);
    }

    /**
     * Computes the CRC-32C of a batch of {@code sizeInBytes} bytes at {@code at}: over its bytes from
     * {@link #CRC_START_OFFSET} to its end. The caller checks that the batch lies within the buffer.
     */
    public static long computeCrc(ByteBuffer b, int at, int sizeInBytes) {
        return crc32c(new CRC32C(), b, b.hasArray() ? null : b.duplicate(), at + CRC_START_OFFSET, at + sizeInBytes);
    }

    /**
     * Resets {@code crc} and returns the CRC-32C of {@code b}'s bytes from index {@code from} to
     * {@code to}: from the array when {@code b} has one, else through {@code view}, a duplicate of
     * {@code b} whose position and limit this changes (unused, and may be null, when {@code b} has
     * an array). The one CRC routine of the writer, the reader and {@link #computeCrc}.
     */
    static long crc32c(CRC32C crc, ByteBuffer b, ByteBuffer view, int from, int to) {
        crc.reset();
        if (b.hasArray()) {
            crc.update(b.array(), b.arrayOffset() + from, to - from);
        } else {
            crc.update(view.limit(view.capacity()).position(from).limit(to));
        }
        return crc.getValue();
    }

    /** The codec id in attribute bits 0-2. */
    public static byte codecId(short attributes) {
        return (byte) (attributes & CODEC_MASK);
    }
}
