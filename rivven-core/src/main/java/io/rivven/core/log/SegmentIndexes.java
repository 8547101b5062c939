package io.rivven.core.log;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.index.TimestampOffset;
import io.rivven.core.index.LazyIndex;
import io.rivven.core.index.OffsetIndex;
import io.rivven.core.index.TimeIndex;
import io.rivven.core.index.TimeIndexFormat;
import io.rivven.core.io.Uninterruptible;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The indexes of one {@link Segment} (offset, time, then plugin indexes, each a {@link LazyIndex})
 * and what is known about their health.
 *
 * <p>Indexes are derived data nobody checksums. Those of a closed segment trusted at open (after a
 * clean shutdown) are sanity-checked the first time a lookup needs them; {@link Segment} also checks
 * every offset-index entry it uses against the batch it points at. A failed check marks them
 * {@linkplain #damaged() damaged}: lookups then answer "start from the beginning of the segment"
 * (always correct, only slower), and the listener is told once so that the partition rebuilds
 * them ({@link SegmentFactory#rebuildIndexes}).
 *
 * <p>Thread safety: writer methods ({@link #append}, {@link #truncateTo}, {@link #seal}) come from
 * the partition's writer; lookups from any thread.
 */
final class SegmentIndexes {

    private static final System.Logger LOG = System.getLogger(SegmentIndexes.class.getName());

    private final String name;
    private final long baseOffset;
    private final List<LazyIndex> all;
    private final LazyIndex offsetIndex;
    private final LazyIndex timeIndex;
    private final Object checkLock = new Object();
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean checked;
    private volatile boolean damaged;
    private volatile Runnable onDamage = () -> { };
    /**
     * For tests (null otherwise): runs in the reading thread when a peek at the time index file
     * ({@link #lastIndexedTimestamp}) has taken its path, before it opens the file.
     */
    volatile Consumer<Path> beforePeek;

    /**
     * @param all      offset index first, time index second, then plugin indexes
     * @param verified whether they were built or checked at open; false makes the first lookup check them
     */
    SegmentIndexes(String name, long baseOffset, List<LazyIndex> all, boolean verified) {
        this.name = name;
        this.baseOffset = baseOffset;
        this.all = List.copyOf(all);
        this.offsetIndex = all.get(0);
        this.timeIndex = all.get(1);
        this.checked = verified;
    }

    List<LazyIndex> all() {
        return all;
    }

    Path offsetIndexFile() {
        return offsetIndex.file();
    }

    boolean damaged() {
        return damaged;
    }

    void onDamage(Runnable action) {
        this.onDamage = action;
    }

    // ---------------------------------------------------------------- writer side

    void append(BatchInfo batch) throws IOException {
        for (LazyIndex index : all) {
            index.append(batch);
        }
    }

    void truncateTo(long offset) throws IOException {
        for (LazyIndex index : all) {
            index.truncateTo(offset);
        }
    }

    boolean anyFull() {
        for (SegmentIndex index : all) {
            if (index.isFull()) {
                return true;
            }
        }
        return false;
    }

    void flush() throws IOException {
        for (LazyIndex index : all) {
            index.flush();
        }
    }

    void seal() throws IOException {
        for (LazyIndex index : all) {
            index.seal();
        }
    }

    /**
     * Unmaps what sealing replaced in the opened built-in indexes
     * ({@link OffsetIndex#releaseRetired()}); only when no lookup that started before the seal can
     * still run.
     */
    void releaseRetired() {
        for (LazyIndex index : all) {
            if (index.isOpened()) {
                try {
                    SegmentIndex opened = index.get();
                    if (opened instanceof OffsetIndex o) {
                        o.releaseRetired();
                    } else if (opened instanceof TimeIndex t) {
                        t.releaseRetired();
                    }
                } catch (IOException | IllegalStateException e) {
                    // closed meanwhile: close() unmapped everything
                }
            }
        }
    }

    /** Closes every index; the first failure is thrown after trying all. */
    void close() throws IOException {
        IOException first = null;
        for (LazyIndex index : all) {
            try {
                index.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ---------------------------------------------------------------- lookups

    /** The offset index's entry for {@code target}, or null when the index is damaged or cannot be used. */
    OffsetPosition offsetEntry(long target) {
        if (!usable()) {
            return null;
        }
        try {
            return offsetIndex.as(OffsetLookup.class).lookup(target);
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            damaged(offsetIndex.file() + ": cannot be used: " + e);
            return null;
        }
    }

    /**
     * The offset index's entry with the smallest offset {@code >= target}
     * ({@link OffsetIndex#lookupAtOrAbove}), or null when the index is damaged or cannot be used.
     */
    OffsetPosition offsetEntryAtOrAbove(long target) {
        OffsetIndex index = builtInOffsetIndex();
        if (index == null) {
            return null;
        }
        try {
            return index.lookupAtOrAbove(target);
        } catch (IllegalStateException e) {
            damaged(offsetIndex.file() + ": cannot be used: " + e);
            return null;
        }
    }

    /**
     * The offset index's entry with the largest position {@code <= position}
     * ({@link OffsetIndex#lookupByPosition}), or null when the index is damaged or cannot be used.
     */
    OffsetPosition offsetEntryAtOrBelowPosition(long position) {
        OffsetIndex index = builtInOffsetIndex();
        if (index == null) {
            return null;
        }
        try {
            return index.lookupByPosition(position);
        } catch (IllegalStateException e) {
            damaged(offsetIndex.file() + ": cannot be used: " + e);
            return null;
        }
    }

    /** The opened built-in offset index (the lookups beyond {@link OffsetLookup}), or null when it cannot be used. */
    private OffsetIndex builtInOffsetIndex() {
        if (!usable()) {
            return null;
        }
        try {
            return offsetIndex.get() instanceof OffsetIndex index ? index : null;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            damaged(offsetIndex.file() + ": cannot be used: " + e);
            return null;
        }
    }

    /** The time index's entry for {@code timestamp}; {@code (-1, base offset)} when it is damaged. */
    TimestampOffset timeEntry(long timestamp) {
        if (usable()) {
            try {
                return timeIndex.as(TimeLookup.class).lookupByTime(timestamp);
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                damaged(timeIndex.file() + ": cannot be used: " + e);
            }
        }
        return new TimestampOffset(-1, baseOffset);
    }

    /**
     * The timestamp of the time index file's last entry (for a closed segment: its largest
     * timestamp, written at roll), read with a 24-byte positional read, without mapping the file;
     * -1 when the file has no entry; empty when the indexes are damaged or the entry does not
     * follow the one before it. An entry (0, 0) is what a zeroed file holds and counts as damage.
     */
    OptionalLong lastIndexedTimestamp() throws IOException {
        if (damaged) {
            return OptionalLong.empty();
        }
        try {
            // a thread interrupt (retention and timestamp lookups run in the application's threads)
            // closes the channel: read again, on a new one. Retention may rename the file to
            // .deleted (LazyIndex.renameTo) while a lookup that holds the segment reads it: readFile
            // then reads it under its new name, so a file that was only renamed is never "missing"
            return timeIndex.readFile(file -> Uninterruptible.run(() -> lastEntryTimestamp(file)));
        } catch (NoSuchFileException e) {
            damaged(timeIndex.file() + ": missing");
            return OptionalLong.empty();
        }
    }

    private OptionalLong lastEntryTimestamp(Path file) throws IOException {
        Consumer<Path> hook = beforePeek;
        if (hook != null) {
            hook.accept(file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            int entry = TimeIndexFormat.ENTRY_LENGTH;
            if (length % entry != 0) {
                damaged(file + ": length " + length + " is not a multiple of " + entry);
                return OptionalLong.empty();
            }
            if (length == 0) {
                return OptionalLong.of(-1);
            }
            int n = (int) Math.min(2, length / entry);
            ByteBuffer b = ByteBuffer.allocate(n * entry).order(TimeIndexFormat.BYTE_ORDER);
            long from = length - (long) n * entry;
            while (b.hasRemaining()) {
                if (ch.read(b, from + b.position()) < 0) {
                    damaged(file + ": shrank while being read");
                    return OptionalLong.empty();
                }
            }
            int at = (n - 1) * entry;
            long ts = b.getLong(at + TimeIndexFormat.TIMESTAMP_OFFSET);
            int rel = b.getInt(at + TimeIndexFormat.RELATIVE_OFFSET_OFFSET);
            boolean ok = rel >= 0 && !(ts == 0 && rel == 0) && (n == 1 || (ts > b.getLong(TimeIndexFormat.TIMESTAMP_OFFSET)
                    && rel >= b.getInt(TimeIndexFormat.RELATIVE_OFFSET_OFFSET)));
            if (!ok) {
                damaged(file + ": last entry (timestamp " + ts + ", relative offset " + rel + ") does not follow the one before it");
                return OptionalLong.empty();
            }
            return OptionalLong.of(ts);
        }
    }

    /**
     * Whether the built-in indexes may be used: the indexes of a closed segment trusted at open
     * are checked (their structure, O(entries)) the first time a lookup needs them.
     */
    private boolean usable() {
        if (damaged) {
            return false;
        }
        if (!checked) {
            synchronized (checkLock) {
                if (!checked && !damaged) {
                    try {
                        offsetIndex.sanityCheck();
                        timeIndex.sanityCheck();
                    } catch (CorruptIndexException | UncheckedIOException | IllegalStateException e) {
                        damaged(e.getMessage());
                    }
                    checked = true;
                }
            }
        }
        return !damaged;
    }

    /** Marks the indexes damaged and tells the listener (once). */
    void damaged(String why) {
        damaged = true;
        if (reported.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: indexes of segment {1} are damaged, reading by scanning the log"
                    + " until they are rebuilt: {2}", name, LogFiles.baseName(baseOffset), why);
            onDamage.run();
        }
    }
}
