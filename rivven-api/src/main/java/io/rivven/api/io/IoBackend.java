package io.rivven.api.io;

import io.rivven.api.Stable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A configured I/O backend: opens segment files and executes batches of file operations.
 *
 * <p>Thread safety: safe for concurrent use; each {@link IoFile} documents its own rules.
 */
@Stable
public interface IoBackend extends AutoCloseable {

    /** The provider's name, e.g. {@code "nio"}. */
    String name();

    /**
     * Opens {@code path}.
     *
     * @throws java.nio.file.NoSuchFileException if {@code mode} is {@link OpenMode#READ} and the file is missing
     */
    IoFile open(Path path, OpenMode mode) throws IOException;

    /**
     * Executes every operation of {@code batch} in order (see {@link IoBatch} for the semantics).
     * This default runs them one after another; a backend with real batched submission overrides it.
     *
     * @throws IOException on the first failing operation; the operations before it took effect,
     *         the ones after it did not run
     */
    default BatchStats execute(IoBatch batch) throws IOException {
        int writes = 0;
        int reads = 0;
        int syncs = 0;
        long written = 0;
        long read = 0;
        for (IoBatch.Op op : batch.ops()) {
            switch (op) {
                case IoBatch.Write w -> {
                    int n = w.data().remaining();
                    w.file().write(w.data(), w.position());
                    writes++;
                    written += n;
                }
                case IoBatch.Append a -> {
                    int n = a.data().remaining();
                    a.file().append(a.data());
                    writes++;
                    written += n;
                }
                case IoBatch.Read r -> {
                    long p = r.position();
                    while (r.dst().hasRemaining()) {
                        int n = r.file().read(r.dst(), p);
                        if (n < 0) {
                            break;
                        }
                        p += n;
                    }
                    reads++;
                    read += p - r.position();
                }
                case IoBatch.Sync s -> {
                    s.file().sync(s.metadata());
                    syncs++;
                }
            }
        }
        return new BatchStats(batch.size(), writes, reads, syncs, written, read);
    }

    /** Releases the backend's resources (rings, threads); files opened from it must be closed first. Idempotent. */
    @Override
    void close() throws IOException;
}
