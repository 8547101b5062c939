package io.rivven.core.log;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.config.ConfigValidator;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.index.OffsetIndexFormat;
import io.rivven.core.index.OffsetIndexProvider;
import io.rivven.core.index.TimeIndexFormat;
import io.rivven.core.index.TimeIndexProvider;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code rivven verify}: checks every segment and index file of a data directory without changing
 * anything.
 *
 * <pre>{@code
 * VerifyReport r = LogVerifier.verify(config, plugins, Optional.empty());
 * r.problems().forEach(p -> System.out.println(p.file() + " @" + p.position() + ": " + p.message()));
 * }</pre>
 *
 * <p>What is checked, per partition directory:
 * <ul>
 *   <li>every {@code .log}, batch by batch from its first byte, as recovery validates it
 *       ({@link LogScanner}): size bounds, magic, CRC-32C, record counts, offsets increasing (and
 *       contiguous unless the topic is compacted) and within the segment. The first invalid batch
 *       of a segment is a problem (recovery would truncate there); the rest of that segment is not
 *       read. Segments must not overlap: each starts after the previous one's last offset, and (unless
 *       the topic is compacted) right after it: a hole in the offsets is a problem.</li>
 *   <li>every index file of the topic's index types: present, and passing the type's
 *       {@linkplain SegmentIndex#sanityCheck() sanity check}; for the built-in offset index, every
 *       entry maps the last offset of a batch to the position where that batch starts; for the
 *       built-in time index, every entry names the last offset of a batch and a timestamp no
 *       smaller than any before it.</li>
 *   <li>index files without a {@code .log}, damaged checkpoint files, a topic directory without
 *       its {@code topic.checkpoint}.</li>
 * </ul>
 * Leftovers of interrupted operations ({@code .deleted}, {@code .cleaned}, {@code .swap}) are
 * not problems: the next open finishes or undoes them.
 *
 * <p>Read-only: logs are opened {@link OpenMode#READ} through the configured I/O backend, index
 * files through their provider as for a closed segment (read-only), checkpoints are read. Nothing
 * is truncated, rebuilt, renamed or deleted. Verify a data directory no engine has open: an open
 * engine's active segment has a preallocated index and may be mid-append, which reads as
 * problems. After an unclean shutdown, the problems reported are what recovery will repair
 * (a torn tail truncated, indexes rebuilt).
 *
 * <p>Thread safety: stateless; each call works on its own.
 */
public final class LogVerifier {

    /** Index entries reported per file before the rest are summarised. */
    private static final int MAX_ENTRY_PROBLEMS = 10;

    private final Plugins plugins;
    private final IoBackend io;
    private final List<VerifyReport.Problem> problems = new ArrayList<>();
    private long segments;
    private long batches;
    private long bytes;

    private LogVerifier(Plugins plugins, IoBackend io) {
        this.plugins = plugins;
        this.io = io;
    }

    /**
     * Verifies every topic under {@code config.dataDir()/topics}, or only {@code topic}.
     *
     * @param config  the engine's config: where the data is, each topic's index types and cleanup policy
     * @param plugins the plugins the engine would use (the I/O backend and index providers)
     * @param topic   one topic to check, or empty for all
     * @return the problems found and what was checked; I/O errors while reading a file are problems too
     * @throws io.rivven.api.ConfigException if the config names a plugin that is missing, or the
     *         topic name is invalid
     * @throws UnknownTopicException if {@code topic} is given and has no directory
     */
    public static VerifyReport verify(RivvenConfig config, Plugins plugins, Optional<String> topic) {
        Path topicsDir = config.dataDir().resolve("topics").toAbsolutePath();
        List<String> names = new ArrayList<>();
        if (topic.isPresent()) {
            TopicConfig.checkName(topic.get(), "topic");
            if (!Files.isDirectory(topicsDir.resolve(topic.get()))) {
                throw new UnknownTopicException("no topic '" + topic.get() + "': " + topicsDir.resolve(topic.get())
                        + " does not exist");
            }
            names.add(topic.get());
        } else if (Files.isDirectory(topicsDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(topicsDir)) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    if (Files.isDirectory(p) && TopicConfig.isValidName(f)) {
                        names.add(f);
                    }
                }
            } catch (IOException e) {
                return new VerifyReport(List.of(new VerifyReport.Problem(topicsDir, -1, "cannot list: " + e)), 0, 0, 0);
            }
        }
        names.sort(null);
        try (IoBackend io = ConfigValidator.ioBackend(config, plugins).create(plugins.ioBackends().configOf(config.io()))) {
            LogVerifier v = new LogVerifier(plugins, io);
            for (String name : names) {
                v.verifyTopic(name, topicsDir.resolve(name), config.topic(name));
            }
            return new VerifyReport(v.problems, v.segments, v.batches, v.bytes);
        } catch (IOException e) {
            throw new StorageException("closing the I/O backend failed: " + e.getMessage(), e);
        }
    }

    private void verifyTopic(String topic, Path dir, TopicConfig tc) {
        List<LogConfig.IndexSpec> indexes = new ArrayList<>();
        indexes.add(new LogConfig.IndexSpec(plugins.indexes().get(OffsetIndexProvider.NAME, "built-in index"),
                PluginConfig.empty("built-in index " + OffsetIndexProvider.NAME)));
        indexes.add(new LogConfig.IndexSpec(plugins.indexes().get(TimeIndexProvider.NAME, "built-in index"),
                PluginConfig.empty("built-in index " + TimeIndexProvider.NAME)));
        for (PluginSpec spec : tc.indexes()) {
            indexes.add(new LogConfig.IndexSpec(plugins.indexes().get(spec), plugins.indexes().configOf(spec)));
        }
        boolean contiguous = !tc.cleanupPolicy().compacts();
        int partitions;
        try {
            Optional<TopicMetadata> meta = TopicMetadata.read(dir);
            if (meta.isEmpty()) {
                problem(dir.resolve(TopicMetadata.FILE), -1, "missing or damaged; the next open rewrites it from the partition"
                        + " directories (or removes the topic directory if it holds no data)");
            }
            TreeSet<Integer> found = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, LogFiles.PARTITION_PREFIX + "*")) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    try {
                        int n = Integer.parseInt(f.substring(LogFiles.PARTITION_PREFIX.length()));
                        if (f.equals(LogFiles.partitionDirName(n)) && Files.isDirectory(p)) {
                            found.add(n);
                        }
                    } catch (NumberFormatException ignored) {
                        // not a partition directory
                    }
                }
            }
            partitions = meta.map(TopicMetadata::partitions).orElse(found.isEmpty() ? 0 : found.last() + 1);
        } catch (IOException e) {
            problem(dir, -1, "cannot read the topic directory: " + e);
            return;
        }
        for (int p = 0; p < partitions; p++) {
            Path pdir = dir.resolve(LogFiles.partitionDirName(p));
            if (!Files.isDirectory(pdir)) {
                problem(pdir, -1, "partition directory is missing; the next open creates it empty");
                continue;
            }
            try {
                verifyPartition(topic, p, pdir, indexes, contiguous, tc);
            } catch (IOException e) {
                problem(pdir, -1, "cannot read: " + e);
            }
        }
    }

    private void verifyPartition(String topic, int partition, Path dir, List<LogConfig.IndexSpec> indexes, boolean contiguous,
                                 TopicConfig tc) throws IOException {
        for (String cp : List.of(LogFiles.RECOVERY_POINT, LogFiles.LOG_START_OFFSET)) {
            Path file = dir.resolve(cp);
            if (Files.exists(file) && Checkpoint.readLong(file).isEmpty()) {
                problem(file, -1, "damaged checkpoint (bad format or checksum); the next open falls back to a safe value");
            }
        }
        TreeMap<Long, Path> logs = new TreeMap<>();
        List<Path> indexFiles = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                OptionalLong base = LogFiles.baseOffsetOf(f);
                if (base.isEmpty()) {
                    continue;
                }
                String suffix = LogFiles.suffixOf(f);
                if (suffix.equals(LogFiles.LOG)) {
                    logs.put(base.getAsLong(), p);
                } else if (indexes.stream().anyMatch(s -> s.provider().fileSuffix().equals(suffix))) {
                    indexFiles.add(p);
                }
            }
        }
        for (Path index : indexFiles) {
            if (!logs.containsKey(LogFiles.baseOffsetOf(index.getFileName().toString()).orElseThrow())) {
                problem(index, -1, "index file without a segment log; the next open removes it");
            }
        }
        LogScanner scanner = new LogScanner(RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE, contiguous);
        // what the next open validates (LogLoader): after an unclean shutdown, the segments that may
        // hold offsets at or above the recovery point; after a clean one, none of them batch by batch
        boolean clean = Files.exists(dir.resolve(LogFiles.CLEAN_SHUTDOWN));
        long recoveryPoint = Checkpoint.readLong(dir.resolve(LogFiles.RECOVERY_POINT)).orElse(0L);
        long previousNext = -1;
        int problemsBefore = problems.size();
        for (var e : logs.entrySet()) {
            long base = e.getKey();
            if (base < previousNext) {
                problem(e.getValue(), -1, "segment starts at offset " + base + " but the previous segment holds offsets up to "
                        + (previousNext - 1) + " (segments overlap)");
            } else if (contiguous && previousNext >= 0 && base > previousNext && problems.size() == problemsBefore) {
                // only when the previous segment was whole: one cut short is reported as such
                problem(e.getValue(), -1, "segment starts at offset " + base + " but the previous segment ends before offset "
                        + previousNext + ": offsets " + previousNext + " to " + (base - 1) + " are missing (a segment file"
                        + " was removed?)");
            }
            problemsBefore = problems.size();
            Long nextBase = logs.higherKey(base);
            String trusted = clean && nextBase == null ? "may not repair it (the partition was shut down cleanly, so the next open"
                            + " only walks the batch headers of the active segment from its last offset-index entry, without CRCs)"
                    : clean ? "does not repair it (the partition was shut down cleanly, so the next open does not validate the"
                            + " batches of its closed segments)"
                    : nextBase != null && nextBase <= recoveryPoint ? "does not repair it (the segment lies below the recovery"
                            + " point " + recoveryPoint + ", so the next open does not validate its batches)"
                    : null;
            long next = verifySegment(topic, partition, dir, base, e.getValue(), indexes, scanner, tc, trusted);
            previousNext = Math.max(previousNext, next);
        }
    }

    /**
     * Checks one segment and its index files; returns the offset after its last valid batch.
     * {@code trusted} says whether and why the next open will not validate the segment, or is null when it will.
     */
    private long verifySegment(String topic, int partition, Path dir, long base, Path logPath, List<LogConfig.IndexSpec> indexes,
                               LogScanner scanner, TopicConfig tc, String trusted) throws IOException {
        segments++;
        List<Path> indexPaths = new ArrayList<>();
        for (LogConfig.IndexSpec spec : indexes) {
            Path file = LogFiles.file(dir, base, spec.provider().fileSuffix());
            indexPaths.add(file);
            if (!Files.exists(file)) {
                problem(file, -1, "index file is missing; the next open rebuilds it from the log");
                continue;
            }
            sanityCheck(topic, partition, base, file, spec, tc);
        }
        EntryChecker offsets = EntryChecker.offsets(indexPaths.get(0), base, this);
        EntryChecker times = EntryChecker.times(indexPaths.get(1), base, this);
        LogScanner.Result r;
        try (IoFile f = io.open(logPath, OpenMode.READ)) {
            bytes += f.size();
            long[] maxTs = {-1};
            r = scanner.scan(f, base, batch -> {
                maxTs[0] = Math.max(maxTs[0], batch.maxTimestamp());
                offsets.batch(batch.position(), batch.lastOffset(), maxTs[0]);
                times.batch(batch.position(), batch.lastOffset(), maxTs[0]);
            });
        } catch (CorruptRecordException e) {
            problem(logPath, e.position(), e.getMessage());
            return base;
        }
        batches += r.batches();
        if (!r.isComplete()) {
            problem(logPath, r.invalid().position(), r.invalid().reason() + (trusted == null
                    ? "; recovery truncates the segment here (and deletes the later segments)"
                    : "; the next open " + trusted + " and reads reaching it fail; to have the next open"
                            + " truncate the segment here (and delete the later segments), delete "
                            + dir.resolve(LogFiles.CLEAN_SHUTDOWN).toAbsolutePath() + " and "
                            + dir.resolve(LogFiles.RECOVERY_POINT).toAbsolutePath() + " while no engine has the data open"));
        }
        // entries past a damaged batch describe data recovery cuts off: not problems of their own
        offsets.end(r.validBytes(), r.nextOffset(), r.isComplete());
        times.end(r.validBytes(), r.nextOffset(), r.isComplete());
        return r.nextOffset();
    }

    /** Opens the index read-only, as for a closed segment, and runs its sanity check. */
    private void sanityCheck(String topic, int partition, long base, Path file, LogConfig.IndexSpec spec, TopicConfig tc) {
        IndexProvider provider = spec.provider();
        int maxBytes = (int) Math.max(Files.isRegularFile(file) ? sizeOf(file) : 0, 1);
        IndexContext ctx = new IndexContext(topic, partition, base, file, false, Math.max(maxBytes, tc.segment().indexMaxBytes()),
                tc.segment().indexIntervalBytes());
        try (SegmentIndex index = provider.create(ctx, spec.config())) {
            index.sanityCheck();
        } catch (CorruptIndexException e) {
            String m = e.getMessage();
            String prefix = file.toAbsolutePath() + ": ";
            problem(file, -1, (m.startsWith(prefix) ? m.substring(prefix.length()) : m) + "; the next open rebuilds it from the log");
        } catch (NoSuchFileException e) {
            problem(file, -1, "index file is missing; the next open rebuilds it from the log");
        } catch (IOException | RuntimeException e) {
            problem(file, -1, "index type '" + provider.name() + "' cannot open it: " + e + "; the next open rebuilds it from the log");
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private void problem(Path file, long position, String message) {
        problems.add(new VerifyReport.Problem(file.toAbsolutePath(), position, message));
    }

    /**
     * Checks a built-in index file's entries against the batches of its log, streaming: the
     * entries are read first (the file is small), then matched as the scan passes each batch.
     * Offset-index entries are matched in the order of their positions, so that one entry with a
     * wild position is reported alone rather than hiding the good entries after it.
     */
    private static final class EntryChecker {
        private final Path file;
        private final long base;
        private final LogVerifier verifier;
        private final boolean offsetIndex;
        private final MemorySegment entries;
        private final int count;
        private final int entryLength;
        /** The slots in the order they are matched: by position for the offset index, else as stored. */
        private final int[] order;
        private int next;
        private int reported;

        private EntryChecker(Path file, long base, LogVerifier verifier, boolean offsetIndex, MemorySegment entries, int entryLength) {
            this.file = file;
            this.base = base;
            this.verifier = verifier;
            this.offsetIndex = offsetIndex;
            this.entries = entries;
            this.entryLength = entryLength;
            this.count = entries == null ? 0 : (int) (entries.byteSize() / entryLength);
            this.order = offsetIndex ? byPosition(entries, count) : null;
        }

        /** Slots sorted by position (then slot): each key packs the position, shifted to be non-negative, above the slot. */
        private static int[] byPosition(MemorySegment entries, int count) {
            long[] keys = new long[count];
            for (int slot = 0; slot < count; slot++) {
                keys[slot] = ((OffsetIndexFormat.position(entries, slot) - (long) Integer.MIN_VALUE) << 32) | slot;
            }
            Arrays.sort(keys);
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = (int) keys[i];
            }
            return order;
        }

        static EntryChecker offsets(Path file, long base, LogVerifier v) {
            return new EntryChecker(file, base, v, true, read(file, OffsetIndexFormat.ENTRY_LENGTH), OffsetIndexFormat.ENTRY_LENGTH);
        }

        static EntryChecker times(Path file, long base, LogVerifier v) {
            return new EntryChecker(file, base, v, false, read(file, TimeIndexFormat.ENTRY_LENGTH), TimeIndexFormat.ENTRY_LENGTH);
        }

        /**
         * The file's whole entries without a zero-filled tail (what a crash leaves of an active
         * segment's preallocated file; the sanity check reports such a file once), or null when it
         * is missing, unreadable or not a whole number of entries (the sanity check reports those).
         */
        private static MemorySegment read(Path file, int entryLength) {
            try {
                byte[] b = Files.readAllBytes(file);
                if (b.length % entryLength != 0) {
                    return null;
                }
                int end = b.length;
                while (end > 0 && b[end - 1] == 0) {
                    end--;
                }
                int length = (end + entryLength - 1) / entryLength * entryLength;
                return MemorySegment.ofArray(b).asSlice(0, length);
            } catch (IOException e) {
                return null;
            }
        }

        private long offsetOf(int slot) {
            return base + (offsetIndex ? OffsetIndexFormat.relativeOffset(entries, slot) : TimeIndexFormat.relativeOffset(entries, slot));
        }

        /** A valid batch at {@code position} ending at {@code lastOffset}; {@code maxTs} is the largest timestamp up to it. */
        void batch(long position, long lastOffset, long maxTs) {
            if (offsetIndex) {
                while (next < count && OffsetIndexFormat.position(entries, order[next]) < position) {
                    int slot = order[next++];
                    bad(slot, "maps offset " + offsetOf(slot) + " to position " + OffsetIndexFormat.position(entries, slot)
                            + ", where no batch starts");
                }
                while (next < count && OffsetIndexFormat.position(entries, order[next]) == position) {
                    int slot = order[next++];
                    if (offsetOf(slot) != lastOffset) {
                        bad(slot, "maps offset " + offsetOf(slot) + " to position " + position + ", where the batch holding offsets up to "
                                + lastOffset + " starts (expected offset " + lastOffset + ")");
                    }
                }
            } else {
                while (next < count && offsetOf(next) <= lastOffset) {
                    long ts = TimeIndexFormat.timestamp(entries, next);
                    if (offsetOf(next) != lastOffset) {
                        bad(next, "names offset " + offsetOf(next) + ", which is not the last offset of a batch");
                    } else if (ts < maxTs) {
                        bad(next, "says the largest timestamp up to offset " + lastOffset + " is " + ts
                                + ", but a batch up to there has timestamp " + maxTs);
                    }
                    next++;
                }
            }
        }

        /** The scan ended after {@code validBytes} bytes, before offset {@code nextOffset}; {@code complete} when at the end of the log. */
        void end(long validBytes, long nextOffset, boolean complete) {
            for (; complete && next < count; next++) {
                int slot = offsetIndex ? order[next] : next;
                bad(slot, offsetIndex
                        ? "maps offset " + offsetOf(slot) + " to position " + OffsetIndexFormat.position(entries, slot)
                                + ", past the valid batches of the log (" + validBytes + " bytes)"
                        : "names offset " + offsetOf(slot) + ", past the last valid offset " + (nextOffset - 1));
            }
            if (reported > MAX_ENTRY_PROBLEMS) {
                verifier.problem(file, -1, (reported - MAX_ENTRY_PROBLEMS) + " more bad entries");
            }
        }

        private void bad(int slot, String what) {
            if (++reported <= MAX_ENTRY_PROBLEMS) {
                verifier.problem(file, (long) slot * entryLength, "entry " + slot + " " + what + "; the next open rebuilds the index");
            }
        }
    }
}
