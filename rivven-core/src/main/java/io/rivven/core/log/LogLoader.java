package io.rivven.core.log;

import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchInfo;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.api.BufferAllocator;
import io.rivven.core.index.LazyIndex;
import io.rivven.core.metrics.EngineMetrics;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Opens a partition directory: finishes interrupted file operations, recovers the log after an
 * unclean shutdown and builds the {@link PartitionLog}.
 *
 * <h2>Steps</h2>
 * <ol>
 *   <li>Leftovers: {@code *.deleted} files (a deletion that was interrupted) are removed;
 *       {@code *.cleaned} files (compaction output not yet swapped in) are removed; a
 *       {@code X.log.swap} (compaction output ready to replace the segments it covers) replaces
 *       them: the segments whose base offsets fall in its offset range are deleted, then the swap
 *       file is renamed to {@code X.log} and its indexes are rebuilt; index {@code .swap} files are
 *       removed (indexes are rebuilt); {@code *.tmp} checkpoint files are removed.</li>
 *   <li>Clean shutdown ({@code .clean-shutdown} present): segments are trusted; only the active
 *       segment's tail is walked (from its last offset-index entry) to find the high watermark,
 *       and indexes that are missing or fail their sanity check are rebuilt. The marker is then
 *       removed, so a crash from now on counts as unclean.</li>
 *   <li>Unclean: every segment holding offsets at or above the recovery point is validated batch
 *       by batch (size bounds, magic, CRC-32C, offsets increasing and within the segment); the log
 *       is truncated at the first invalid byte, every later segment is deleted, and the indexes of
 *       every validated segment are rebuilt from the log. Segments below the recovery point were
 *       fsynced before the crash: their indexes are sanity-checked, and rebuilt if damaged.</li>
 * </ol>
 * Not thread-safe: called once per partition at open.
 */
final class LogLoader {

    private static final System.Logger LOG = System.getLogger(LogLoader.class.getName());
    private static final int SCAN_CHUNK = 8 << 20;

    private final String topic;
    private final int partition;
    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final IoBackend io;
    private final CodecResolver codecs;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private long truncatedBytes;

    LogLoader(String topic, int partition, Path dir, LogConfig config, IoBackend io, CodecResolver codecs,
              EngineMetrics metrics, LongSupplier clock) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.dir = dir;
        this.config = config;
        this.io = io;
        this.codecs = codecs;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The lazily opened indexes of one segment, built-ins first. */
    static List<LazyIndex> indexes(String topic, int partition, Path dir, long base, boolean writable, LogConfig config) {
        List<LazyIndex> out = new ArrayList<>(config.indexes().size());
        for (LogConfig.IndexSpec spec : config.indexes()) {
            IndexContext ctx = new IndexContext(topic, partition, base, LogFiles.file(dir, base, spec.provider().fileSuffix()),
                    writable, config.indexMaxBytes(), config.indexIntervalBytes());
            out.add(new LazyIndex(spec.provider(), ctx, spec.config()));
        }
        return out;
    }

    PartitionLog load() throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(dir);
        cleanLeftovers();
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN);
        boolean clean = Files.exists(marker);
        TreeMap<Long, Path> logs = listLogs();
        long logStart = Checkpoint.readLong(dir.resolve(LogFiles.LOG_START_OFFSET)).orElse(logs.isEmpty() ? 0 : logs.firstKey());
        long recoveryPoint = clean ? Long.MAX_VALUE : Checkpoint.readLong(dir.resolve(LogFiles.RECOVERY_POINT)).orElse(0L);
        if (logs.isEmpty()) {
            long base = Math.max(0, logStart);
            try (IoFile f = io.open(LogFiles.file(dir, base, LogFiles.LOG), OpenMode.READ_WRITE)) {
                f.sync(true);
            }
            logs.put(base, LogFiles.file(dir, base, LogFiles.LOG));
        }

        TreeMap<Long, Segment> segments = new TreeMap<>();
        List<Long> bases = new ArrayList<>(logs.keySet());
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            boolean last = i == bases.size() - 1;
            long nextBase = last ? Long.MAX_VALUE : bases.get(i + 1);
            if (clean || nextBase <= recoveryPoint) {
                segments.put(base, trust(base, last, clean));
                continue;
            }
            Recovered r = recover(base, last);
            segments.put(base, r.segment());
            if (r.truncated()) {
                for (long later : bases.subList(i + 1, bases.size())) {
                    truncatedBytes += Files.size(LogFiles.file(dir, later, LogFiles.LOG));
                    deleteSegmentFiles(later);
                }
                break;
            }
        }
        if (clean) {
            Files.delete(marker);
            Checkpoint.syncDirectory(dir);
        }
        long rp = clean ? segments.lastEntry().getValue().nextOffset() : Math.min(recoveryPoint, segments.lastEntry().getValue().nextOffset());
        PartitionLog log = new PartitionLog(topic, partition, dir, config, io, codecs, metrics, clock, segments, logStart, rp);
        if (!clean) {
            // what survived validation is durable now: checkpoint it so the next crash rescans less
            log.flush();
        }
        metrics.recovered(System.nanoTime() - start, truncatedBytes);
        if (truncatedBytes > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: recovery truncated {1} bytes of invalid or incomplete data", new Object[] {name, truncatedBytes});
        }
        return log;
    }

    // ------------------------------------------------------------------ leftovers

    private void cleanLeftovers() throws IOException {
        List<Path> swaps = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.endsWith(LogFiles.DELETED) || f.endsWith(LogFiles.CLEANED) || f.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (f.endsWith(LogFiles.SWAP)) {
                    if (f.endsWith("." + LogFiles.LOG + LogFiles.SWAP)) {
                        swaps.add(p);
                    } else {
                        Files.deleteIfExists(p); // index swap files: indexes are rebuilt
                    }
                }
            }
        }
        for (Path swap : swaps) {
            completeSwap(swap);
        }
        Checkpoint.syncDirectory(dir);
    }

    /**
     * A {@code .log.swap} file is a complete, validated replacement for the segments whose base
     * offsets lie in its offset range: delete those, then rename it into place. If it cannot be
     * read, it is dropped and the originals stay (the swap is rolled back).
     */
    private void completeSwap(Path swap) throws IOException {
        String f = swap.getFileName().toString();
        OptionalLong base = LogFiles.baseOffsetOf(f);
        if (base.isEmpty()) {
            Files.deleteIfExists(swap);
            return;
        }
        long end;
        try {
            end = scanEndOffset(swap, base.getAsLong());
        } catch (IOException | CorruptRecordException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: dropping unreadable swap file {1}: {2}", new Object[] {name, swap, e.getMessage()});
            Files.deleteIfExists(swap);
            return;
        }
        for (long b : listLogs().keySet()) {
            if (b >= base.getAsLong() && b < end) {
                deleteSegmentFiles(b);
            }
        }
        Path target = LogFiles.file(dir, base.getAsLong(), LogFiles.LOG);
        Files.move(swap, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        deleteIndexFiles(base.getAsLong()); // rebuilt on load
    }

    /** The offset after the last valid batch of a file. */
    private long scanEndOffset(Path file, long base) throws IOException {
        long[] end = {base};
        try (IoFile f = io.open(file, OpenMode.READ)) {
            scan(f, base, (batch, pos) -> end[0] = batch.lastOffset() + 1);
        }
        return end[0];
    }

    private TreeMap<Long, Path> listLogs() throws IOException {
        TreeMap<Long, Path> logs = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*." + LogFiles.LOG)) {
            for (Path p : ds) {
                OptionalLong base = LogFiles.baseOffsetOf(p.getFileName().toString());
                if (base.isPresent() && LogFiles.suffixOf(p.getFileName().toString()).equals(LogFiles.LOG)) {
                    logs.put(base.getAsLong(), p);
                }
            }
        }
        return logs;
    }

    private void deleteSegmentFiles(long base) throws IOException {
        Files.deleteIfExists(LogFiles.file(dir, base, LogFiles.LOG));
        deleteIndexFiles(base);
    }

    private void deleteIndexFiles(long base) throws IOException {
        for (LogConfig.IndexSpec spec : config.indexes()) {
            Files.deleteIfExists(LogFiles.file(dir, base, spec.provider().fileSuffix()));
        }
    }

    // ------------------------------------------------------------------ trusted segments

    /** A segment below the recovery point (or after a clean shutdown): no log validation. */
    private Segment trust(long base, boolean last, boolean clean) throws IOException {
        Path logPath = LogFiles.file(dir, base, LogFiles.LOG);
        long size = Files.size(logPath);
        boolean rebuild = false;
        for (LogConfig.IndexSpec spec : config.indexes()) {
            if (!Files.exists(LogFiles.file(dir, base, spec.provider().fileSuffix()))) {
                rebuild = true;
            }
        }
        if (!rebuild && (last || !clean)) {
            rebuild = !indexesSane(base, last);
        }
        if (rebuild) {
            return recover(base, last).segment();
        }
        if (!last) {
            // a sealed segment's next offset is only used for the active one: its base stands in
            return new Segment(name, dir, base, io, indexes(topic, partition, dir, base, false, config), null,
                    size, base, Segment.UNKNOWN, true, 0);
        }
        // active segment: walk from the last offset-index entry to the end for the next offset and max timestamp
        IoFile f = io.open(logPath, OpenMode.READ_WRITE);
        List<LazyIndex> idx = indexes(topic, partition, dir, base, true, config);
        try {
            OffsetPosition from = idx.get(0).as(OffsetLookup.class).lookup(Long.MAX_VALUE);
            long[] next = {base};
            long[] maxTs = {idx.get(1).as(TimeLookup.class).lastEntry().timestamp()};
            long end = walk(f, from.position(), size, next, maxTs);
            if (end != size) {
                // a clean shutdown leaves whole batches: anything else means the files disagree
                f.close();
                closeAll(idx);
                return recover(base, true).segment();
            }
            return new Segment(name, dir, base, io, idx, f, size, Math.max(next[0], base), maxTs[0], false, Files.getLastModifiedTime(logPath).toMillis());
        } catch (IOException | RuntimeException e) {
            f.close();
            closeAll(idx);
            return recover(base, true).segment();
        }
    }

    private boolean indexesSane(long base, boolean last) {
        List<LazyIndex> idx = indexes(topic, partition, dir, base, last, config);
        try {
            for (LazyIndex i : idx) {
                i.sanityCheck();
            }
            return true;
        } catch (CorruptIndexException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rebuilding indexes: {1}", new Object[] {name, e.getMessage()});
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rebuilding indexes of segment {1}: {2}", new Object[] {name, base, e.toString()});
            return false;
        } finally {
            closeAll(idx);
        }
    }

    /** Walks batch headers from {@code pos} to {@code limit}; returns where the walk stopped. */
    private static long walk(IoFile f, long pos, long limit, long[] nextOffset, long[] maxTs) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(RecordBatchLayout.HEADER_LENGTH);
        while (pos + RecordBatchLayout.HEADER_LENGTH <= limit) {
            h.clear();
            f.readFully(h, pos);
            int size = RecordBatchLayout.sizeInBytes(h, 0);
            if (RecordBatchLayout.magic(h, 0) != RecordBatchLayout.MAGIC || size < RecordBatchLayout.HEADER_LENGTH || pos + size > limit) {
                return pos;
            }
            nextOffset[0] = RecordBatchLayout.baseOffset(h, 0) + RecordBatchLayout.lastOffsetDelta(h, 0) + 1;
            maxTs[0] = Math.max(maxTs[0], RecordBatchLayout.maxTimestamp(h, 0));
            pos += size;
        }
        return pos;
    }

    // ------------------------------------------------------------------ recovery

    /** What a scan reports per valid batch. */
    private interface BatchVisitor {
        void visit(RecordBatch batch, long position) throws IOException;
    }

    /** A recovered segment, and whether recovery cut it short (then it is the last segment). */
    private record Recovered(Segment segment, boolean truncated) {
    }

    /**
     * Validates every batch of one segment, truncates at the first invalid byte and rebuilds its
     * indexes. A truncated segment becomes the active one.
     */
    private Recovered recover(long base, boolean last) throws IOException {
        Path logPath = LogFiles.file(dir, base, LogFiles.LOG);
        IoFile f = io.open(logPath, OpenMode.READ_WRITE);
        List<LazyIndex> idx = indexes(topic, partition, dir, base, true, config);
        try {
            for (LazyIndex i : idx) {
                resetOrRecreate(i);
            }
            RecordBatchInfo info = new RecordBatchInfo(codecs, BufferAllocator.HEAP);
            long[] next = {base};
            long[] maxTs = {-1};
            long valid = scan(f, base, (batch, pos) -> {
                info.wrap(batch, pos);
                for (LazyIndex i : idx) {
                    i.append(info);
                }
                next[0] = batch.lastOffset() + 1;
                maxTs[0] = Math.max(maxTs[0], batch.maxTimestamp());
            });
            long size = f.size();
            boolean truncated = valid < size;
            if (truncated) {
                truncatedBytes += size - valid;
                LOG.log(System.Logger.Level.WARNING, "{0}: truncating {1} at position {2} ({3} bytes after it are invalid or incomplete)",
                        new Object[] {name, logPath, valid, size - valid});
                f.truncate(valid);
                f.sync(true);
            }
            if (!last && !truncated) {
                for (LazyIndex i : idx) {
                    i.seal();
                    i.flush();
                }
                f.close();
                closeAll(idx);
                Segment sealed = new Segment(name, dir, base, io, indexes(topic, partition, dir, base, false, config), null,
                        valid, next[0], maxTs[0], true, 0);
                return new Recovered(sealed, false);
            }
            long created = valid == 0 ? 0 : Files.getLastModifiedTime(logPath).toMillis();
            return new Recovered(new Segment(name, dir, base, io, idx, f, valid, next[0], maxTs[0], false, created), truncated);
        } catch (IOException | RuntimeException e) {
            f.close();
            closeAll(idx);
            throw e;
        }
    }

    private static void resetOrRecreate(LazyIndex index) throws IOException {
        try {
            index.reset();
        } catch (IOException | RuntimeException e) {
            index.close();
            Files.deleteIfExists(index.file());
            index.reset();
        }
    }

    /**
     * Reads the file in chunks and validates every batch; returns the number of valid bytes (the
     * position of the first invalid or incomplete batch, or the file size).
     */
    private long scan(IoFile f, long base, BatchVisitor visitor) throws IOException {
        long size = f.size();
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(SCAN_CHUNK, Math.max(size, 4096)));
        long pos = 0;
        long lastOffset = base - 1;
        while (pos < size) {
            chunk.clear();
            if (chunk.capacity() > size - pos) {
                chunk.limit((int) (size - pos));
            }
            f.readFully(chunk, pos);
            chunk.flip();
            RecordBatchReader reader = new RecordBatchReader(chunk).source(f.path().toString()).basePosition(pos)
                    .maxBatchSize(config.maxBatchBytes());
            RecordBatch batch;
            try {
                while ((batch = reader.next()) != null) {
                    if (batch.baseOffset() <= lastOffset || batch.lastOffset() - base > Integer.MAX_VALUE) {
                        LOG.log(System.Logger.Level.WARNING, "{0}: {1}: batch at position {2} has base offset {3}, expected above {4} and within the segment",
                                new Object[] {name, f.path(), batch.position(), batch.baseOffset(), lastOffset});
                        return batch.position();
                    }
                    lastOffset = batch.lastOffset();
                    visitor.visit(batch, batch.position());
                }
            } catch (CorruptRecordException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}", new Object[] {name, e.getMessage()});
                return pos + reader.validBytes();
            }
            long consumed = reader.validBytes();
            if (reader.partialBytes() > 0) {
                if (pos + consumed + reader.partialBytes() >= size) {
                    return pos + consumed; // torn tail
                }
                if (consumed == 0) {
                    // one batch larger than the chunk: grow to its claimed size (bounded by maxBatchBytes)
                    int need = RecordBatchLayout.sizeInBytes(chunk, 0);
                    if (need <= chunk.capacity() || need > config.maxBatchBytes()) {
                        return pos;
                    }
                    chunk = ByteBuffer.allocateDirect(need);
                    continue;
                }
            }
            pos += consumed;
            if (consumed == 0) {
                return pos;
            }
        }
        return pos;
    }

    private static void closeAll(List<LazyIndex> idx) {
        for (LazyIndex i : idx) {
            try {
                i.close();
            } catch (IOException ignored) {
                // closing an index we are about to reopen or rebuild
            }
        }
    }
}
