package io.rivven.io.nio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Positional reads of one file served from a read-only memory mapping of it
 * ({@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} into a shared {@link Arena}, made
 * through a channel of its own, see {@link #map}):
 * a hot read is then a {@code memcpy} from the page cache, without a system call. Measured on the
 * project's machine, hot 1 MiB reads: 6.2-6.9 GB/s with {@code pread}, 8.3-9.5 GB/s from a
 * populated mapping (see docs/performance.md).
 *
 * <p><b>What is mapped.</b> Nothing until the file holds {@code fromBytes}; then the first
 * {@code visible} bytes (what readers may see: the append position of a writer's file, the size of
 * a read-only one). Reads below the mapped length are copied from it; reads at or past it go to the
 * channel ({@code pread}), so a reader following a growing file's tail never waits for a new
 * mapping. The mapping is made again, covering everything visible, once the unmapped tail is as
 * large as what is mapped (at most 64 MiB, at least {@code fromBytes}): a growing file is mapped
 * about log2 + size / 64 MiB times, never once per read.
 *
 * <p><b>Safety.</b> A mapping is replaced or dropped by closing its shared arena: the JDK makes a
 * read racing the close fail with an {@link IllegalStateException} (no access to unmapped memory),
 * and that read is then served by the channel. That asynchronous exception also sets the reading
 * thread's interrupt flag; it is cleared again unless the flag was set when the read began (an
 * interrupt sent to the reader during that very copy is then lost with it). Bytes past a file's
 * end must never be touched through a mapping (the process would get SIGBUS): the mapping never
 * extends past what was visible when it was made, and the writer {@linkplain #suspend() suspends}
 * mapping while it truncates. A fault anyway (another process cut the file) surfaces as the JDK's
 * {@link InternalError}; the read then goes to the channel and the file stops mapping. So does a file whose mapping fails (e.g. {@code
 * vm.max_map_count} reached). Off on Windows, where a mapped file cannot be renamed or deleted.
 *
 * <p>Thread safety: {@link #read} from any number of threads; {@link #suspend()} and
 * {@link #resume()} from the writer; {@link #close()} from anyone. Remapping takes a lock; reads take none.
 */
final class MappedReads {

    /** The default of {@link #fromBytes}: files smaller than this are read with {@code pread} only. */
    static final long DEFAULT_FROM_BYTES = 1 << 20;
    /** The most a file's unmapped tail grows before it is mapped too. */
    static final long MAX_UNMAPPED_TAIL = 64L << 20;
    /** {@link #read}'s answer when the read is not served here: the caller reads through the channel. */
    static final int NOT_SERVED = -2;

    private record Mapping(Arena arena, MemorySegment segment) {
        long length() {
            return segment.byteSize();
        }
    }

    private final FilePath name;
    private final long fromBytes;
    private final Object lock = new Object();
    private volatile Mapping mapping;
    /** Set for good after a failed mapping or a fault: the file is read through the channel only. */
    private volatile boolean disabled;
    /** Whether {@link Source#visibleSize()} is a field read (a writer's file) rather than an {@code fstat}. */
    private final boolean cheapSize;
    /**
     * When the size costs an {@code fstat}: reads below this position, past the mapping, go to the
     * channel without asking the size again (at that size mapping more was not worth it), so a
     * small read-only file costs no extra system call per read; it is mapped once a read goes past
     * it. Reset by {@link #suspend()}.
     */
    private volatile long settledBelow;
    /** While the writer truncates (under the lock): nothing is mapped. */
    private boolean suspended;
    private volatile boolean closed;

    /**
     * @param name      the file, for messages
     * @param fromBytes map once the file holds this many bytes; negative: never
     * @param cheapSize whether the source's {@link Source#visibleSize()} is a field read
     */
    MappedReads(FilePath name, long fromBytes, boolean cheapSize) {
        this.name = name;
        this.fromBytes = fromBytes;
        this.cheapSize = cheapSize;
        this.disabled = fromBytes < 0;
    }

    /** The file as {@link NioFile} knows it. */
    interface Source {
        /** What readers may see (may do I/O). */
        long visibleSize() throws IOException;

        /** The file's path now (it may name another file by now). */
        Path path();

        /** The file's identity when opened ({@link BasicFileAttributes#fileKey()}); null where the platform has none. */
        Object fileKey();
    }

    /**
     * Copies up to {@code dst.remaining()} bytes at {@code position} into {@code dst} from the
     * mapping, advancing {@code dst}'s position, when the mapping covers {@code position}.
     *
     * @return the number of bytes copied (at least 1), or {@link #NOT_SERVED} (nothing was copied:
     *         read through the channel)
     */
    int read(ByteBuffer dst, long position, Source source) {
        if (disabled || !dst.hasRemaining() || dst.isReadOnly()) {
            return NOT_SERVED;
        }
        Mapping m = mapping;
        if (m == null || position >= m.length()) {
            if (!cheapSize && position < settledBelow) {
                return NOT_SERVED; // below a size already found not worth mapping: no fstat per read
            }
            m = remapIfWorthIt(m, position, source);
            if (m == null || position >= m.length()) {
                return NOT_SERVED;
            }
        }
        int n = (int) Math.min(dst.remaining(), m.length() - position);
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        try {
            MemorySegment.copy(m.segment(), position, MemorySegment.ofBuffer(dst), 0, n);
        } catch (IllegalStateException replacedMeanwhile) {
            if (!interruptedBefore) {
                Thread.interrupted(); // set by the JDK's asynchronous exception for the closed arena, not by anyone
            }
            return NOT_SERVED;
        } catch (InternalError fault) { // the file was cut under the mapping by someone else
            disabled = true;
            synchronized (lock) {
                dropLocked();
            }
            return NOT_SERVED;
        }
        dst.position(dst.position() + n);
        return n;
    }

    /** The mapping to read {@code position} from: {@code current}, or a new one when the unmapped tail is large enough. */
    private Mapping remapIfWorthIt(Mapping current, long position, Source source) {
        long mapped = current == null ? 0 : current.length();
        try {
            long visible = source.visibleSize();
            if (!worthMapping(visible, mapped, position)) {
                settledBelow = visible; // until a read goes past it (the file grew), reads do not ask again
                return current;
            }
        } catch (IOException e) {
            return current; // the channel read reports it
        }
        synchronized (lock) {
            Mapping m = mapping;
            if (m != current) {
                return m; // another reader remapped meanwhile
            }
            if (closed || disabled || suspended) {
                return null;
            }
            long visible;
            try {
                visible = source.visibleSize(); // again: a truncation may have run since
            } catch (IOException e) {
                return current;
            }
            if (!worthMapping(visible, mapped, position)) {
                return current;
            }
            Mapping fresh = map(source, visible);
            if (fresh == null) {
                return current;
            }
            mapping = fresh;
            if (current != null) {
                current.arena().close(); // readers still in it fail and read through the channel
            }
            return fresh;
        }
    }

    /**
     * Maps the first {@code visible} bytes through a channel of its own, opened by path for this
     * and closed at once (the mapping outlives it). Not through the file's shared channel: a thread
     * in {@code FileChannel.map} can deadlock with an interrupt closing that channel while another
     * thread writes to it (the close waits for the mapping thread, which waits for the writer's
     * position lock, which waits for the close). The path must still name the file ({@link
     * BasicFileAttributes#fileKey()} of the same path read after opening it, as {@link
     * ReopenableChannel} reopens); else nothing is mapped this time. Under the lock.
     *
     * @return the mapping, or null (read through the channel)
     */
    private Mapping map(Source source, long visible) {
        Object key = source.fileKey();
        if (key == null) {
            disabled = true; // no way to check the path still names the file
            return null;
        }
        boolean interrupted = Thread.interrupted(); // an interrupted thread's map would close its channel at once
        Arena arena = Arena.ofShared();
        Path path = source.path(); // once: a rename between the open and the check must not pass another file
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (!key.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey())) {
                arena.close();
                return null; // renamed or replaced since it was opened (retention's .deleted, say)
            }
            return new Mapping(arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, visible, arena));
        } catch (NoSuchFileException | ClosedChannelException e) {
            arena.close();
            return null; // renamed away, or an interrupt during the map: the channel read copes
        } catch (IOException | RuntimeException e) {
            arena.close();
            disabled = true; // e.g. vm.max_map_count reached: read through the channel from now on
            System.getLogger(MappedReads.class.getName()).log(System.Logger.Level.DEBUG,
                    "{0}: mapping {1} bytes failed, reading through the channel from now on: {2}", name, visible, e);
            return null;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether to map the {@code visible} bytes for a read at {@code position} when {@code mapped} are mapped. */
    private boolean worthMapping(long visible, long mapped, long position) {
        long tail = visible - mapped;
        return visible >= fromBytes && position < visible && tail > 0
                && tail >= Math.max(fromBytes, Math.min(mapped, MAX_UNMAPPED_TAIL));
    }

    /**
     * Drops the mapping and maps nothing until {@link #resume()}: the writer calls it before it
     * truncates the file, so no mapping ever covers bytes past the end.
     */
    void suspend() {
        synchronized (lock) {
            suspended = true;
            settledBelow = 0;
            dropLocked();
        }
    }

    /** Ends a {@link #suspend()}: the next read that needs a mapping maps again. */
    void resume() {
        synchronized (lock) {
            suspended = false;
        }
    }

    /** Drops the mapping for good; idempotent. */
    void close() {
        synchronized (lock) {
            closed = true;
            dropLocked();
        }
    }

    private void dropLocked() {
        Mapping m = mapping;
        mapping = null;
        if (m != null) {
            m.arena().close();
        }
    }

    /** The mapped length (0: none). For tests. */
    long mappedLength() {
        Mapping m = mapping;
        return m == null ? 0 : m.length();
    }
}
