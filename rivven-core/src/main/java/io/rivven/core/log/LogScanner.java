package io.rivven.core.log;

import io.rivven.api.io.IoFile;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Validates the batches of one segment's {@code .log} from its first byte, as recovery,
 * swap completion, index rebuilds and {@code rivven verify} need it: every batch's size bounds,
 * magic, CRC-32C and record counts ({@link RecordBatchReader}), and its offsets: at or above the
 * segment's base offset, above the previous batch's last offset (exactly the next offset when the
 * log is {@linkplain LogConfig#contiguousOffsets() contiguous}), and within the 2^31 offsets a
 * segment can index.
 *
 * <p>The scan stops at the first invalid byte and reports it ({@link Result#invalid()}): a corrupt
 * batch, or an incomplete one at the end of the file (a torn write). Everything before that
 * position is whole, valid batches. A {@link Visitor} that throws {@link CorruptRecordException}
 * (an index decoding keys of a batch whose records are malformed) makes that batch the first
 * invalid one too.
 *
 * <p>Reads in chunks of up to 8 MiB through the {@link IoFile} (positional reads only: the file may
 * be open read-only), growing the chunk for a larger batch up to the maximum batch size. Reuses its
 * buffer from scan to scan: one instance per thread.
 */
final class LogScanner {

    private static final int MAX_CHUNK = 8 << 20;
    private static final int MIN_CHUNK = 64 << 10;

    /** Called for each valid batch, in file order; {@link RecordBatch#position()} is its file position. */
    interface Visitor {
        void visit(RecordBatch batch) throws IOException;
    }

    /** Where and why a scan stopped before the end of the file. */
    record Invalid(long position, String reason) {
    }

    /**
     * What a scan found.
     *
     * @param validBytes   bytes of whole, valid batches from the start (the position of {@link #invalid}, if any)
     * @param fileSize     the file's size when the scan started
     * @param nextOffset   the offset after the last valid batch's last offset (the base offset if none)
     * @param maxTimestamp the largest batch max timestamp among the valid batches, -1 if none
     * @param batches      the number of valid batches
     * @param invalid      the first invalid byte, or null when every byte is valid
     */
    record Result(long validBytes, long fileSize, long nextOffset, long maxTimestamp, long batches, Invalid invalid) {
        boolean isComplete() {
            return invalid == null;
        }
    }

    private final int maxBatchBytes;
    private final boolean contiguous;
    private ByteBuffer chunk;

    LogScanner(int maxBatchBytes, boolean contiguous) {
        this.maxBatchBytes = maxBatchBytes;
        this.contiguous = contiguous;
    }

    /** Scans {@code file}, a segment whose base offset is {@code baseOffset}. */
    Result scan(IoFile file, long baseOffset, Visitor visitor) throws IOException {
        long size = file.size();
        String source = file.path().toAbsolutePath().toString();
        long pos = 0;
        long lastOffset = baseOffset - 1;
        long maxTimestamp = -1;
        long batches = 0;
        ByteBuffer buf = chunk(Math.min(size, MAX_CHUNK));
        while (pos < size) {
            int want = (int) Math.min(buf.capacity(), size - pos);
            buf.clear().limit(want);
            file.readFully(buf, pos);
            buf.flip();
            RecordBatchReader reader = new RecordBatchReader(buf).source(source).basePosition(pos).maxBatchSize(maxBatchBytes);
            try {
                for (RecordBatch batch; (batch = reader.next()) != null; ) {
                    String wrong = checkOffsets(batch, baseOffset, lastOffset);
                    if (wrong == null) {
                        try {
                            visitor.visit(batch);
                        } catch (CorruptRecordException e) {
                            wrong = "its records cannot be decoded: " + e.getMessage();
                        }
                    }
                    if (wrong != null) {
                        return new Result(batch.position(), size, lastOffset + 1, maxTimestamp, batches,
                                new Invalid(batch.position(), source + ": batch at position " + batch.position() + " " + wrong));
                    }
                    lastOffset = batch.lastOffset();
                    maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                    batches++;
                }
            } catch (CorruptRecordException e) {
                long at = pos + reader.validBytes();
                return new Result(at, size, lastOffset + 1, maxTimestamp, batches, new Invalid(at, e.getMessage()));
            }
            long consumed = reader.validBytes();
            int partial = reader.partialBytes();
            if (partial > 0) {
                long at = pos + consumed;
                if (at + partial >= size) {
                    String claimed = partial >= RecordBatchLayout.LOG_OVERHEAD
                            ? "a batch of " + RecordBatchLayout.sizeInBytes(buf, (int) consumed) + " bytes" : "a batch";
                    return new Result(at, size, lastOffset + 1, maxTimestamp, batches, new Invalid(at, source
                            + ": incomplete batch at position " + at + ": the file ends " + (size - at) + " bytes into "
                            + claimed + " (a torn write)"));
                }
                if (consumed == 0) {
                    // a batch larger than the chunk (the reader checked its length against maxBatchBytes)
                    int need = RecordBatchLayout.sizeInBytes(buf, 0);
                    if (need <= buf.capacity()) {
                        throw new IllegalStateException(source + ": scan stalled at position " + pos); // cannot happen
                    }
                    buf = chunk(need);
                    continue;
                }
            }
            pos += consumed;
        }
        return new Result(pos, size, lastOffset + 1, maxTimestamp, batches, null);
    }

    /** What is wrong with the batch's offsets, or null. */
    private String checkOffsets(RecordBatch batch, long baseOffset, long lastOffset) {
        long base = batch.baseOffset();
        if (base < baseOffset) {
            return "has base offset " + base + ", below the segment's base offset " + baseOffset;
        }
        if (base <= lastOffset) {
            return "has base offset " + base + ", expected above the previous batch's last offset " + lastOffset;
        }
        if (contiguous && base != lastOffset + 1) {
            return "has base offset " + base + ", expected " + (lastOffset + 1) + " (offsets of a log that is not"
                    + " compacted are contiguous; the base offset is not covered by the CRC)";
        }
        if (batch.lastOffset() < base || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
            return "has last offset " + batch.lastOffset() + ", outside the offsets a segment with base offset "
                    + baseOffset + " can hold (" + baseOffset + ".." + (baseOffset + Integer.MAX_VALUE) + ")";
        }
        return null;
    }

    private ByteBuffer chunk(long atLeast) {
        int want = (int) Math.max(MIN_CHUNK, atLeast);
        if (chunk == null || chunk.capacity() < want) {
            chunk = ByteBuffer.allocateDirect(want);
        }
        return chunk;
    }
}
