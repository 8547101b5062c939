package io.rivven.core.format.v2;

import static io.rivven.core.format.v2.RecordBatchLayout.LOG_OVERHEAD;

import io.rivven.api.Evolving;
import io.rivven.core.record.CorruptRecordException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Scans back-to-back batches in a buffer: a whole {@code .log} file or a region of it, read into
 * memory or mapped. Each {@link #next()} validates one batch ({@link RecordBatch#ensureValid}) and
 * returns a reusable view of it.
 *
 * <pre>{@code
 * RecordBatchReader r = new RecordBatchReader(region).source(path.toString()).basePosition(regionStart);
 * for (RecordBatch b; (b = r.next()) != null; ) { ... }
 * if (r.partialBytes() > 0) { ... a torn write at r.position(): truncate there }
 * }</pre>
 *
 * <p>End of data: the scan ends cleanly ({@code next()} returns null) at the end of the region or at
 * a <em>partial trailing batch</em>: fewer than 12 bytes left, or a length field (plausible:
 * at least 49, at most the maximum batch size, and magic 2 if readable) that claims more bytes than
 * are left. {@link #validBytes()} then says how many bytes of complete valid batches precede it
 * and {@link #partialBytes()} how many bytes the partial batch has.
 *
 * <p>Corruption: an implausible length, wrong magic, a CRC mismatch, inconsistent counts or (when
 * asked) an offset not above the previous batch's throw {@link CorruptRecordException} whose message
 * names the {@linkplain #source source}, the batch's position (the {@linkplain #basePosition base
 * position} plus its index in the region) and the field. {@link #validBytes()} and
 * {@link #position()} still point at the start of the bad batch, which is where recovery truncates;
 * calling {@code next()} again throws again.
 *
 * <p>Records are not decoded: iterate a batch with {@link RecordBatch#records}. The view returned
 * by {@code next()} is re-wrapped by the following call. Not thread-safe; the buffer is only read.
 */
@Evolving
public final class RecordBatchReader {

    private final ByteBuffer buffer;
    private final int start;
    private final int limit;
    private final RecordBatch batch = new RecordBatch();

    private String source;
    private long basePosition;
    private int maxBatchSize = RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE;
    private boolean verifyChecksums = true;
    private boolean requireIncreasingOffsets;

    private int next;               // index of the next batch
    private int partialBytes;
    private long lastOffset = Long.MIN_VALUE;
    private boolean any;

    /** A reader over {@code region}'s remaining bytes (its position and limit are not changed). */
    public RecordBatchReader(ByteBuffer region) {
        this.buffer = Objects.requireNonNull(region, "region");
        this.start = region.position();
        this.limit = region.limit();
        this.next = start;
    }

    /** Names the data in error messages, usually the file's absolute path. */
    public RecordBatchReader source(String source) {
        this.source = source;
        return this;
    }

    /** The position of the region's first byte in its file (default 0): added to every reported position. */
    public RecordBatchReader basePosition(long basePosition) {
        this.basePosition = basePosition;
        return this;
    }

    /** Batches larger than this are corrupt (default {@link RecordBatchLayout#DEFAULT_MAX_BATCH_SIZE}). */
    public RecordBatchReader maxBatchSize(int maxBatchSize) {
        if (maxBatchSize < RecordBatchLayout.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxBatchSize " + maxBatchSize + " is below the "
                    + RecordBatchLayout.HEADER_LENGTH + "-byte header");
        }
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /** Whether to check each batch's CRC-32C (default true; the other checks always run). */
    public RecordBatchReader verifyChecksums(boolean verify) {
        this.verifyChecksums = verify;
        return this;
    }

    /**
     * Whether each batch's base offset must be above the previous batch's last offset, as in a log
     * segment (default false: buffers of batches not yet given offsets repeat them).
     */
    public RecordBatchReader requireIncreasingOffsets(boolean require) {
        this.requireIncreasingOffsets = require;
        return this;
    }

    /**
     * The next complete, valid batch.
     *
     * @return a view of it (reused by the next call), or null at the end of the region or at a
     *         partial trailing batch (see {@link #partialBytes()})
     * @throws CorruptRecordException if the next batch is corrupt
     */
    public RecordBatch next() {
        int at = next;
        int remaining = limit - at;
        partialBytes = 0;
        if (remaining == 0) {
            return null;
        }
        long position = basePosition + (at - start);
        if (remaining < LOG_OVERHEAD) {
            partialBytes = remaining;
            return null;
        }
        batch.wrap(buffer, at, position);
        try {
            int length = RecordBatchLayout.batchLength(buffer, at);
            if (length < RecordBatchLayout.MIN_BATCH_LENGTH) {
                throw batch.corrupt("batchLength", "has batchLength " + length + ", expected at least "
                        + RecordBatchLayout.MIN_BATCH_LENGTH + " (a header without records)");
            }
            long size = (long) length + LOG_OVERHEAD;
            if (size > maxBatchSize) {
                throw batch.corrupt("batchLength", "has batchLength " + length + " (" + size
                        + " bytes), expected at most " + maxBatchSize + " bytes (the maximum batch size)");
            }
            if (remaining >= RecordBatchLayout.HEADER_LENGTH_UP_TO_MAGIC) {
                byte magic = RecordBatchLayout.magic(buffer, at);
                if (magic != RecordBatchLayout.MAGIC) {
                    throw batch.corrupt("magic", "has magic " + magic + ", expected " + RecordBatchLayout.MAGIC
                            + " (only Kafka RecordBatch v2 is supported)");
                }
            }
            if (size > remaining) {
                partialBytes = remaining;
                return null;
            }
            if (verifyChecksums) {
                batch.ensureValid(maxBatchSize);
            } else {
                batch.checkBounds(maxBatchSize);
            }
            if (requireIncreasingOffsets && any && batch.baseOffset() <= lastOffset) {
                throw batch.corrupt("baseOffset", "has baseOffset " + batch.baseOffset()
                        + ", expected above the previous batch's last offset " + lastOffset);
            }
            next = at + (int) size;
            lastOffset = batch.lastOffset();
            any = true;
            return batch;
        } catch (CorruptRecordException e) {
            throw e.withSource(source);
        }
    }

    /** Bytes of complete, valid batches read so far (from the region's start). */
    public long validBytes() {
        return next - start;
    }

    /** The position where the next batch starts (or the bad or partial one is): base position + valid bytes. */
    public long position() {
        return basePosition + validBytes();
    }

    /** The size of the incomplete batch the last {@link #next()} stopped at, or 0. */
    public int partialBytes() {
        return partialBytes;
    }

    /** Whether every byte of the region was read as complete, valid batches. */
    public boolean isAtEnd() {
        return next == limit;
    }
}
