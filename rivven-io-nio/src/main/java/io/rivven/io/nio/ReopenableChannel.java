package io.rivven.io.nio;

import io.rivven.api.io.OpenMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The {@link FileChannel} of one {@link NioFile}, replaced by a fresh one when a thread interrupt
 * closes it, plus the second handle that {@link NioFile#sync} fsyncs through.
 *
 * <p><b>Why.</b> A {@code FileChannel} is an {@link java.nio.channels.InterruptibleChannel}: when a
 * thread is interrupted while it is in an operation on it (or enters one with its interrupt flag
 * set), the JDK closes the channel, for every thread that shares it. The reader or writer that was
 * interrupted gets a {@link java.nio.channels.ClosedByInterruptException}, the others an
 * {@link java.nio.channels.AsynchronousCloseException} or a {@link ClosedChannelException}. Library
 * users interrupt their own threads ({@code Future.cancel(true)}, {@code shutdownNow()}); that must
 * not break a segment file for everyone.
 *
 * <p><b>Reopening.</b> An operation that fails with one of those exceptions while {@link #close()}
 * was not called asks {@link #recover} for a channel to retry on. The first thread to ask reopens
 * the file (under a lock, only if the current channel is still the one that failed); threads
 * racing it get the new channel. The closes one operation absorbs are counted, so that a thread
 * interrupted in a tight loop cannot make anyone spin for ever: the interrupted thread's own
 * operation gives up with an {@link IOException} saying why once {@value #MAX_OWN_CLOSES} closes
 * happened during it, the last by its own interrupt (it is the one being interrupted: failing it
 * is fair); the operation of a thread whose channel others' interrupts keep closing gives up only
 * after {@value #MAX_CLOSES} (a small limit there would turn one thread's interrupts into failures
 * of innocent threads, which is what this class exists to prevent).
 *
 * <p><b>Identity.</b> A reopen goes by path: the file's current one, which {@link #renameTo} moves
 * (the engine renames segments to {@code *.deleted} through it while readers still hold them). The
 * path may still no longer name this file when something else renamed, deleted or replaced it. So the file's identity ({@link BasicFileAttributes#fileKey()}:
 * device and inode on Linux) is recorded at open; after reopening the path, its key must still be
 * the same, else the reopen fails with an {@link IOException} naming the file and saying it was
 * deleted, renamed or replaced while its channel was closed by an interrupt (nothing is read from
 * or written to another file). Limits: the key is read from the path just after the first open
 * (there is no public {@code fstat} of a channel), so a rename racing that very open goes unseen;
 * where the platform has no file keys (Windows) a closed channel is never reopened and the
 * operation fails as before.
 *
 * <p><b>The sync handle.</b> {@link #syncHandle()} opens, on first use, a second handle on the same
 * file (identity-checked as a reopen is): an {@link AsynchronousFileChannel}, whose
 * {@link AsynchronousFileChannel#force force} runs {@code fsync(2)} or {@code fdatasync(2)} in the
 * calling thread and, unlike {@code FileChannel}'s, is not interruptible: an interrupt neither
 * closes it nor cuts the call short (and no executor thread is started for it). See
 * {@link NioSync} for why syncs go through it. It is closed by {@link #close()}, which waits
 * for a sync in progress on it.
 *
 * <p>Thread safety: any thread. {@link #channel()} is a volatile read; {@link #recover} and the
 * opening of the sync handle take a lock.
 */
final class ReopenableChannel {

    /** Closes one operation absorbs before it gives up, when the last was by its own thread's interrupt. */
    static final int MAX_OWN_CLOSES = 16;
    /** Closes one operation absorbs before it gives up, when others' interrupts closed the channel. */
    static final int MAX_CLOSES = 256;

    /** An {@code fsync(2)} or {@code fdatasync(2)} that no thread interrupt can close or cut short. */
    interface SyncHandle extends Closeable {
        /** As {@link FileChannel#force}; a closed handle throws {@link ClosedChannelException}. */
        void force(boolean metadata) throws IOException;
    }

    /** How the file is opened again; tests override it to inject faults. */
    static class Opener {
        static final Opener DEFAULT = new Opener();

        /** Opens {@code path} again in {@code mode}, never creating it. */
        FileChannel reopen(Path path, OpenMode mode) throws IOException {
            return mode == OpenMode.READ
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        /**
         * A second handle to sync {@code path} through, in {@code mode}, never creating the file; null
         * where there is none: on Windows (an asynchronous channel there starts an I/O completion
         * port and its threads) and on non-default file systems.
         */
        SyncHandle openSyncHandle(Path path, OpenMode mode) throws IOException {
            if (Os.WINDOWS || path.getFileSystem() != FileSystems.getDefault()) {
                return null;
            }
            AsynchronousFileChannel ch = mode == OpenMode.READ
                    ? AsynchronousFileChannel.open(path, StandardOpenOption.READ)
                    : AsynchronousFileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new SyncHandle() {
                @Override
                public void force(boolean metadata) throws IOException {
                    ch.force(metadata);
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
    }

    /** Where the file lives now, for reopening and messages. */
    private final FilePath name;
    private final OpenMode mode;
    private final Opener opener;
    /** The file's identity at open; null where the platform has none. */
    private final Object fileKey;
    private final Object lock = new Object();

    private volatile FileChannel channel;
    private volatile boolean closed;
    private volatile SyncHandle syncHandle;
    /** Why the sync handle could not be opened (for the message of a sync that needed it). Under lock. */
    private String noSyncHandle = "not opened yet";
    private volatile int reopens;

    /**
     * @throws IOException if the file's identity cannot be read (the channel is not closed here)
     */
    ReopenableChannel(FilePath name, OpenMode mode, FileChannel channel, Opener opener) throws IOException {
        this.name = name;
        this.mode = mode;
        this.opener = opener;
        this.channel = channel;
        this.fileKey = Files.readAttributes(name.get(), BasicFileAttributes.class).fileKey();
    }

    /** The current channel (it may be closed: operations call {@link #recover} when it is). */
    FileChannel channel() {
        return channel;
    }

    boolean isClosed() {
        return closed;
    }

    /** The file's identity when opened ({@link BasicFileAttributes#fileKey()}); null where the platform has none. */
    Object fileKey() {
        return fileKey;
    }

    /** How many times the channel was reopened. For tests. */
    int reopens() {
        return reopens;
    }

    /**
     * What to retry on after an operation on {@code failed} threw {@code cause}. The caller must
     * have cleared its interrupt flag (and must restore it when its operation ends), else the retry
     * closes the new channel at once.
     *
     * @param closes how many times this operation already recovered
     * @param what   the operation, completing "cannot ...", for messages
     * @return a channel that was open a moment ago: the current one if another thread already
     *         replaced {@code failed}, else a fresh one
     * @throws ClosedChannelException naming the file if {@link #close()} was called
     * @throws IOException if {@code failed} is still open ({@code cause} is not about it), if the
     *         operation absorbed too many closes already ({@value #MAX_OWN_CLOSES} when {@code cause}
     *         is a {@link ClosedByInterruptException}, else {@value #MAX_CLOSES}), or if the file
     *         cannot be reopened or is not the same file any more
     */
    FileChannel recover(FileChannel failed, ClosedChannelException cause, int closes, String what) throws IOException {
        if (closed) {
            throw closedError(what, cause);
        }
        if (failed.isOpen()) {
            throw new IOException(name + ": cannot " + what + ": " + cause, cause);
        }
        if (closes >= (cause instanceof ClosedByInterruptException ? MAX_OWN_CLOSES : MAX_CLOSES)) {
            throw new IOException(name + ": cannot " + what + ": its FileChannel was closed " + (closes + 1)
                    + " times during this one call by thread interrupts (this thread's or others') and reopened each"
                    + " time; giving up. Is a thread doing I/O on this file interrupted in a tight loop?", cause);
        }
        synchronized (lock) {
            if (closed) {
                throw closedError(what, cause);
            }
            FileChannel current = channel;
            if (current != failed && current.isOpen()) {
                return current;
            }
            FileChannel fresh = reopen(what, cause);
            channel = fresh;
            reopens++;
            return fresh;
        }
    }

    /**
     * The sync handle, opened on first use; null when it cannot be opened (see {@link #noSyncHandle()}),
     * in which case the next call tries again.
     */
    SyncHandle syncHandle() {
        SyncHandle h = syncHandle;
        if (h != null) {
            return h;
        }
        synchronized (lock) {
            if (closed || syncHandle != null) {
                return syncHandle;
            }
            try {
                h = opener.openSyncHandle(name.get(), mode);
            } catch (IOException | RuntimeException e) {
                noSyncHandle = "opening it failed: " + e;
                return null;
            }
            if (h == null) {
                noSyncHandle = "this platform has none";
                return null;
            }
            String mismatch = identityMismatch();
            if (mismatch != null) {
                closeQuietly(h, null);
                noSyncHandle = mismatch;
                return null;
            }
            syncHandle = h;
            return h;
        }
    }

    /** Why {@link #syncHandle()} returned null. */
    String noSyncHandle() {
        synchronized (lock) {
            return noSyncHandle;
        }
    }

    /**
     * Renames the file to {@code target} in one atomic move, then reopens and identity checks go
     * there. Under the lock, so that no reopen or sync-handle open runs in between. The path must
     * still name the file opened (identity checked as a reopen is, where the platform has file
     * keys): else something else would be moved. Nothing is moved when this throws.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws AtomicMoveNotSupportedException if the file system cannot rename it in one step
     * @throws IOException naming both paths for any other failure, or if {@link #close()} was called
     */
    void renameTo(Path target) throws IOException {
        String what = "rename it to " + target.toAbsolutePath();
        synchronized (lock) {
            if (closed) {
                throw closedError(what, null);
            }
            String mismatch = fileKey == null ? null : identityMismatch();
            if (mismatch != null) {
                throw new IOException(name + ": cannot " + what + ": " + mismatch + "; nothing was moved");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(name.toString(), target.toAbsolutePath().toString(),
                        "cannot rename onto an existing file; nothing was moved");
            }
            try {
                Files.move(name.get(), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new AtomicMoveNotSupportedException(name.toString(), target.toAbsolutePath().toString(),
                        "the file system cannot rename the file there in one step (another file system?); nothing was moved");
            } catch (IOException e) {
                throw new IOException(name + ": cannot " + what + ": " + e, e);
            }
            name.set(target);
        }
    }

    /** Closes the channel and the sync handle (waiting for a sync in progress on it); no reopen after this. Idempotent. */
    void close() throws IOException {
        closed = true;
        FileChannel ch;
        SyncHandle h;
        synchronized (lock) {
            ch = channel;
            h = syncHandle;
            syncHandle = null;
        }
        IOException failure = closeQuietly(h, null);
        try {
            ch.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The error for an operation on a file that {@link #close()} closed. */
    ClosedChannelException closedError(String what, Throwable cause) {
        return new FileClosedException(name + ": cannot " + what + ": the file is closed", cause);
    }

    // ---------------------------------------------------------------------------------------------

    private FileChannel reopen(String what, ClosedChannelException cause) throws IOException {
        String why = name + ": cannot " + what + ": a thread interrupt closed its FileChannel and reopening the file";
        if (fileKey == null) {
            throw new IOException(why + " is not possible here: this platform gives files no identity (file key) to check"
                    + " that the path still names the same file; reopen the file", cause);
        }
        FileChannel fresh;
        try {
            fresh = opener.reopen(name.get(), mode);
        } catch (NoSuchFileException e) {
            IOException gone = new IOException(why + " failed: there is no file at this path any more (deleted or"
                    + " renamed since it was opened, e.g. to .deleted by retention)", cause);
            gone.addSuppressed(e);
            throw gone;
        } catch (IOException e) {
            IOException failed = new IOException(why + " failed: " + e, cause);
            failed.addSuppressed(e);
            throw failed;
        }
        String mismatch;
        try {
            mismatch = identityMismatch();
        } catch (RuntimeException e) {
            closeQuietly(fresh, cause);
            throw e;
        }
        if (mismatch != null) {
            closeQuietly(fresh, cause);
            throw new IOException(why + " was refused: " + mismatch + "; nothing was read from or written to that file",
                    cause);
        }
        return fresh;
    }

    /** Null when the path still names the file opened first, else what is wrong. */
    private String identityMismatch() {
        if (fileKey == null) {
            return "this platform gives files no identity (file key) to check that the path still names the same file";
        }
        Object now;
        try {
            now = Files.readAttributes(name.get(), BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return "there is no file at this path any more (deleted or renamed since it was opened, e.g. to .deleted"
                    + " by retention)";
        } catch (IOException e) {
            return "the path's identity cannot be read (" + e + ")";
        }
        if (!fileKey.equals(now)) {
            return "the path now names another file (identity " + now + ", was " + fileKey + " when opened): the file"
                    + " was replaced since it was opened";
        }
        return null;
    }

    private static IOException closeQuietly(Closeable c, Throwable into) {
        if (c == null) {
            return null;
        }
        try {
            c.close();
            return null;
        } catch (IOException e) {
            if (into != null) {
                into.addSuppressed(e);
            }
            return e;
        }
    }
}
