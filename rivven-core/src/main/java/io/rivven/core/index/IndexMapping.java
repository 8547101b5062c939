package io.rivven.core.index;

import io.rivven.core.io.Uninterruptible;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file of one {@link AbstractIndex} and its memory mappings: the file's name (a rename changes
 * it), its length as mapped, the current mapping, and the mappings a remap replaced ("retired")
 * that lock-free lookups may still be reading. Each mapping belongs to its own shared
 * {@link Arena}, so unmapping is deterministic.
 *
 * <p>Thread safety: the owning index's {@code StampedLock} guards this class; it takes no lock of
 * its own. {@link #remap}, {@link #releaseRetired()} and {@link #close()} must run under the
 * index's write lock. {@link #current()}, {@link #length()}, {@link #retiredCount()} and
 * {@link #file()} are volatile reads, safe from any thread without a lock (an optimistic lookup
 * validates its stamp afterwards). A retired mapping is unmapped only by {@link #releaseRetired()}
 * or {@link #close()}, never by a remap (except a {@code discard} remap and any remap on Windows):
 * see {@link #remap}.
 *
 * <p>Errors: an {@link IOException} when the file cannot be resized or mapped; a failed
 * {@link #remap} leaves no current mapping (the index is then closed).
 */
final class IndexMapping {

    /**
     * Windows refuses to change the length of a mapped file, so there a remap must unmap the old
     * mapping first, and lookups take the read lock instead of reading optimistically (Kafka's
     * {@code AbstractIndex} locks its lookups on Windows for the same reason).
     */
    static final boolean UNMAP_BEFORE_RESIZE =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    /** One mapping of the file's first bytes and the arena that unmaps it. */
    record Mapped(Arena arena, MemorySegment segment, boolean writable) {
    }

    /** Replaced by {@link #movedTo} (the file was renamed); otherwise fixed. */
    private volatile Path file;
    /** The current mapping; null until {@link #mapAtOpen} and once closed. Replaced only under the write lock. */
    private volatile Mapped current;
    /**
     * Mappings replaced by {@link AbstractIndex#seal()} or growth while optimistic lookups may still
     * be reading them; unmapped by {@link #releaseRetired()} or {@link #close()}. Guarded by the write lock.
     */
    private final List<Arena> retired = new ArrayList<>();
    /** {@code retired.size()}, readable without the lock. */
    private volatile int retiredCount;
    /** The file's length as mapped. */
    private volatile long length;

    /** The (not yet mapped) index file {@code file}. */
    IndexMapping(Path file) {
        this.file = file;
    }

    /** The index file, under its current name. */
    Path file() {
        return file;
    }

    /**
     * The file was renamed to {@code target}: what is done by path from now on (fsync, remap,
     * messages) uses the new name. The mapping stays valid.
     */
    void movedTo(Path target) {
        file = target;
    }

    /** The current mapping, or null once closed. */
    Mapped current() {
        return current;
    }

    /** The file's length as mapped. */
    long length() {
        return length;
    }

    /** How many replaced mappings are still mapped. */
    int retiredCount() {
        return retiredCount;
    }

    /** Maps the file's first {@code size} bytes (its length as mapped from now on), at open. */
    void mapAtOpen(long size, boolean writable) throws IOException {
        current = mapFile(size, writable);
        length = size;
    }

    /**
     * Replaces the mapping by one of {@code newLength} bytes. Caller holds the write lock. On failure
     * no mapping is left (the index is closed).
     *
     * <p>The old mapping stays mapped until {@link #releaseRetired()} or {@link #close()} (it is
     * retired), because optimistic
     * lookups may be reading it right now: closing a shared {@link Arena} makes the JDK stop every
     * thread inside it with an asynchronous exception, which also leaves that thread's interrupt
     * flag set (JDK-8306324): an interrupt of the application's reader thread that nobody sent
     * (file I/O survives interrupts now, but the application would still see one). The file may
     * shrink under a retired mapping:
     * lookups only read the slots below the entry count they saw, which a non-discarding remap never
     * cuts. A {@code discard} remap ({@link AbstractIndex#reset()}, run by recovery with no readers)
     * and any remap on Windows (which cannot resize a mapped file) unmap the old mapping first.
     *
     * @param discard empty the file first (its old content is dropped, not zeroed page by page)
     */
    void remap(long newLength, boolean writable, boolean discard) throws IOException {
        Mapped old = current;
        current = null;
        if (discard || UNMAP_BEFORE_RESIZE) {
            old.arena().close();
        } else {
            retired.add(old.arena());
            retiredCount = retired.size();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (discard) {
                raf.setLength(0);
            }
            raf.setLength(newLength);
            current = mapFile(newLength, writable);
        }
        length = newLength;
    }

    /** Unmaps the retired mappings (see {@link #remap}). Caller holds the write lock. */
    void releaseRetired() {
        retired.forEach(Arena::close);
        retired.clear();
        retiredCount = 0;
    }

    /**
     * Unmaps the current mapping, then the retired ones. Caller holds the write lock. Returns the
     * mapping that was current (unmapped now), or null when already closed.
     */
    Mapped close() {
        Mapped m = current;
        if (m != null) {
            current = null;
            m.arena().close();
        }
        releaseRetired();
        return m;
    }

    /**
     * Maps the file's first {@code size} bytes through a channel of its own. {@code FileChannel.map}
     * is interruptible: a thread interrupt (the application's: appenders and readers map indexes on
     * roll and on first use) closes the channel, so the mapping is redone on a new one, the calling
     * thread's interrupt flag cleared meanwhile and set again afterwards.
     */
    private Mapped mapFile(long size, boolean writable) throws IOException {
        return Uninterruptible.run(() -> {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), writable ? "rw" : "r")) {
                return map(raf.getChannel(), size, writable);
            }
        });
    }

    private static Mapped map(FileChannel channel, long size, boolean writable) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                    0, size, arena);
            return new Mapped(arena, segment, writable);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
