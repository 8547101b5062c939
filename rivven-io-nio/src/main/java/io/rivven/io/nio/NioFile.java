package io.rivven.io.nio;

import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * A segment file behind one {@link FileChannel}.
 *
 * <p>Writes: {@link #append} with one buffer is a positional write ({@code pwrite}); with several it
 * is one gathering write ({@code writev}) from the channel's own position, which only the writer
 * uses (readers and {@link #transferTo} are positional and never move it), so it is seeked only
 * when it is not already at the append position. Every write loops until all bytes are written.
 * The append position starts at the file's size when opened, is kept here (not asked of the file
 * system) and is published through a volatile field once the bytes are written, so a reader that
 * sees a size also sees every byte below it.
 *
 * <p>Thread safety: as {@link IoFile} says: {@link #read}, {@link #readFully}, {@link #transferTo},
 * {@link #size()} and {@link #sync} from any number of threads, concurrently with one writer
 * ({@link #append}, {@link #write}, {@link #truncate}), which callers serialise. No locks.
 *
 * <p>Failures: every {@link IOException} names the absolute path, the operation and the position.
 * A failed append leaves the append position where it was (the bytes already written past it are
 * overwritten by the next append or cut by {@link #truncate}). A failed {@link #sync} is reported
 * once and never retried: pages written since the last good sync may be lost, and the caller must
 * treat the file as failed. Interrupting a thread blocked in an operation here closes the
 * underlying {@code FileChannel} (a property of {@code FileChannel}); later operations then fail
 * with a {@link ClosedChannelException} that says so and the file must be reopened.
 *
 * <p>Durability: {@link #sync}{@code (false)} is {@code fdatasync}, {@code (true)} is {@code fsync}.
 * When this open created the file, the first successful sync also syncs the parent directory so
 * that the new directory entry survives a power loss (skipped on Windows, which cannot open
 * directories as channels).
 *
 * <p>Modes: {@link OpenMode#READ} files reject writes with a
 * {@link java.nio.channels.NonWritableChannelException}, and their {@link #size()} is the file's
 * current length (another handle may be appending to it).
 */
final class NioFile implements IoFile {

    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private final Path path;
    /** The absolute path, for messages. */
    private final String name;
    private final FileChannel channel;
    private final boolean writable;

    /** Where the next append goes; written by the one writer, read by anyone. */
    private volatile long appendPosition;
    /** The channel's own position as last left by the writer, or -1 when unknown. Writer-only. */
    private long channelPosition = -1;
    /** This open created the file and its directory entry has not been synced yet. */
    private volatile boolean directorySyncPending;
    /** {@link #close()} was called (as opposed to the channel closing itself on an interrupt). */
    private volatile boolean closed;

    /**
     * @param created whether opening created the file (its directory then needs a sync)
     * @throws IOException if the channel's size cannot be read; the channel is not closed here
     */
    NioFile(Path path, FileChannel channel, OpenMode mode, boolean created) throws IOException {
        this.path = path;
        this.name = path.toAbsolutePath().toString();
        this.channel = channel;
        this.writable = mode == OpenMode.READ_WRITE;
        this.directorySyncPending = created;
        this.appendPosition = channel.size();
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() throws IOException {
        ensureOpen("size");
        if (writable) {
            return appendPosition;
        }
        try {
            return channel.size();
        } catch (IOException e) {
            throw failed("size", e);
        }
    }

    @Override
    public long append(ByteBuffer... srcs) throws IOException {
        requireWritable("append");
        ensureOpen("append");
        long start = appendPosition;
        long total = remaining(srcs);
        if (total > 0) {
            writeFully(srcs, start, total, "append");
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
            writeFully(srcs, start, total, srcs.length + " batched appends");
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
        long p = position;
        try {
            while (src.hasRemaining()) {
                p += channel.write(src, p);
            }
        } catch (IOException e) {
            throw failed("write of " + n + " bytes at position " + position + " (" + (p - position)
                    + " written)", e);
        }
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
        try {
            return channel.read(dst, position);
        } catch (IOException e) {
            throw failed("read of " + dst.remaining() + " bytes at position " + position, e);
        }
    }

    /**
     * Loops over {@link FileChannel#transferTo} (sendfile to sockets, copy_file_range to files).
     * Returns fewer than {@code count} bytes at end of file, or when the target accepts nothing (a
     * non-blocking socket whose buffer is full): the caller continues from the returned count.
     */
    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException(name + ": cannot transfer " + count + " bytes from position "
                    + position + ": both must be >= 0");
        }
        long done = 0;
        try {
            while (done < count) {
                long n = channel.transferTo(position + done, count - done, target);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
        } catch (IOException e) {
            throw failed("transfer of " + count + " bytes from position " + position + " to " + target
                    + " (" + done + " transferred)", e);
        }
        return done;
    }

    @Override
    public void sync(boolean metadata) throws IOException {
        try {
            channel.force(metadata);
        } catch (ClosedChannelException e) {
            throw closedError("sync", e);
        } catch (IOException e) {
            throw new IOException(name + ": " + (metadata ? "fsync" : "fdatasync") + " failed (" + e
                    + "); bytes written since the last successful sync may be lost: treat the file as failed,"
                    + " do not retry", e);
        }
        if (directorySyncPending) {
            syncDirectory();
            directorySyncPending = false;
        }
    }

    @Override
    public void truncate(long size) throws IOException {
        requireWritable("truncate");
        if (size < 0) {
            throw new IllegalArgumentException(name + ": cannot truncate to negative size " + size);
        }
        ensureOpen("truncate");
        try {
            if (size < channel.size()) {
                channel.truncate(size);
                channelPosition = -1;
            }
        } catch (IOException e) {
            channelPosition = -1;
            throw failed("truncate to " + size + " bytes", e);
        }
        if (size < appendPosition) {
            appendPosition = size;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new IOException(name + ": close failed: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "NioFile[" + name + (writable ? ", READ_WRITE" : ", READ") + "]";
    }

    /** Whether the parent directory still needs a sync (the file was created and not synced yet). For tests. */
    boolean directorySyncPending() {
        return directorySyncPending;
    }

    // ---------------------------------------------------------------------------------------------

    /** Writes all {@code total} remaining bytes of {@code srcs} at {@code position}. Buffer positions advance. */
    private void writeFully(ByteBuffer[] srcs, long position, long total, String what) throws IOException {
        long left = total;
        try {
            if (srcs.length == 1) {
                ByteBuffer src = srcs[0];
                long p = position;
                while (src.hasRemaining()) {
                    p += channel.write(src, p);
                }
                return;
            }
            if (channelPosition != position) {
                channelPosition = -1;
                channel.position(position);
                channelPosition = position;
            }
            int first = 0;
            while (left > 0) {
                while (!srcs[first].hasRemaining()) {
                    first++;
                }
                long n = channel.write(srcs, first, srcs.length - first);
                left -= n;
                channelPosition += n;
            }
        } catch (IOException e) {
            channelPosition = -1;
            throw failed(what + " of " + total + " bytes at position " + position + " ("
                    + (srcs.length == 1 ? total - srcs[0].remaining() : total - left) + " written)", e);
        }
    }

    private void syncDirectory() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || WINDOWS) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new IOException(name + ": fsync of the parent directory " + dir + " failed (" + e
                    + "); the new file's directory entry may not be durable: treat the file as failed", e);
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
        if (!channel.isOpen()) {
            throw closedError(what, null);
        }
    }

    private IOException failed(String what, IOException e) {
        if (e instanceof ClosedChannelException && !channel.isOpen()) {
            return closedError(what, e);
        }
        return new IOException(name + ": " + what + " failed: " + e, e);
    }

    private ClosedChannelException closedError(String what, Throwable cause) {
        String why = closed
                ? "the file is closed"
                : "its FileChannel was closed because a thread was interrupted during I/O on it"
                        + " (FileChannel closes itself on interrupt); reopen the file and do not interrupt"
                        + " threads doing I/O";
        return new FileClosedException(name + ": cannot " + what + ": " + why, cause);
    }
}
