package io.rivven.core.log;

import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finishes or undoes what a crash interrupted in a partition directory, before its segments are
 * opened:
 * <ul>
 *   <li>{@code *.deleted}: a segment being deleted by retention: removed.</li>
 *   <li>{@code *.cleaned}: compaction output not yet complete: removed.</li>
 *   <li>{@code X.log.swap}: a complete replacement for the segments whose base offsets lie in its
 *       offset range: if every byte of it is a valid batch, those segments are deleted and it is
 *       renamed to {@code X.log} (its indexes are rebuilt at load); if it is empty or damaged it
 *       is dropped and the original segments stay (the swap is rolled back).</li>
 *   <li>{@code *.<index suffix>.swap} and index files whose segment has no {@code .log} (an
 *       interrupted deletion or truncation): removed, as indexes are rebuilt from logs.</li>
 *   <li>{@code *.tmp}: a checkpoint write that did not reach its rename: removed.</li>
 * </ul>
 * Not thread-safe: used once per partition at open.
 */
final class LeftoverFiles {

    private static final System.Logger LOG = System.getLogger(LeftoverFiles.class.getName());

    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final IoBackend io;
    private final SegmentFactory segments;

    LeftoverFiles(SegmentFactory segments, LogConfig config, IoBackend io) {
        this.name = segments.name();
        this.dir = segments.dir();
        this.config = config;
        this.io = io;
        this.segments = segments;
    }

    /**
     * Cleans the directory as described above.
     *
     * @return the {@code .log} files left, by base offset
     */
    TreeMap<Long, Path> clean() throws IOException {
        Set<String> indexSuffixes = new HashSet<>();
        for (LogConfig.IndexSpec spec : config.indexes()) {
            indexSuffixes.add(spec.provider().fileSuffix());
        }
        TreeMap<Long, Path> logs = new TreeMap<>();
        List<Path> swaps = new ArrayList<>();
        List<Path> indexFiles = new ArrayList<>();
        boolean changed = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                OptionalLong base = LogFiles.baseOffsetOf(f);
                String suffix = LogFiles.suffixOf(f);
                if (f.endsWith(LogFiles.DELETED) || f.endsWith(LogFiles.CLEANED) || f.endsWith(".tmp")) {
                    changed |= Files.deleteIfExists(p);
                } else if (base.isPresent() && suffix.equals(LogFiles.LOG + LogFiles.SWAP)) {
                    swaps.add(p);
                } else if (f.endsWith(LogFiles.SWAP)) {
                    changed |= Files.deleteIfExists(p); // an index swap file: indexes are rebuilt
                } else if (base.isPresent() && suffix.equals(LogFiles.LOG)) {
                    logs.put(base.getAsLong(), p);
                } else if (base.isPresent() && indexSuffixes.contains(suffix)) {
                    indexFiles.add(p);
                }
            }
        }
        for (Path swap : swaps) {
            completeSwap(swap, logs);
            changed = true;
        }
        for (Path index : indexFiles) {
            long base = LogFiles.baseOffsetOf(index.getFileName().toString()).orElseThrow();
            if (!logs.containsKey(base) && Files.deleteIfExists(index)) {
                LOG.log(System.Logger.Level.INFO, "{0}: removed {1}: its segment has no log", name, index);
                changed = true;
            }
        }
        if (changed) {
            Checkpoint.syncDirectory(dir);
        }
        return logs;
    }

    private void completeSwap(Path swap, TreeMap<Long, Path> logs) throws IOException {
        long base = LogFiles.baseOffsetOf(swap.getFileName().toString()).orElseThrow();
        LogScanner.Result r;
        try (IoFile f = io.open(swap, OpenMode.READ)) {
            // compaction output has gaps between offsets: only require them to increase
            r = new LogScanner(config.maxBatchBytes(), false).scan(f, base, batch -> { });
        } catch (IOException | CorruptRecordException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rolling back the swap {1}: it cannot be read: {2}", name, swap, e.toString());
            Files.deleteIfExists(swap);
            return;
        }
        if (!r.isComplete() || r.batches() == 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: rolling back the swap {1} and keeping the segments it was to replace: {2}",
                    name, swap, r.isComplete() ? "it holds no batch" : r.invalid().reason());
            Files.deleteIfExists(swap);
            return;
        }
        long end = r.nextOffset();
        for (Long b : new ArrayList<>(logs.subMap(base, true, end, false).keySet())) {
            segments.deleteSegmentFiles(b);
            logs.remove(b);
        }
        Path target = LogFiles.file(dir, base, LogFiles.LOG);
        segments.deleteIndexFiles(base); // rebuilt at load
        try {
            Files.move(swap, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(swap, target, StandardCopyOption.REPLACE_EXISTING);
        }
        logs.put(base, target);
        LOG.log(System.Logger.Level.INFO, "{0}: completed the swap {1} (offsets {2}..{3})", name, swap, base, end - 1);
    }
}
