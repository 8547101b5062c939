package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.HEADER_LENGTH;

import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/**
 * What {@link RecordBatchWriter} refuses, and the exceptions it throws: the batch shapes Kafka's
 * {@code MemoryRecordsBuilder} refuses (a record timestamp below -1; a transactional batch without a
 * producer id; a producer id with producer epoch -1 or, outside a control batch, a negative base
 * sequence), a codec id that does not fit the attributes, offsets that do not increase, a record
 * too large for a batch, and calls in the wrong state. Readers still accept such batches, as
 * Kafka's do.
 *
 * <p>The exceptions are built here, out of the writer's per-record methods, so that those stay
 * small enough to inline; each says what was given, what is expected and how to fix it. Stateless
 * and thread-safe.
 */
final class BatchChecks {

    private BatchChecks() {
    }

    /** Refuses a codec whose id does not fit attribute bits 0-2 ({@link IllegalArgumentException}). */
    static void checkCodecId(Codec codec) {
        if (codec != null && (codec.id() < 0 || codec.id() > CodecProvider.MAX_ID)) {
            throw new IllegalArgumentException("codec '" + codec.name() + "' has id " + codec.id()
                    + ", which does not fit attribute bits 0-2 (0-" + CodecProvider.MAX_ID + ")");
        }
    }

    /**
     * Kafka's {@code MemoryRecordsBuilder.validateProducerState}, at build (the setters may come in
     * any order): throws {@link IllegalStateException} naming the field.
     */
    static void checkProducerFields(boolean transactional, boolean control, long producerId, short producerEpoch,
            int baseSequence) {
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

    /** A record timestamp below -1, for record {@code index} of the batch. */
    static IllegalArgumentException badTimestamp(int index, long timestamp) {
        return new IllegalArgumentException("record " + index + " of the batch has timestamp " + timestamp
                + ", expected -1 (none) or at least 0 (ms since the epoch), as Kafka's producer requires");
    }

    /** An offset given to {@code appendWithOffset} that is not above the last one or too far from the base. */
    static IllegalArgumentException badOffset(long offset, long baseOffset, int lastOffsetDelta) {
        return new IllegalArgumentException("offset " + offset + " must be above the last appended offset "
                + (baseOffset + lastOffsetDelta) + " and at most base offset " + baseOffset + " + " + Integer.MAX_VALUE);
    }

    /** A record past offset delta {@link Integer#MAX_VALUE}. */
    static IllegalStateException tooManyOffsets() {
        return new IllegalStateException("a batch spans at most " + Integer.MAX_VALUE + " offsets");
    }

    /** A build with no record appended. */
    static IllegalStateException noRecords() {
        return new IllegalStateException("no records appended: a batch holds at least one record");
    }

    /** A record of {@code body} bytes that does not fit after the {@code used} bytes of records. */
    static IllegalArgumentException tooLarge(long body, int used) {
        return new IllegalArgumentException("record of " + body + " bytes does not fit in a batch of at most "
                + BatchBuffers.MAX_CAPACITY + " bytes (" + (HEADER_LENGTH + used) + " used)");
    }

    /** A write to a writer that is closed, has built its batch, or has no batch started. */
    static IllegalStateException notWritable(boolean closed, boolean built) {
        if (closed) {
            return closed();
        }
        if (built) {
            return new IllegalStateException("batch already built: call reset() to start the next one");
        }
        return notStarted();
    }

    static IllegalStateException closed() {
        return new IllegalStateException("writer closed");
    }

    static IllegalStateException notStarted() {
        return new IllegalStateException("no batch started: call reset() first");
    }
}
