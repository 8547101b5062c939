package io.rivven.io.nio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The storage one {@link NioFile} reserved past its end ({@link NioFile#preallocate}), through a
 * write-only descriptor of its own (see {@link Fallocate}), opened by the first reservation after
 * checking that it names the very file the channel has open.
 *
 * <p>Not thread-safe: used by the file's writer, and by {@code close} once the writer is done.
 */
final class Reservation {

    private final FilePath path;
    /** The file's identity when the channel opened it; null where the platform has none. */
    private final Object fileKey;
    /** The descriptor {@link Fallocate} works on; -1 until the first reservation. */
    private int fd = -1;
    /** The end of the space reserved; 0 when none is. */
    private long end;
    /** Set when a reservation failed: nothing more is reserved. */
    private boolean refused;

    Reservation(FilePath path, Object fileKey) {
        this.path = path;
        this.fileKey = fileKey;
    }

    /**
     * Reserves from {@code fileEnd} (or the end already reserved) to {@code newEnd}.
     *
     * @return false if this file cannot reserve (no {@link Fallocate}, another file at the path
     *         now, a file system without {@code fallocate}, no space); it then never tries again
     */
    boolean extendTo(long fileEnd, long newEnd) {
        if (refused || !Fallocate.AVAILABLE) {
            return false;
        }
        long from = Math.max(fileEnd, end);
        if (newEnd <= from) {
            return true;
        }
        if (fd < 0 && !openDescriptor()) {
            refused = true;
            return false;
        }
        if (Fallocate.keepSize(fd, from, newEnd - from) != 0) {
            refused = true;
            return false;
        }
        end = newEnd;
        return true;
    }

    /** The end of the space reserved (0: none). */
    long end() {
        return end;
    }

    /** The file was cut to below the reservation, which the cut freed. */
    void dropped() {
        end = 0;
    }

    /**
     * Gives back what this handle reserved past {@code size}, the file's size now (read from the
     * file, never an append position that may be behind bytes a failed append left): a
     * {@code ftruncate} to the same size keeps every byte and frees the blocks past the end.
     */
    void release(long size) {
        if (fd >= 0 && end > size) {
            Fallocate.ftruncate(fd, size); // on failure the space stays reserved, invisible
        }
        end = 0;
    }

    /**
     * As {@link #release}, and also what anyone else reserved past {@code size} (a process that
     * died before giving it back): opens the descriptor if needed. Nothing where
     * {@link Fallocate} is not available.
     */
    void releaseAll(long size) {
        if (!Fallocate.AVAILABLE || (fd < 0 && !openDescriptor())) {
            end = 0;
            return;
        }
        Fallocate.ftruncate(fd, size); // on failure the space stays reserved, invisible
        end = 0;
    }

    /** Whether anything may still be reserved (a descriptor is open). */
    boolean holdsDescriptor() {
        return fd >= 0;
    }

    /** Closes the descriptor; idempotent. Call {@link #release} first. */
    void close() {
        if (fd >= 0) {
            Fallocate.close(fd);
            fd = -1;
        }
    }

    private boolean openDescriptor() {
        int opened = Fallocate.openWriteOnly(path.get());
        if (opened < 0) {
            return false;
        }
        if (!sameFile(opened)) {
            Fallocate.close(opened);
            return false;
        }
        fd = opened;
        return true;
    }

    /** Whether descriptor {@code descriptor} (through {@code /proc/self/fd}) is the file the channel opened. */
    private boolean sameFile(int descriptor) {
        if (fileKey == null) {
            return false;
        }
        try {
            return fileKey.equals(Files.readAttributes(Path.of("/proc/self/fd/" + descriptor),
                    BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return false;
        }
    }
}
