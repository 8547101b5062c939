package io.rivven.io.nio;

import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A segment file behind a {@link FileChannel} that thread interrupts cannot break.
 *
 * <p>Writes: {@link #append} with one buffer is a positional write ({@code pwrite}); with several it
 * is one gathering write ({@code writev}) from the channel's own position, which only the writer
 * uses (readers and {@link #transferTo} are positional and never move it), so it is seeked only
 * when it is not already at the append position of that very channel. Every write loops until all
 * bytes are written. The append position starts at the file's size when opened, is kept here (not
 * asked of the file system) and is published through a volatile field once the bytes are written,
 * so a reader that sees a size also sees every byte below it.
 *
 * <p>Interrupts: I/O here is uninterruptible, as with {@link java.io.RandomAccessFile}, and the
 * caller still sees that it was interrupted. Each operation clears the calling thread's interrupt
 * flag on entry and sets it again before it returns or throws, so a thread that enters with its
 * flag set ({@code Future.cancel(true)}, {@code shutdownNow()}) does not close the shared channel.
 * An interrupt that arrives during the system call still closes it (a property of
 * {@code FileChannel}): then the operation gets a fresh channel from {@link ReopenableChannel}
 * (which checks the path still names the same file) and is redone from its start, as are the
 * operations of the other threads that the close cut short. Redoing is exact: reads refill the
 * buffer from its position at entry; writes and appends rewrite every byte from their start
 * position, restoring the source buffers' positions recorded at entry, so no partial bytes are
 * left; truncation is idempotent; a {@link #transferTo} resumes after the bytes the target
 * accepted, except when the interrupt of the calling thread made the JDK close the target too
 * (then it fails, naming the target). Syncs never need a reopen (see {@link #sync}). See
 * {@link ReopenableChannel} for the limits: a bounded number of closes per operation, and no
 * reopen of a file that something other than {@link #renameTo} renamed, deleted or replaced
 * meanwhile (a clear {@link IOException} instead).
 *
 * <p>Thread safety: as {@link IoFile} says: {@link #read}, {@link #readFully}, {@link #transferTo},
 * {@link #size()} and {@link #sync} from any number of threads, concurrently with one writer
 * ({@link #append}, {@link #write}, {@link #truncate}), which callers serialise. No locks on the
 * read and write paths (a reopen takes one).
 *
 * <p>Failures: every {@link IOException} names the absolute path, the operation and the position.
 * A failed append leaves the append position where it was (the bytes already written past it are
 * overwritten by the next append or cut by {@link #truncate}). A failed {@link #sync} is reported
 * once and never retried: pages written since the last good sync may be lost, and the caller must
 * treat the file as failed. After {@link #close()}, operations fail with a
 * {@link ClosedChannelException} that says the file is closed; nothing reopens it.
 *
 * <p>Durability: see {@link #sync} and {@link NioSync}. When this open created the file, the first
 * successful sync also syncs the parent directory so that the new directory entry survives a power
 * loss (skipped on Windows, which cannot open directories as channels).
 *
 * <p>Reservation: {@link #preallocate} reserves space past the end with {@code fallocate} and
 * {@code FALLOC_FL_KEEP_SIZE} through a second, write-only descriptor (see {@link Fallocate}; Linux
 * with native access only, else it reserves nothing). {@link #truncate} gives back everything
 * reserved beyond the end, also by a process that died; {@link #close()} what this handle
 * reserved. A failed reservation is not an error: the file stops reserving.
 *
 * <p>Modes: {@link OpenMode#READ} files reject writes with a
 * {@link java.nio.channels.NonWritableChannelException}, and their {@link #size()} is the file's
 * current length (another handle may be appending to it).
 */
final class NioFile implements IoFile {

    /** Where the file lives now; its string form, the absolute path, names it in messages. */
    private final FilePath name;
    private final ReopenableChannel file;
    private final boolean writable;

    /** Where the next append goes; written by the one writer, read by anyone. */
    private volatile long appendPosition;
    /** The channel whose own position {@link #channelPosition} is. Writer-only. */
    private FileChannel positioned;
    /** The position of {@link #positioned} as last left by the writer, or -1 when unknown. Writer-only. */
    private long channelPosition = -1;
    private final NioSync sync;
    /** What this handle reserved past the end. Writer-only (and {@link #close()}). */
    private final Reservation reservation;
    /** Reads served from a memory mapping (for files past a size). */
    private final MappedReads mapped;
    /** What the mapping may cover, and the channel to map. */
    private final MappedReads.Source mappedSource = new MappedReads.Source() {
        @Override
        public long visibleSize() throws IOException {
            return writable ? appendPosition : channelSize();
        }

        @Override
        public Path path() {
            return name.get();
        }

        @Override
        public Object fileKey() {
            return file.fileKey();
        }
    };

    /**
     * @param created whether opening created the file (its directory then needs a sync)
     * @throws IOException if the file's size or identity cannot be read (the channel may then be closed or not)
     */
    NioFile(Path path, FileChannel channel, OpenMode mode, boolean created) throws IOException {
        this(path, channel, mode, created, MappedReads.DEFAULT_FROM_BYTES);
    }

    /** As above, reading through a mapping once the file holds {@code mmapReadsFromBytes} (negative: never). */
    NioFile(Path path, FileChannel channel, OpenMode mode, boolean created, long mmapReadsFromBytes) throws IOException {
        this(path, channel, mode, created, ReopenableChannel.Opener.DEFAULT, mmapReadsFromBytes);
    }

    /** As above, reopening through {@code opener} (tests inject faults with it); never maps. */
    NioFile(Path path, FileChannel channel, OpenMode mode, boolean created, ReopenableChannel.Opener opener)
            throws IOException {
        this(path, channel, mode, created, opener, -1);
    }

    /** As above, reopening through {@code opener} and mapping from {@code mmapReadsFromBytes}. */
    NioFile(Path path, FileChannel channel, OpenMode mode, boolean created, ReopenableChannel.Opener opener,
            long mmapReadsFromBytes) throws IOException {
        this.name = new FilePath(path);
        this.writable = mode == OpenMode.READ_WRITE;
        this.file = new ReopenableChannel(name, mode, channel, opener);
        this.sync = new NioSync(name, file, created);
        this.reservation = new Reservation(name, file.fileKey());
        this.mapped = new MappedReads(name, mmapReadsFromBytes, writable);
        try {
            this.appendPosition = channelSize();
        } catch (IOException | RuntimeException e) {
            try {
                file.close(); // a channel reopened meanwhile, too
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public Path path() {
        return name.get();
    }

    @Override
    public long size() throws IOException {
        ensureOpen("read the size");
        return writable ? appendPosition : channelSize();
    }

    @Override
    public long append(ByteBuffer... srcs) throws IOException {
        requireWritable("append");
        ensureOpen("append");
        long start = appendPosition;
        if (srcs.length == 1) {
            ByteBuffer src = srcs[0];
            int n = src.remaining();
            if (n > 0) {
                writeAt(src, start, "append");
                appendPosition = start + n;
            }
            return start;
        }
        long total = remaining(srcs);
        if (total > 0) {
            gather(srcs, start, total, "append");
            appendPosition = start + total;
        }
        return start;
    }

    /**
     * Appends each buffer as one {@link #append} call would, in order, in one gathering write (the
     * batch executor's coalesced appends). If the write fails, the append position covers exactly
     * the buffers written completely, as if the appends before the failing one had run alone.
     *
     * @return the number of bytes appended
     */
    long appendEach(ByteBuffer[] srcs) throws IOException {
        requireWritable("append");
        ensureOpen("append");
        long start = appendPosition;
        int[] sizes = new int[srcs.length];
        long total = 0;
        for (int i = 0; i < srcs.length; i++) {
            sizes[i] = srcs[i].remaining();
            total += sizes[i];
        }
        if (total == 0) {
            return 0;
        }
        try {
            gather(srcs, start, total, srcs.length + " batched appends");
        } catch (IOException e) {
            long committed = 0;
            for (int i = 0; i < srcs.length && !srcs[i].hasRemaining(); i++) {
                committed += sizes[i];
            }
            appendPosition = start + committed;
            throw e;
        }
        appendPosition = start + total;
        return total;
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        requireWritable("write");
        if (position < 0) {
            throw new IllegalArgumentException(name + ": cannot write at negative position " + position);
        }
        ensureOpen("write");
        int n = src.remaining();
        writeAt(src, position, "write");
        long end = position + n;
        if (end > appendPosition) {
            appendPosition = end;
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException(name + ": cannot read at negative position " + position);
        }
        int fromMapping = mapped.read(dst, position, mappedSource);
        if (fromMapping != MappedReads.NOT_SERVED) {
            return fromMapping;
        }
        boolean interrupted = Thread.interrupted();
        try {
            int start = dst.position();
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    return ch.read(dst, position);
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, "read " + (dst.limit() - start) + " bytes at position " + position);
                    dst.position(start);
                } catch (IOException e) {
                    throw failed("read of " + dst.remaining() + " bytes at position " + position, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Loops over {@link FileChannel#transferTo} (sendfile to sockets, copy_file_range to files).
     * Returns fewer than {@code count} bytes at end of file, or when the target accepts nothing (a
     * non-blocking socket whose buffer is full): the caller continues from the returned count.
     *
     * <p>When a thread interrupt closes this file's channel, the transfer resumes on a reopened one
     * after the bytes already transferred (a call cut short this way transferred nothing, or
     * reported what it did). If the calling thread itself is interrupted during a transfer, the
     * JDK closes the target as well, and this fails with an {@link IOException} saying the target
     * is closed and how many bytes it received; the file stays usable for everyone.
     */
    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException(name + ": cannot transfer " + count + " bytes from position "
                    + position + ": both must be >= 0");
        }
        boolean interrupted = Thread.interrupted();
        long done = 0;
        try {
            FileChannel ch = file.channel();
            int closes = 0;
            while (done < count) {
                try {
                    long n = ch.transferTo(position + done, count - done, target);
                    if (n <= 0) {
                        break;
                    }
                    done += n;
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (!target.isOpen()) {
                        throw new IOException(name + ": transfer of " + count + " bytes from position " + position
                                + " to " + target + " failed: the target channel is closed (it received at least "
                                + done + " bytes)"
                                + (e instanceof ClosedByInterruptException
                                        ? " (this thread was interrupted during the transfer, and the JDK then closes"
                                                + " both channels; this file stays usable)"
                                        : ""), e);
                    }
                    ch = file.recover(ch, e, closes++, "transfer " + count + " bytes from position " + position
                            + " to " + target + " (" + done + " transferred)");
                } catch (IOException e) {
                    throw failed("transfer of " + count + " bytes from position " + position + " to " + target
                            + " (" + done + " transferred)", e);
                }
                // A transfer through a read/write loop returns what it did when the channel closes
                // under it: clear this thread's interrupt before the next call, or the JDK would
                // close the target too.
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return done;
    }

    /**
     * Makes everything written durable, through a second handle on the file that no thread interrupt
     * can close or cut short (why, and why a {@code FileChannel.force} cut short by an interrupt is
     * not simply retried on a reopened channel: see {@link NioSync}). {@code metadata} false is
     * {@code fdatasync}, true is {@code fsync}. A thread interrupted during a sync waits for it and
     * keeps its interrupt flag. When this open created the file, the first successful sync also
     * syncs the parent directory (skipped on Windows, which cannot open directories).
     *
     * <p>A failed sync is reported once and never retried: treat the file as failed.
     */
    @Override
    public void sync(boolean metadata) throws IOException {
        ensureOpen("sync");
        sync.sync(metadata);
    }

    @Override
    public void truncate(long size) throws IOException {
        requireWritable("truncate");
        if (size < 0) {
            throw new IllegalArgumentException(name + ": cannot truncate to negative size " + size);
        }
        ensureOpen("truncate");
        boolean interrupted = Thread.interrupted();
        mapped.suspend(); // no mapping may cover bytes past the new end
        try {
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    long current = ch.size();
                    if (size < current) {
                        channelPosition = -1; // truncate may move the channel's position
                        ch.truncate(size); // also frees whatever was reserved past the old end
                        reservation.dropped();
                    } else {
                        reservation.releaseAll(current); // also what a crashed process reserved
                    }
                    break;
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, "truncate to " + size + " bytes");
                } catch (IOException e) {
                    throw failed("truncate to " + size + " bytes", e);
                }
            }
            if (size < appendPosition) {
                appendPosition = size;
            }
        } finally {
            mapped.resume();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reserves the space from the end (or the end of what is reserved already) to {@code end}; see
     * {@link Reservation#extendTo}.
     */
    @Override
    public boolean preallocate(long end) throws IOException {
        requireWritable("preallocate");
        ensureOpen("preallocate");
        return reservation.extendTo(appendPosition, end);
    }

    /** Closes the file for good: later operations fail, nothing reopens it. Idempotent. */
    @Override
    public void close() throws IOException {
        if (reservation.holdsDescriptor() && !file.isClosed()) {
            try {
                reservation.release(channelSize());
            } catch (IOException e) {
                // the size is unknown: keep the reservation (invisible) rather than risk cutting data
            }
        }
        reservation.close();
        mapped.close();
        try {
            file.close();
        } catch (IOException e) {
            throw new IOException(name + ": close failed: " + e, e);
        }
    }

    /**
     * Renames the file and follows it there: a reopen after an interrupt, the sync handle, the
     * mapping of {@link MappedReads}, the reservation's descriptor and messages all use the new
     * path from now on. Open channels and mappings are untouched (they hold the file, not its
     * name). See {@link ReopenableChannel#renameTo}.
     */
    @Override
    public void renameTo(Path target) throws IOException {
        ensureOpen("rename it to " + target.toAbsolutePath());
        file.renameTo(target);
    }

    @Override
    public String toString() {
        return "NioFile[" + name + (writable ? ", READ_WRITE" : ", READ") + "]";
    }

    /** Whether the parent directory still needs a sync (the file was created and not synced yet). For tests. */
    boolean directorySyncPending() {
        return sync.directorySyncPending();
    }

    /** How many times a thread interrupt made this file reopen its channel. For tests. */
    int reopens() {
        return file.reopens();
    }

    /** How many bytes are mapped for reads (0: none). For tests. */
    long mappedLength() {
        return mapped.mappedLength();
    }

    /** The end of the space this handle reserved (0: none). For tests. */
    long reservedEnd() {
        return reservation.end();
    }

    /** The channel in use now. For tests, which close it the way an interrupted thread would. */
    FileChannel currentChannel() {
        return file.channel();
    }

    // ---------------------------------------------------------------------------------------------

    /** The channel's size, reopening it when an interrupt closed it. */
    private long channelSize() throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    return ch.size();
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, "read the size");
                } catch (IOException e) {
                    throw failed("size", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes all remaining bytes of {@code src} at {@code position} (pwrite); redone from the start after a reopen. */
    private void writeAt(ByteBuffer src, long position, String what) throws IOException {
        boolean interrupted = Thread.interrupted();
        int start = src.position();
        int total = src.remaining();
        try {
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    while (src.hasRemaining()) {
                        ch.write(src, position + (src.position() - start));
                    }
                    return;
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, what + " " + total + " bytes at position " + position);
                    src.position(start);
                } catch (IOException e) {
                    throw failed(what + " of " + total + " bytes at position " + position + " ("
                            + (src.position() - start) + " written)", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes all {@code total} remaining bytes of {@code srcs} at {@code position} with gathering
     * writes from the channel's position. Buffer positions advance. After a reopen the whole write
     * is redone from {@code position}, with the buffers' positions restored.
     */
    private void gather(ByteBuffer[] srcs, long position, long total, String what) throws IOException {
        boolean interrupted = Thread.interrupted();
        int[] starts = new int[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            starts[i] = srcs[i].position();
        }
        long left = total;
        try {
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    if (positioned != ch || channelPosition != position) {
                        channelPosition = -1;
                        ch.position(position);
                        positioned = ch;
                        channelPosition = position;
                    }
                    int first = 0;
                    while (left > 0) {
                        while (!srcs[first].hasRemaining()) {
                            first++;
                        }
                        long n = ch.write(srcs, first, srcs.length - first);
                        left -= n;
                        channelPosition += n;
                    }
                    return;
                } catch (ClosedChannelException e) {
                    channelPosition = -1;
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, what + " " + total + " bytes at position " + position);
                    for (int i = 0; i < srcs.length; i++) {
                        srcs[i].position(starts[i]);
                    }
                    left = total;
                } catch (IOException e) {
                    channelPosition = -1;
                    throw failed(what + " of " + total + " bytes at position " + position + " (" + (total - left)
                            + " written)", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long remaining(ByteBuffer[] srcs) {
        long total = 0;
        for (ByteBuffer b : srcs) {
            total += b.remaining();
        }
        return total;
    }

    private void requireWritable(String what) {
        if (!writable) {
            throw new ReadOnlyFileException(name + ": cannot " + what + ": the file was opened READ;"
                    + " open it READ_WRITE to write");
        }
    }

    private void ensureOpen(String what) throws ClosedChannelException {
        if (file.isClosed()) {
            throw file.closedError(what, null);
        }
    }

    private IOException failed(String what, IOException e) {
        return new IOException(name + ": " + what + " failed: " + e, e);
    }
}
