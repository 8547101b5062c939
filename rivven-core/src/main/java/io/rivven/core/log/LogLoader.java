package io.rivven.core.log;

import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.metrics.EngineMetrics;
import java.io.IOException;
import java.nio.file.Files;
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
 *   <li>Leftovers ({@link LeftoverFiles}): {@code .deleted}, {@code .cleaned}, {@code .tmp} and
 *       orphan index files are removed; a complete {@code .log.swap} replaces the segments it
 *       covers, a damaged one is dropped.</li>
 *   <li>The clean-shutdown marker is read and removed at once, so that a crash from here on (even
 *       during this load) counts as unclean. Segments wholly below the log start offset (a retention
 *       deletion the crash interrupted) are deleted.</li>
 *   <li>Clean shutdown: closed segments are trusted as they are, without opening anything (their
 *       indexes are sanity-checked on first use, see {@link Segment}); only a missing index file
 *       makes a segment be recovered now. The active segment's indexes are sanity-checked and its
 *       tail is walked from the last offset-index entry to the end of the file
 *       ({@link SegmentFactory#openActive}); if that does not add up, it is recovered.</li>
 *   <li>Unclean: every segment that may hold offsets at or above the recovery point (always the
 *       last one) is validated batch by batch ({@link LogScanner}); the log is truncated at the
 *       first invalid byte, every later segment is deleted (also when a validated segment of a
 *       topic with contiguous offsets ends before the next one starts: a recovery that truncated it
 *       was cut before it deleted them), and the indexes of every validated
 *       segment are rebuilt from scratch. Segments below the recovery point were fsynced before
 *       the crash: their indexes are sanity-checked, and rebuilt if damaged. What survived is then
 *       fsynced and the recovery point checkpointed.</li>
 * </ol>
 * A missing or damaged checkpoint reads as "unknown": the log start offset falls back to the first
 * segment, the recovery point to 0 (everything is validated). Never throws because of damaged data
 * (only for I/O errors and plugin failures).
 *
 * <p>Not thread-safe: called once per partition at open.
 */
final class LogLoader {

    private static final System.Logger LOG = System.getLogger(LogLoader.class.getName());

    private final String topic;
    private final int partition;
    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final IoBackend io;
    private final CodecResolver codecs;
    private final EngineMetrics metrics;
    private final LongSupplier clock;

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

    PartitionLog load() throws IOException {
        long start = System.nanoTime();
        if (!Files.isDirectory(dir)) {
            // a topic's partition directories are all created before its metadata: one missing under
            // an existing topic was removed from outside, with whatever data it held
            LOG.log(System.Logger.Level.WARNING, "{0}: the partition directory {1} is missing; the partition starts"
                    + " empty at offset 0 (any data it held is gone)", name, dir.toAbsolutePath());
        }
        Files.createDirectories(dir);
        SegmentFactory factory = new SegmentFactory(topic, partition, dir, config, io, codecs);
        TreeMap<Long, Path> logs = new LeftoverFiles(factory, config, io).clean();

        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN);
        // Removed before anything is changed, so a crash during this load is an unclean shutdown. Not
        // fsynced here (that would cost an fsync per partition at every open): the active segment's
        // first fsync syncs the directory too, before any append is called durable, so a marker that
        // a power loss brings back never covers an acknowledged append.
        boolean clean = Files.deleteIfExists(marker);
        OptionalLong logStartCheckpoint = Checkpoint.readLong(dir.resolve(LogFiles.LOG_START_OFFSET));
        long logStart = logStartCheckpoint.orElse(logs.isEmpty() ? 0 : logs.firstKey());
        OptionalLong recoveryPointCheckpoint = Checkpoint.readLong(dir.resolve(LogFiles.RECOVERY_POINT));
        long recoveryPoint = clean ? Long.MAX_VALUE : recoveryPointCheckpoint.orElse(0L);
        dropBelowLogStart(factory, logs, logStart);
        long truncatedBytes = 0;
        if (logs.isEmpty()) {
            long base = Math.max(0, logStart);
            Path file = LogFiles.file(dir, base, LogFiles.LOG);
            try (IoFile f = io.open(file, OpenMode.READ_WRITE)) {
                f.sync(true);
            }
            logs.put(base, file);
        }

        TreeMap<Long, Segment> segments = new TreeMap<>();
        List<Long> bases = new ArrayList<>(logs.keySet());
        try {
            for (int i = 0; i < bases.size(); i++) {
                long base = bases.get(i);
                boolean last = i == bases.size() - 1;
                long nextBase = last ? Long.MAX_VALUE : bases.get(i + 1);
                SegmentFactory.Recovered r;
                boolean hole = false;
                if (!last && clean && factory.indexFilesExist(base)) {
                    r = new SegmentFactory.Recovered(factory.trusted(base, Files.size(logs.get(base)), false), 0);
                } else if (!last && nextBase <= recoveryPoint && factory.indexFilesExist(base) && factory.indexesSane(base, false)) {
                    r = new SegmentFactory.Recovered(factory.trusted(base, Files.size(logs.get(base)), true), 0);
                } else if (last && clean) {
                    r = factory.openActive(base);
                } else {
                    r = factory.recover(base, last);
                    if (!last && !r.truncated() && config.contiguousOffsets() && r.segment().nextOffset() != nextBase) {
                        // a hole (or overlap) before the next segment: a recovery that truncated this
                        // segment was cut before it deleted the later ones; finish it the same way
                        LOG.log(System.Logger.Level.WARNING, "{0}: {1} ends before offset {2} but the next segment starts at"
                                + " {3}; recovering it as the last segment", name, logs.get(base), r.segment().nextOffset(), nextBase);
                        r.segment().release();
                        r = factory.recover(base, true);
                        hole = true;
                    }
                }
                segments.put(base, r.segment());
                truncatedBytes += r.truncatedBytes();
                if ((r.truncated() || hole) && !last) {
                    List<Long> later = bases.subList(i + 1, bases.size());
                    LOG.log(System.Logger.Level.WARNING, "{0}: deleting {1} segment(s) after the truncated one, from offset {2}",
                            name, later.size(), later.getFirst());
                    for (long b : later) {
                        truncatedBytes += Files.size(LogFiles.file(dir, b, LogFiles.LOG));
                        factory.deleteSegmentFiles(b);
                    }
                    Checkpoint.syncDirectory(dir);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments.values()) {
                s.release();
            }
            throw e;
        }

        if (clean) {
            segments.lastEntry().getValue().directoryChanged();
        }
        long hw = segments.lastEntry().getValue().nextOffset();
        if (logStart > hw) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the log start offset checkpoint ({1}) is past the end of the log ({2});"
                    + " using {2}", name, logStart, hw);
        }
        PartitionLog log = new PartitionLog(topic, partition, factory, config, codecs, metrics, clock, segments, logStart,
                clean ? hw : Math.min(recoveryPoint, hw), new PartitionLog.Checkpointed(recoveryPointCheckpoint.orElse(-1),
                        logStartCheckpoint.orElse(-1)));
        if (!clean) {
            // what survived validation is durable now: checkpoint it so that the next crash rescans less
            try {
                log.flush();
                log.checkpointRecoveryPoint();
            } catch (RuntimeException e) { // the partition failed: nobody gets it, so its files and gauges go now
                try {
                    log.close();
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
        metrics.recovered(System.nanoTime() - start, truncatedBytes);
        if (truncatedBytes > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: recovery truncated {1} bytes of invalid or incomplete data", name, truncatedBytes);
        }
        return log;
    }

    /**
     * Deletes the segments that lie wholly below the log start offset (retention moved the start
     * past them, then the crash came before their files were gone). The last segment always stays.
     */
    private void dropBelowLogStart(SegmentFactory factory, TreeMap<Long, Path> logs, long logStart) throws IOException {
        boolean dropped = false;
        while (logs.size() > 1 && logs.higherKey(logs.firstKey()) <= logStart) {
            long base = logs.firstKey();
            LOG.log(System.Logger.Level.INFO, "{0}: deleting {1}: retention had moved the log start offset to {2}",
                    name, logs.get(base), logStart);
            factory.deleteSegmentFiles(base);
            logs.remove(base);
            dropped = true;
        }
        if (dropped) {
            Checkpoint.syncDirectory(dir);
        }
    }
}
