package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import io.rivven.api.index.TimestampOffset;
import io.rivven.api.io.IoFile;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.metrics.EngineMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The read side of a {@link PartitionLog}: fetches by offset and lookups by timestamp, lock-free.
 *
 * <p>A read takes the high watermark and the log start offset (volatiles) first, then finds the
 * segment in the concurrent segment map and {@linkplain Segment#retain() retains} it, then reads
 * its published size: everything below that size is whole, indexed batches, and covers every
 * offset below the high watermark taken before. If the segment was deleted by retention or
 * replaced by an index repair in between, the retain fails (or its file is gone) and the read
 * starts over, by then against a moved log start offset.
 *
 * <p>Thread safety: any number of threads.
 */
final class PartitionReader {

    private final String name;
    private final PartitionLog log;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final CodecResolver codecs;
    private final EngineMetrics metrics;

    PartitionReader(String name, PartitionLog log, ConcurrentSkipListMap<Long, Segment> segments, CodecResolver codecs,
                    EngineMetrics metrics) {
        this.name = name;
        this.log = log;
        this.segments = segments;
        this.codecs = codecs;
        this.metrics = metrics;
    }

    /**
     * Whole batches from the one holding {@code offset}, up to {@code maxBytes} (at least one batch,
     * even a larger one), from a single segment, exactly as stored (not decoded, not copied). Close
     * the result. The first batch may start below {@code offset} (a batch is never split).
     *
     * @throws OffsetOutOfRangeException if {@code offset} is below the log start offset or above the
     *         high watermark (retention may move the log start above an offset while it is read)
     * @throws StorageException if the partition is closed or the segment cannot be read
     */
    FetchResult read(long offset, int maxBytes) {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            checkOpen();
            long hw = log.highWatermark();
            long lso = log.logStartOffset();
            if (offset < lso || offset > hw) {
                throw new OffsetOutOfRangeException(name + ": offset " + offset + " is outside the log [" + lso + ", " + hw
                        + "]; read from the log start offset (" + lso + ") or the high watermark");
            }
            if (offset == hw) {
                return FetchResult.empty(hw, lso);
            }
            FetchResult r = readFrom(offset, maxBytes, hw, lso);
            if (r != null) {
                metrics.read(r.sizeInBytes(), System.nanoTime() - start);
                return r;
            }
            if (attempt >= 10) {
                throw new StorageException(name + ": read at offset " + offset + " found no batch in the log [" + lso + ", " + hw
                        + ") after " + attempt + " attempts while segments were deleted or replaced under it");
            }
            Thread.onSpinWait();
        }
    }

    /** One attempt of {@link #read}; null when segments changed under it (retention, index repair). */
    private FetchResult readFrom(long offset, int maxBytes, long hw, long lso) {
        Map.Entry<Long, Segment> e = segments.floorEntry(offset);
        if (e == null) {
            return null;
        }
        for (Segment s = e.getValue(); s != null; s = next(s)) {
            if (!s.retain()) {
                return null; // deleted or replaced under us: start over
            }
            boolean keep = false;
            try {
                long limit = s.size();
                long pos = s.positionOf(offset, limit);
                if (pos < 0) {
                    continue; // the offset is in a later segment
                }
                long end = s.endOfBatches(pos, maxBytes, limit);
                keep = true;
                return new FetchResult(s, pos, (int) (end - pos), hw, lso);
            } catch (IOException ex) {
                if (segments.get(s.baseOffset()) != s) {
                    return null; // deleted by retention meanwhile (its file was renamed before it was opened)
                }
                throw new StorageException(name + ": read at offset " + offset + " from " + s.logFile() + " failed: "
                        + ex.getMessage(), ex);
            } finally {
                if (!keep) {
                    s.release();
                }
            }
        }
        return null;
    }

    private Segment next(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.baseOffset());
        return e == null ? null : e.getValue();
    }

    /**
     * The offset of the first record whose timestamp is {@code >= timestamp}, or empty if every
     * record is older. Finds the first segment whose largest timestamp reaches it, starts from its
     * time index's entry, and decodes at most the batches from there on.
     *
     * @throws StorageException if the partition is closed (before or during the lookup: its
     *         segments, released, are skipped, which must not read as "every record is older")
     */
    OptionalLong offsetForTimestamp(long timestamp) {
        checkOpen();
        for (Segment s : segments.values()) {
            if (!s.retain()) {
                continue;
            }
            try {
                if (s.maxTimestamp() < timestamp) {
                    continue;
                }
                long lso = log.logStartOffset();
                TimestampOffset from = s.timeLookup(timestamp);
                long limit = s.size();
                long pos = s.positionOf(Math.max(from.offset(), lso), limit);
                if (pos < 0) {
                    continue;
                }
                OptionalLong found = scanForTimestamp(s, pos, limit, timestamp, lso);
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                if (segments.get(s.baseOffset()) == s) {
                    throw new StorageException(name + ": timestamp lookup in " + s.logFile() + " failed: " + e.getMessage(), e);
                }
                // deleted or replaced meanwhile: later segments hold later records
            } finally {
                s.release();
            }
        }
        checkOpen();
        return OptionalLong.empty();
    }

    private void checkOpen() {
        if (log.isClosed()) {
            throw new StorageException(name + ": partition is closed");
        }
    }

    private OptionalLong scanForTimestamp(Segment s, long from, long limit, long timestamp, long minOffset) throws IOException {
        IoFile f = s.log();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_LENGTH);
        long pos = from;
        while (pos < limit) {
            header.clear();
            f.readFully(header, pos);
            int size = RecordBatchLayout.sizeInBytes(header, 0);
            if (size < RecordBatchLayout.HEADER_LENGTH || pos + size > limit) {
                throw new IOException(s.logFile() + ": no valid batch header at position " + pos + "; run 'rivven verify'");
            }
            if (RecordBatchLayout.maxTimestamp(header, 0) >= timestamp
                    && RecordBatchLayout.baseOffset(header, 0) + RecordBatchLayout.lastOffsetDelta(header, 0) >= minOffset) {
                ByteBuffer whole = ByteBuffer.allocate(size);
                f.readFully(whole, pos);
                whole.flip();
                RecordBatch batch = RecordBatch.of(whole);
                try (RecordCursor c = batch.records(codecs, BufferAllocator.HEAP)) {
                    while (c.next()) {
                        if (c.timestamp() >= timestamp && c.offset() >= minOffset) {
                            return OptionalLong.of(c.offset());
                        }
                    }
                }
            }
            pos += size;
        }
        return OptionalLong.empty();
    }
}
