package io.rivven.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * File operations of the engine's own (index mappings, checkpoints, directory syncs) that a thread
 * interrupt must not fail. Library users interrupt their own threads ({@code Future.cancel(true)},
 * {@code shutdownNow()}), and those threads append and read; a {@link FileChannel} is an
 * {@link java.nio.channels.InterruptibleChannel} that the JDK closes when a thread using it is
 * interrupted (or enters it interrupted), failing the operation with a
 * {@link ClosedByInterruptException}. Segment files go through the I/O backend, which must survive
 * interrupts itself ({@code IoBackendContract}); this class covers the channels the core opens.
 *
 * <ul>
 *   <li>{@link #run} runs an operation with the calling thread's interrupt flag cleared, so that an
 *       interrupt from before the call closes nothing, and redoes it from the start when an
 *       interrupt arriving during it closed its channel. The flag is set again when the call ends.
 *       The operation must open (and close) its own channels and be idempotent: mapping a region,
 *       reading, writing the same bytes at the same place.</li>
 *   <li>{@link #fsync} and {@link #openForSync} sync through an {@link AsynchronousFileChannel},
 *       whose {@code force} runs {@code fsync(2)} in the calling thread and is not interruptible.
 *       A {@code FileChannel.force} cut short by a close reports the close <em>instead of</em> the
 *       fsync error, and on Linux a writeback error is reported to each open file once (a file
 *       opened later does not see an error already reported), so redoing a cut-short fsync could
 *       hide an error: syncs are therefore never redone here, and need not be. On Windows (where an
 *       asynchronous channel starts an I/O completion port and threads) a {@code FileChannel} is
 *       used with the flag cleared; an interrupt during its {@code force} fails the sync.</li>
 * </ul>
 *
 * <p>Thread safety: stateless; any thread.
 */
public final class Uninterruptible {

    /** How many times {@link #run} redoes an operation whose channel interrupts keep closing. */
    static final int MAX_ATTEMPTS = 16;

    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private Uninterruptible() {
    }

    /** A file operation on channels of its own. */
    @FunctionalInterface
    public interface IoAction<T> {
        T run() throws IOException;
    }

    /** A handle to {@code fsync} one file or directory through; see {@link #openForSync}. */
    public interface SyncHandle extends Closeable {
        /** {@code fsync(2)}: data and metadata. */
        void force() throws IOException;
    }

    /**
     * Runs {@code action} with this thread's interrupt flag cleared, redoing it while an interrupt
     * during it closes its channel ({@link ClosedByInterruptException}), up to {@value #MAX_ATTEMPTS}
     * times; sets the flag again afterwards if it was set on entry or got set meanwhile.
     *
     * @throws IOException what {@code action} threw, or its last {@link ClosedByInterruptException}
     *         once the attempts are used up (the thread is being interrupted in a tight loop)
     */
    public static <T> T run(IoAction<T> action) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return action.run();
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens {@code path} (a file or a directory) for {@link SyncHandle#force()}.
     *
     * @throws IOException if it cannot be opened (file systems that cannot open directories throw here)
     */
    public static SyncHandle openForSync(Path path) throws IOException {
        if (WINDOWS) { // FlushFileBuffers needs a handle open for writing
            FileChannel ch = FileChannel.open(path, Files.isDirectory(path) ? StandardOpenOption.READ
                    : StandardOpenOption.WRITE);
            return new SyncHandle() {
                @Override
                public void force() throws IOException {
                    boolean interrupted = Thread.interrupted();
                    try {
                        ch.force(true);
                    } finally {
                        if (interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
        AsynchronousFileChannel ch = AsynchronousFileChannel.open(path, StandardOpenOption.READ);
        return new SyncHandle() {
            @Override
            public void force() throws IOException {
                ch.force(true);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** {@code fsync(2)} of {@code path} (a file or a directory), which no thread interrupt can cut short. */
    public static void fsync(Path path) throws IOException {
        try (SyncHandle h = openForSync(path)) {
            h.force();
        }
    }
}
