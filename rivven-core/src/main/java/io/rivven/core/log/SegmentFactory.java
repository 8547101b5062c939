package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatchInfo;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.index.LazyIndex;
import io.rivven.core.index.TimeIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the {@link Segment}s of one partition directory: new active segments, closed segments
 * trusted as they are, segments recovered (validated, truncated, indexes rebuilt) and closed
 * segments whose damaged indexes are rebuilt at run time.
 *
 * <p>Index files are derived data: every rebuild deletes them first and builds fresh files from the
 * log, so a damaged file (a zeroed or garbage tail, a wrong length, a plugin's unreadable format)
 * never has to be opened.
 *
 * <p>Not thread-safe: used by the partition's loader, then under the partition's lock.
 */
final class SegmentFactory {

    private static final System.Logger LOG = System.getLogger(SegmentFactory.class.getName());

    private final String topic;
    private final int partition;
    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final IoBackend io;
    private final CodecResolver codecs;
    private final LogScanner scanner;

    SegmentFactory(String topic, int partition, Path dir, LogConfig config, IoBackend io, CodecResolver codecs) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.dir = dir;
        this.config = config;
        this.io = io;
        this.codecs = codecs;
        this.scanner = new LogScanner(config.maxBatchBytes(), config.contiguousOffsets());
    }

    String name() {
        return name;
    }

    Path dir() {
        return dir;
    }

    LogScanner scanner() {
        return scanner;
    }

    /** The lazily opened indexes of one segment, built-ins first. No I/O. */
    List<LazyIndex> indexes(long base, boolean writable) {
        List<LazyIndex> out = new ArrayList<>(config.indexes().size());
        for (LogConfig.IndexSpec spec : config.indexes()) {
            IndexContext ctx = new IndexContext(topic, partition, base, LogFiles.file(dir, base, spec.provider().fileSuffix()),
                    writable, config.indexMaxBytes(), config.indexIntervalBytes());
            out.add(new LazyIndex(spec.provider(), ctx, spec.config()));
        }
        return out;
    }

    /**
     * A new, empty active segment at {@code base}. Index files left at that base by an interrupted
     * deletion are removed first; a non-empty {@code .log} there is refused (it would be overwritten).
     */
    Segment create(long base) throws IOException {
        Path logPath = LogFiles.file(dir, base, LogFiles.LOG);
        if (Files.exists(logPath) && Files.size(logPath) > 0) {
            throw new IOException(logPath + ": cannot start a new segment at offset " + base + ": the file exists and holds "
                    + Files.size(logPath) + " bytes");
        }
        deleteIndexFiles(base);
        IoFile log = io.open(logPath, OpenMode.READ_WRITE);
        Segment s = new Segment(name, dir, base, io, indexes(base, true), log, 0, base, -1, false, 0, true);
        s.directoryChanged(); // the new file's entry reaches the disk with the first fsync of its data
        return s;
    }

    /** A closed segment taken as it is (after a clean shutdown, or below the recovery point): no I/O. */
    Segment trusted(long base, long size, boolean indexesVerified) {
        return new Segment(name, dir, base, io, indexes(base, false), null, size, base, Segment.UNKNOWN, true, 0, indexesVerified);
    }

    /** Whether every index file of the segment at {@code base} exists. */
    boolean indexFilesExist(long base) {
        for (LogConfig.IndexSpec spec : config.indexes()) {
            if (!Files.exists(LogFiles.file(dir, base, spec.provider().fileSuffix()))) {
                return false;
            }
        }
        return true;
    }

    /** Opens every index of the segment and runs its sanity check; closes them again. */
    boolean indexesSane(long base, boolean writable) {
        List<LazyIndex> idx = indexes(base, writable);
        try {
            for (LazyIndex i : idx) {
                i.sanityCheck();
            }
            return true;
        } catch (CorruptIndexException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rebuilding indexes: {1}", name, e.getMessage());
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rebuilding indexes of segment {1}: {2}", name, LogFiles.baseName(base), e.toString());
            return false;
        } finally {
            closeAll(idx);
        }
    }

    /**
     * The active segment after a clean shutdown: its indexes must be present and sane, and a walk
     * of the batch headers from the last offset-index entry must end exactly at the end of the file;
     * otherwise it is {@linkplain #recover recovered}.
     */
    Recovered openActive(long base) throws IOException {
        if (!indexFilesExist(base) || !indexesSane(base, true)) {
            return recover(base, true);
        }
        Path logPath = LogFiles.file(dir, base, LogFiles.LOG);
        IoFile f = io.open(logPath, OpenMode.READ_WRITE);
        List<LazyIndex> idx = indexes(base, true);
        boolean ok = false;
        try {
            long size = f.size();
            OffsetPosition from = idx.get(0).as(OffsetLookup.class).lookup(Long.MAX_VALUE);
            if (idx.get(1).get() instanceof TimeIndex time) {
                // its entries hold no position: its interval goes on from the offset index's last
                // entry, so both take entries at the same batches (one interval, as Kafka's LogSegment)
                time.resumeIntervalFrom(from.position());
            }
            long maxTs = idx.get(1).as(TimeLookup.class).lastEntry().timestamp();
            long[] tail = walkHeaders(f, from.position(), size, from.position() > 0 ? from.offset() : -1);
            if (tail != null) {
                ok = true;
                long created = size == 0 ? 0 : Files.getLastModifiedTime(logPath).toMillis();
                long next = tail[0] < 0 ? base : tail[0];
                return new Recovered(new Segment(name, dir, base, io, idx, f, size, next, Math.max(maxTs, tail[1]), false,
                        created, true), 0);
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} does not end with whole batches after a clean shutdown; recovering it",
                    name, logPath);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot open {1} as it is ({2}); recovering it", name, logPath, e.toString());
        } finally {
            if (!ok) {
                closeQuietly(f);
                closeAll(idx);
            }
        }
        return recover(base, true);
    }

    /**
     * Walks batch headers from {@code pos} to {@code limit} (no CRC: the file is trusted). The first
     * batch must end at {@code firstLast} when that is {@code >= 0}.
     *
     * @return {next offset or -1 when no batch, max timestamp}, or null when the walk does not end
     *         exactly at {@code limit}
     */
    private static long[] walkHeaders(IoFile f, long pos, long limit, long firstLast) throws IOException {
        if (pos > limit || (pos == limit && firstLast >= 0)) {
            return null;
        }
        ByteBuffer h = ByteBuffer.allocate(RecordBatchLayout.HEADER_LENGTH);
        long next = -1;
        long maxTs = -1;
        boolean first = true;
        while (pos < limit) {
            if (pos + RecordBatchLayout.HEADER_LENGTH > limit) {
                return null;
            }
            h.clear();
            f.readFully(h, pos);
            int size = RecordBatchLayout.sizeInBytes(h, 0);
            long base = RecordBatchLayout.baseOffset(h, 0);
            long last = base + RecordBatchLayout.lastOffsetDelta(h, 0);
            if (RecordBatchLayout.magic(h, 0) != RecordBatchLayout.MAGIC || size < RecordBatchLayout.HEADER_LENGTH
                    || pos + size > limit || last < base || (first && firstLast >= 0 && last != firstLast)
                    || (!first && base < next)) {
                return null;
            }
            first = false;
            next = last + 1;
            maxTs = Math.max(maxTs, RecordBatchLayout.maxTimestamp(h, 0));
            pos += size;
        }
        return new long[] {next, maxTs};
    }

    /** A recovered segment and the bytes recovery cut off its log (then it is the last segment). */
    record Recovered(Segment segment, long truncatedBytes) {
        boolean truncated() {
            return truncatedBytes > 0;
        }
    }

    /**
     * Validates every batch of one segment ({@link LogScanner}), truncates the log at the first
     * invalid byte and rebuilds its indexes from scratch. A segment that is not {@code last} and
     * was not truncated comes back sealed, its log fsynced and closed; otherwise it is the active
     * segment (its log open, fsynced by the partition's first flush).
     */
    Recovered recover(long base, boolean last) throws IOException {
        Path logPath = LogFiles.file(dir, base, LogFiles.LOG);
        IoFile f = io.open(logPath, OpenMode.READ_WRITE);
        List<LazyIndex> idx = List.of();
        try {
            deleteIndexFiles(base);
            idx = indexes(base, true);
            LogScanner.Result r = scan(f, base, idx);
            long truncated = 0;
            if (!r.isComplete()) {
                truncated = r.fileSize() - r.validBytes();
                LOG.log(System.Logger.Level.WARNING, "{0}: truncating {1} at position {2}, cutting {3} bytes: {4}",
                        name, logPath, r.validBytes(), truncated, r.invalid().reason());
                f.truncate(r.validBytes());
                f.sync(true);
                for (LazyIndex i : idx) {
                    i.truncateTo(r.nextOffset());
                }
            } else {
                f.truncate(r.validBytes()); // cuts nothing; gives back log space the crash left reserved
            }
            if (!last && truncated == 0) {
                sealAndClose(idx);
                // the segment comes back closed, its log not open, so no later flush syncs it: what a
                // crash left in the page cache must be durable before the recovery point passes it
                f.sync(false);
                f.close();
                return new Recovered(new Segment(name, dir, base, io, indexes(base, false), null, r.validBytes(), r.nextOffset(),
                        r.maxTimestamp(), true, 0, true), 0);
            }
            long created = r.validBytes() == 0 ? 0 : Files.getLastModifiedTime(logPath).toMillis();
            return new Recovered(new Segment(name, dir, base, io, idx, f, r.validBytes(), r.nextOffset(), r.maxTimestamp(), false,
                    created, true), truncated);
        } catch (IOException | RuntimeException e) {
            closeQuietly(f);
            closeAll(idx);
            throw e;
        }
    }

    /**
     * Rebuilds the indexes of a closed segment found damaged at run time: deletes its index files
     * (readers of {@code damaged} keep their mappings of the old files), builds new ones from the
     * log and returns a new segment object over the same log, to replace {@code damaged}. The log is
     * only read. If the log itself turns out to be invalid, the new indexes cover its valid prefix
     * and the problem is logged (a closed segment below the high watermark is never truncated at
     * run time).
     */
    Segment rebuildIndexes(Segment damaged) throws IOException {
        long base = damaged.baseOffset();
        List<LazyIndex> idx = List.of();
        try (IoFile f = io.open(damaged.logFile(), OpenMode.READ)) {
            deleteIndexFiles(base);
            idx = indexes(base, true);
            LogScanner.Result r = scan(f, base, idx);
            if (!r.isComplete()) {
                LOG.log(System.Logger.Level.ERROR, "{0}: closed segment {1} is damaged: {2}; run ''rivven verify''",
                        name, damaged.logFile(), r.invalid().reason());
            }
            sealAndClose(idx);
            return new Segment(name, dir, base, io, indexes(base, false), null, damaged.size(), r.nextOffset(),
                    r.maxTimestamp(), true, 0, true);
        } catch (IOException | RuntimeException e) {
            closeAll(idx);
            throw e;
        }
    }

    /** Scans the log, appending every valid batch to {@code idx}. */
    private LogScanner.Result scan(IoFile f, long base, List<LazyIndex> idx) throws IOException {
        RecordBatchInfo info = new RecordBatchInfo(codecs, BufferAllocator.HEAP);
        return scanner.scan(f, base, batch -> {
            info.wrap(batch, batch.position());
            for (LazyIndex i : idx) {
                i.append(info);
            }
        });
    }

    private static void sealAndClose(List<LazyIndex> idx) throws IOException {
        for (LazyIndex i : idx) {
            i.seal();
            i.flush();
        }
        closeAll(idx);
    }

    /** Deletes the segment's files: index files first, so that a crash leaves a log (whose indexes are rebuilt). */
    void deleteSegmentFiles(long base) throws IOException {
        deleteIndexFiles(base);
        Files.deleteIfExists(LogFiles.file(dir, base, LogFiles.LOG));
    }

    void deleteIndexFiles(long base) throws IOException {
        for (LogConfig.IndexSpec spec : config.indexes()) {
            Files.deleteIfExists(LogFiles.file(dir, base, spec.provider().fileSuffix()));
        }
    }

    static void closeAll(List<LazyIndex> idx) {
        for (LazyIndex i : idx) {
            try {
                i.close();
            } catch (IOException | RuntimeException ignored) {
                // closing an index we are about to reopen or rebuild
            }
        }
    }

    private static void closeQuietly(IoFile f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // reporting the original failure
        }
    }
}
