package io.rivven.io.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How a {@link NioFile} is made durable, whatever thread interrupts do meanwhile.
 *
 * <p><b>The sync handle.</b> {@link #sync} runs {@code fdatasync(2)} ({@code metadata} false) or
 * {@code fsync(2)} through the file's sync handle ({@link ReopenableChannel#syncHandle()}): an
 * {@link AsynchronousFileChannel} on the same file, opened on the first sync and kept until the
 * file is closed, whose {@code force} runs in the calling thread and is not interruptible (no
 * interrupt closes it or cuts it short). A thread interrupted during a sync waits for it and keeps
 * its interrupt flag.
 *
 * <p><b>Why not retry {@code FileChannel.force} on a reopened channel.</b> When a
 * {@code FileChannel} closes while its {@code force} runs (this thread's interrupt, or another
 * thread's on the shared channel), the JDK throws an {@link AsynchronousCloseException} (or
 * {@link ClosedByInterruptException}) <em>instead of</em> the {@code fsync} error, if there was
 * one. On Linux the kernel records writeback errors per inode ({@code errseq_t}) and reports each
 * to every open file description once; a file opened later sees only errors nobody has seen yet.
 * So the descriptor whose result was dropped has consumed the error, a retry on a freshly opened
 * channel would succeed over lost pages, and the partition would acknowledge data the device never
 * got. The sync handle has neither problem: it is never closed by an interrupt, its error is never
 * replaced, and since nothing else here syncs the file, every writeback error since the handle was
 * opened (or not yet seen by anyone when it was) is reported through it, once, and fails the sync.
 * Closing a descriptor (as an interrupt does to the main channel) loses nothing: dirty pages stay
 * in the page cache and errors stay recorded on the inode. A real I/O error therefore still fails
 * the sync, and the partition with it.
 *
 * <p><b>Without a sync handle</b> (the file was renamed by something other than
 * {@link NioFile#renameTo}, deleted or replaced before its first sync here; Windows; a non-default file system) the channel's
 * {@code force} is used: a channel found closed before the call (nothing ran) is reopened and the
 * sync retried; a {@code force} that a close cut short fails the sync, as its result is unknown.
 *
 * <p><b>The directory.</b> When the open created the file, the first successful sync also fsyncs
 * the parent directory, through an {@code AsynchronousFileChannel} of its own for the same reason
 * (skipped on Windows, which cannot open directories).
 *
 * <p>Failures are reported once and never retried: the caller must treat the file as failed.
 * Thread safety: any thread.
 */
final class NioSync {

    private final FilePath name;
    private final ReopenableChannel file;
    /** The open created the file and its directory entry has not been synced yet. */
    private volatile boolean directorySyncPending;

    /** @param created whether opening created the file (its directory then needs a sync) */
    NioSync(FilePath name, ReopenableChannel file, boolean created) {
        this.name = name;
        this.file = file;
        this.directorySyncPending = created;
    }

    /** See the class comment. */
    void sync(boolean metadata) throws IOException {
        String op = metadata ? "fsync" : "fdatasync";
        ReopenableChannel.SyncHandle handle = file.syncHandle();
        if (handle == null) {
            forceChannel(metadata, op);
        } else {
            try {
                handle.force(metadata);
            } catch (ClosedChannelException e) { // only close() closes it
                throw file.closedError("sync", e);
            } catch (IOException e) {
                throw failed(op, e);
            }
        }
        if (directorySyncPending) {
            syncDirectory();
            directorySyncPending = false;
        }
    }

    /** Whether the parent directory still needs a sync (the file was created and not synced yet). */
    boolean directorySyncPending() {
        return directorySyncPending;
    }

    /** {@link FileChannel#force} on the channel, for when there is no sync handle. */
    private void forceChannel(boolean metadata, String op) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            FileChannel ch = file.channel();
            for (int closes = 0; ; closes++) {
                try {
                    ch.force(metadata);
                    return;
                } catch (AsynchronousCloseException e) { // ClosedByInterruptException too: the force ran, or may have
                    interrupted |= Thread.interrupted();
                    if (file.isClosed()) {
                        throw file.closedError("sync", e);
                    }
                    throw new IOException(name + ": " + op + " was cut short: a thread interrupt closed the FileChannel"
                            + " during it, so its result is unknown (the JDK drops the error of a force whose channel"
                            + " closes under it), and there is no second handle to sync through ("
                            + file.noSyncHandle() + "); bytes written since the last successful sync may be lost:"
                            + " treat the file as failed", e);
                } catch (ClosedChannelException e) { // closed before the force started: nothing ran
                    interrupted |= Thread.interrupted();
                    ch = file.recover(ch, e, closes, "sync");
                } catch (IOException e) {
                    throw failed(op, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void syncDirectory() throws IOException {
        Path dir = name.get().toAbsolutePath().getParent();
        if (dir == null || Os.WINDOWS) {
            return;
        }
        try (AsynchronousFileChannel d = AsynchronousFileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException(name + ": fsync of the parent directory " + dir + " failed (" + e
                    + "); the new file's directory entry may not be durable: treat the file as failed", e);
        }
    }

    private IOException failed(String op, IOException e) {
        return new IOException(name + ": " + op + " failed (" + e + "); bytes written since the last successful sync"
                + " may be lost: treat the file as failed, do not retry", e);
    }
}
