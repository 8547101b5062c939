package io.rivven.io.nio;

import java.nio.file.Path;

/**
 * Where an open {@link NioFile} lives now: the path it was opened by, then each path
 * {@link NioFile#renameTo} moved it to. Everything that goes back to the file by path (a reopen
 * after an interrupt, the sync handle, a mapping, a reservation's descriptor, the directory sync)
 * and every message asks it, so they all follow a rename. {@link #toString()} is the absolute path,
 * for messages.
 *
 * <p>Thread-safe: the path and its absolute form change together, in one volatile write.
 */
final class FilePath {

    private record Current(Path path, String absolute) {
    }

    private volatile Current current;

    FilePath(Path path) {
        set(path);
    }

    Path get() {
        return current.path();
    }

    /** Records that the file now lives at {@code path}. */
    void set(Path path) {
        current = new Current(path, path.toAbsolutePath().toString());
    }

    @Override
    public String toString() {
        return current.absolute();
    }
}
