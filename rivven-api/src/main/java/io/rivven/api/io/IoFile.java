package io.rivven.api.io;

import io.rivven.api.Stable;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An open file of an {@link IoBackend}: what a log segment needs from storage.
 *
 * <p>Appends go to the end: the append position starts at the file's size when opened and
 * advances with each {@link #append}; {@link #truncate} moves it back.
 *
 * <p>Thread safety: {@link #read}, {@link #transferTo}, {@link #size()} and {@link #sync} may be
 * called from many threads at once and concurrently with one writer. The writing methods
 * ({@link #append}, {@link #write}, {@link #truncate}) need external serialisation: one writer at
 * a time. Bytes are visible to readers once the write call returns.
 *
 * <p>Interrupts: interrupting a thread that calls into an {@code IoFile} must not break the file
 * for other threads (a plain {@code FileChannel} closes itself for everyone when one of its
 * threads is interrupted). The interrupted call either completes or fails with an
 * {@link IOException}, the thread's interrupt flag is kept, and nothing already written is lost
 * or damaged. {@code IoBackendContract} in {@code rivven-testkit} checks this.
 *
 * <p>Durability: nothing written is durable before {@link #sync} returns. If sync fails the
 * caller must assume written pages are lost and must not retry to hide it.
 *
 * <p>Errors: an {@link IOException} is a failure of the storage or of this handle. After
 * {@link #close()}, reads, writes, {@link #transferTo}, {@link #sync} and {@link #truncate} throw
 * an {@code IOException} naming the file ({@code IoBackendContract} checks this). A file opened
 * {@link OpenMode#READ} refuses writes with {@link java.nio.channels.NonWritableChannelException}.
 */
@Stable
public interface IoFile extends Closeable {

    /** The file's path: where it was opened, or where {@link #renameTo} last moved it. */
    Path path();

    /** The current size in bytes (the append position). */
    long size() throws IOException;

    /**
     * Writes all remaining bytes of {@code srcs}, in order, at the end of the file (gathering).
     *
     * @return the file position of the first byte written
     */
    long append(ByteBuffer... srcs) throws IOException;

    /** Writes all remaining bytes of {@code src} at {@code position}; may extend the file. */
    void write(ByteBuffer src, long position) throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code position}.
     *
     * @return the number of bytes read, or -1 if {@code position} is at or beyond the end
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Fills {@code dst} from {@code position}.
     *
     * @throws EOFException naming the file and positions if the file ends first
     */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = read(dst, p);
            if (n < 0) {
                throw new EOFException(path() + ": wanted " + dst.remaining() + " more bytes at position " + p
                        + " but the file ends at " + size());
            }
            p += n;
        }
    }

    /**
     * Sends {@code count} bytes from {@code position} to {@code target} without copying them
     * through the Java heap where the platform allows (sendfile).
     *
     * @return the number of bytes transferred; less than {@code count} only at end of file
     */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    /**
     * Makes every byte written so far durable. With {@code metadata} false only the data (and the
     * size, when it changed) must reach the device, as fdatasync.
     */
    void sync(boolean metadata) throws IOException;

    /**
     * Cuts the file to {@code size} bytes (nothing is cut when it is already smaller or equal) and
     * moves the append position. Also releases storage {@link #preallocate reserved} beyond the
     * file's end, when {@code size} is the current size too: the engine calls
     * {@code truncate(size())} when a segment takes no more appends.
     */
    void truncate(long size) throws IOException;

    /**
     * A hint that appends will reach {@code end}: the backend may reserve storage for the bytes up
     * to {@code end} now (on Linux {@code fallocate} with {@code FALLOC_FL_KEEP_SIZE}), without
     * changing {@link #size()}, the content or what a reader or a crash can see. On file systems
     * that allocate blocks at writeback (ext4, XFS) appending into reserved space costs the
     * kernel less per page. Reserved space beyond the end is released by {@link #truncate} (all
     * of it, also what a process that crashed reserved) and {@link #close()} (what this handle
     * reserved).
     *
     * <p>Never fails an append: a backend, file system or file that cannot reserve (or has no
     * room) returns {@code false}, and the caller should stop asking for this file. Writer only.
     * This default reserves nothing.
     *
     * @return whether the space up to {@code end} is reserved
     * @throws IOException only if the file is closed
     * @throws java.nio.channels.NonWritableChannelException a backend may refuse it for a file
     *         opened {@link OpenMode#READ}, as every write (or just return {@code false})
     */
    default boolean preallocate(long end) throws IOException {
        return false;
    }

    /**
     * Renames the file to {@code target} while this handle stays open on it: afterwards
     * {@link #path()} is {@code target} and every operation goes on as before (a backend that
     * reopens or maps files by path, as {@code nio} does after a thread interrupt closed its
     * channel, uses {@code target} from now on). The move is one atomic rename that replaces
     * nothing. It is not durable by itself: the caller syncs the directories when the new name
     * must survive a crash. The engine renames segment files that readers may still hold, e.g. to
     * {@code .deleted} for retention, as Kafka's {@code FileRecords.renameTo} does.
     *
     * <p>Thread safety: may run concurrently with readers and with {@link #sync}; serialised with
     * the writing methods (the writer calls it). Allowed for files opened {@link OpenMode#READ}.
     *
     * <p>This default moves the file by {@link #path()} and cannot change what {@code path()}
     * returns: a backend whose handles use their path after opening must override it.
     * {@code IoBackendContract} in {@code rivven-testkit} checks the whole contract.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists (nothing moved)
     * @throws java.nio.file.AtomicMoveNotSupportedException if the file system cannot rename the
     *         file to {@code target} in one step, e.g. to another file system (nothing moved)
     * @throws IOException naming both paths if the rename fails otherwise, or if the file is
     *         closed; the file keeps its name and the handle stays usable
     */
    default void renameTo(Path target) throws IOException {
        Path source = path();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(source.toString(), target.toString(), "cannot rename onto an existing file");
        }
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Closes the file, releasing storage {@link #preallocate reserved} beyond its end; idempotent. */
    @Override
    void close() throws IOException;
}
