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
        Map.Entry<Long, Segment> e = segments.firstEntry();
        while (e != null) {
            Segment s = e.getValue();
            if (!s.retain()) {
                e = afterLost(s);
                continue;
            }
            boolean lost = false;
            try {
                OptionalLong found = offsetForTimestamp(s, timestamp);
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException ex) {
                if (segments.get(s.baseOffset()) == s) {
                    throw new StorageException(name + ": timestamp lookup in " + s.logFile() + " failed: " + ex.getMessage(), ex);
                }
                lost = true;
            } finally {
                s.release();
            }
            e = lost ? afterLost(s) : segments.higherEntry(s.baseOffset());
        }
        checkOpen();
        return OptionalLong.empty();
    }

    /** The lookup in one retained segment. */
    private OptionalLong offsetForTimestamp(Segment s, long timestamp) throws IOException {
        if (s.maxTimestamp() < timestamp) {
            return OptionalLong.empty();
        }
        long lso = log.logStartOffset();
        TimestampOffset from = s.timeLookup(timestamp);
        long limit = s.size();
        long pos = s.positionOf(Math.max(from.offset(), lso), limit);
        if (pos < 0) {
            return OptionalLong.empty();
        }
        return scanForTimestamp(s, pos, limit, timestamp, lso);
    }

    /**
     * Where a timestamp lookup goes on after {@code s} left the map under it, as the map says now:
     * to its replacement by an index repair (the same records: skipping it answered with a later
     * offset), or past it when retention deleted it (its records are below the log start now).
     */
    private Map.Entry<Long, Segment> afterLost(Segment s) {
        checkOpen(); // a closed partition released every segment
        Map.Entry<Long, Segment> now = segments.ceilingEntry(s.baseOffset());
        return now == null || now.getValue() != s ? now : segments.higherEntry(s.baseOffset());
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
