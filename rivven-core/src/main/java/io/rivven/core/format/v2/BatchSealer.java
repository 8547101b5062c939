package io.rivven.core.format.v2;

import io.rivven.api.codec.Codec;
import io.rivven.core.record.TimestampType;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The last step of {@link RecordBatchWriter#build()}: once the records (or their compressed stream)
 * sit after the header, writes the 61-byte header ({@link RecordBatchLayout#putHeader}) with the
 * attributes the writer's flags give, then the CRC-32C over attributes → end of batch, computed once
 * over the whole batch (on the backing array when there is one, else through a reusable view).
 *
 * <p>Holds one {@link CRC32C}, reset per batch: nothing is allocated per batch. Errors: none of its
 * own (the writer has checked the fields and sized the buffer). Not thread-safe: owned by one writer.
 */
final class BatchSealer {

    private final CRC32C crc = new CRC32C();

    /** The attributes field: codec id in bits 0-2, then the timestamp type, transactional, control and delete horizon bits. */
    static short attributes(Codec codec, TimestampType timestampType, boolean transactional, boolean control,
            boolean hasDeleteHorizon) {
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
        return (short) attributes;
    }

    /**
     * Writes the header of the {@code size}-byte batch at index 0 of {@code out}, then its CRC.
     *
     * @param outView a view of {@code out} whose position and limit this may change
     */
    void seal(ByteBuffer out, ByteBuffer outView, int size, long baseOffset, int partitionLeaderEpoch,
            short attributes, int lastOffsetDelta, long baseTimestamp, long maxTimestamp, long producerId,
            short producerEpoch, int baseSequence, int count) {
        RecordBatchLayout.putHeader(out, 0, baseOffset, size - RecordBatchLayout.LOG_OVERHEAD, partitionLeaderEpoch,
                attributes, lastOffsetDelta, baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence,
                count);
        RecordBatchLayout.putCrc(out, 0, RecordBatchLayout.crc32c(crc, out, outView, RecordBatchLayout.CRC_START_OFFSET, size));
    }
}
