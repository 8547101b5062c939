package io.rivven.core.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock an open {@link StorageEngine} holds on its data directory, so that a second
 * engine (in another process or in this JVM) cannot open the same files and corrupt them: two
 * writers appending to one segment, or one recovering (truncating) what the other is writing.
 *
 * <p>The lock is an OS file lock ({@code fcntl}/{@code LockFileEx} through
 * {@link FileChannel#tryLock()}) on {@code <dataDir>/.lock}, as Kafka locks its log directories.
 * The OS releases it when the process dies, however it dies, so a crash never leaves a stale
 * lock; the file itself stays and is reused. It holds the owner's process id, for the message a
 * second opener gets. Read-only tools ({@code rivven verify}, {@code rivven dump}) do not take it.
 *
 * <p>Thread safety: {@link #close()} may be called from any thread; idempotent.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE_NAME = ".lock";

    private final Path file;
    private final FileChannel channel;

    private DataDirLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Locks {@code dataDir} (creating it and the lock file when missing).
     *
     * @throws DataDirInUseException when another engine holds the lock, naming the directory and,
     *         when known, the owner's process id
     * @throws IOException when the directory cannot be created (naming it and what stood in the
     *         way), or the lock file cannot be created or locked
     */
    static DataDirLock acquire(Path dataDir) throws IOException {
        try {
            Files.createDirectories(dataDir);
        } catch (FileSystemException e) {
            throw new IOException("cannot create the data directory " + dataDir.toAbsolutePath() + " (dataDir): " + e.getFile()
                    + ": " + reason(e) + "; create it, or set dataDir to a directory that can be created", e);
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        boolean locked = false;
        try {
            FileLock lock;
            String holder;
            try {
                lock = channel.tryLock();
                holder = "another process";
            } catch (OverlappingFileLockException e) {
                lock = null;
                holder = "another engine in this JVM";
            }
            if (lock == null) {
                throw new DataDirInUseException("data directory " + dataDir.toAbsolutePath() + " is in use by " + holder
                        + owner(channel) + " (it holds the lock on " + file + "); close that engine first, or give this"
                        + " one another dataDir");
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            locked = true;
            return new DataDirLock(file, channel);
        } catch (IOException e) {
            if (e instanceof DataDirInUseException) {
                throw e;
            }
            throw new IOException(file + ": cannot lock the data directory: " + e, e);
        } finally {
            if (!locked) {
                channel.close();
            }
        }
    }

    /** ", process id N" as written by the lock's owner, or "" when the file holds none. */
    private static String owner(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            channel.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
            return s.chars().allMatch(Character::isDigit) && !s.isEmpty() ? ", process id " + s : "";
        } catch (IOException e) {
            return "";
        }
    }

    Path file() {
        return file;
    }

    /** Releases the lock (closing the channel releases it). The file stays. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Why a file operation failed, in words: "no such file or directory", "permission denied", "not a directory". */
    private static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "exists and is not a directory";
        }
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }
}
