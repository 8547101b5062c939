package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.CorruptRecordException;
import java.nio.ByteBuffer;

/**
 * What a partition checks of a ready batch ({@link PartitionLog#appendBatch}) before it takes its
 * offsets, as Kafka's {@code LogValidator} does for a producer's batch: the header and CRC (and
 * the size limit), that the buffer holds exactly one batch, that it has records with contiguous
 * offset deltas {@code 0..n-1}, that its codec is loaded and, when it is uncompressed, that every
 * record parses. Compressed records are not decompressed to check them (see
 * {@link #validateRecords}).
 *
 * <p>Thread safety: immutable; {@link #validate} may run in many threads at once (it allocates
 * its own view and cursor) and takes no lock.
 *
 * <p>Errors: a {@link CorruptRecordException} naming the field and the position (relative to the
 * batch); the checks made here name the partition too. The buffer is neither modified nor consumed.
 */
final class ReadyBatchValidator {

    private final String name;
    private final int maxBatchBytes;
    private final CodecResolver codecs;

    /**
     * @param name          the partition ({@code topic-n}), for messages
     * @param maxBatchBytes larger batches are refused
     * @param codecs        the codecs loaded (a batch of any other codec is refused)
     */
    ReadyBatchValidator(String name, int maxBatchBytes, CodecResolver codecs) {
        this.name = name;
        this.maxBatchBytes = maxBatchBytes;
        this.codecs = codecs;
    }

    /**
     * Validates the batch at {@code batch}'s position, which must be its only content.
     *
     * @return a view of the batch
     * @throws CorruptRecordException if it fails a check
     */
    RecordBatch validate(ByteBuffer batch) {
        RecordBatch view = new RecordBatch().wrap(batch, batch.position());
        view.ensureValid(maxBatchBytes);
        if (view.sizeInBytes() != batch.remaining()) {
            throw new CorruptRecordException(0, "batchLength", name + ": buffer holds " + batch.remaining() + " bytes but the batch at its start is "
                    + view.sizeInBytes() + " bytes; append one batch per call");
        }
        if (view.recordCount() == 0) { // Kafka's LogValidator refuses it too ("Invalid reported count")
            throw new CorruptRecordException(0, "recordCount", name + ": batch holds no records (recordCount 0, "
                    + (view.isCompressed() ? "codec id " + view.codecId() + ", " : "uncompressed, ")
                    + (view.sizeInBytes() - RecordBatchLayout.HEADER_LENGTH) + "-byte records section): it has no offsets to"
                    + " assign; append a batch of at least one record");
        }
        if (view.recordCount() != view.lastOffsetDelta() + 1) {
            throw new CorruptRecordException(0, "lastOffsetDelta", name + ": batch has " + view.recordCount() + " records but last offset delta "
                    + view.lastOffsetDelta() + "; a producer batch has contiguous offset deltas 0..n-1");
        }
        validateRecords(view);
        return view;
    }

    /**
     * Checks what a producer batch's CRC cannot: that its codec is loaded (else no consumer could
     * read it) and, when it is uncompressed, that every record parses (framing, varints, lengths,
     * headers: a walk over the bytes already in memory, nothing copied). A batch failing either is
     * refused here, not stored for every consumer to fail on. Compressed records are not
     * decompressed to check them, as the "validate CRC and header, assign offsets without
     * re-encoding" asks: Kafka's {@code LogValidator} does decompress them, which measured here
     * brings a ready lz4 or zstd batch's append down to Kafka's speed (docs/performance.md).
     *
     * @throws CorruptRecordException naming the position and the field
     */
    private void validateRecords(RecordBatch view) {
        if (view.isCompressed()) {
            view.codec(codecs);
            return;
        }
        try (RecordCursor records = new RecordCursor(CodecResolver.uncompressedOnly(), BufferAllocator.HEAP)) {
            records.reset(view);
            while (records.next()) {
                // next() checks each record's framing, varints, lengths and headers
            }
        }
    }
}
