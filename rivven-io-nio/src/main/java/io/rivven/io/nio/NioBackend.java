package io.rivven.io.nio;

import io.rivven.api.io.BatchStats;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBatch;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * The {@code nio} backend: opens {@link NioFile}s and executes {@link IoBatch}es one operation after
 * another, except that consecutive appends to the same file are coalesced into one gathering write.
 *
 * <p>Coalescing keeps the sequential meaning exactly: the appends of a run are adjacent in the
 * batch, so nothing can observe the file between them; each op's buffer is consumed as its own
 * append would consume it; and when the write fails, the append position covers exactly the
 * buffers written completely (the ops before the failing one took effect, as {@link #execute}
 * promises). A run stops at {@value #MAX_RUN} ops and before a buffer object already in the run
 * (appending the same buffer twice writes it once, as sequential execution would).
 *
 * <p>Thread safety: {@link #open} and {@link #execute} from any thread; the writes inside a batch
 * follow {@link IoFile}'s one-writer-per-file rule. The backend holds no resources: {@link #close()}
 * only stops further opens.
 *
 * <p>Thread interrupts: opening and every file operation survive them (see {@link NioFile}): the
 * caller's call completes and returns with its interrupt flag still set, and a file whose
 * {@code FileChannel} an interrupt closed is reopened for everyone. A batch is executed op by op,
 * each with that guarantee.
 */
final class NioBackend implements IoBackend {

    /** The most appends coalesced into one gathering write (Linux's IOV_MAX is 1024). */
    static final int MAX_RUN = 256;

    /** Files are read through a memory mapping from this size on ({@link MappedReads}); negative: never. */
    private final long mmapReadsFromBytes;
    private volatile boolean closed;

    NioBackend(long mmapReadsFromBytes) {
        this.mmapReadsFromBytes = mmapReadsFromBytes;
    }

    @Override
    public String name() {
        return NioBackendProvider.NAME;
    }

    /**
     * Opens {@code path}: {@link OpenMode#READ} read-only (the file must exist),
     * {@link OpenMode#READ_WRITE} read-write, creating the file when missing (its parent directory
     * must exist).
     *
     * @throws NoSuchFileException naming the file when it (or, for READ_WRITE, its directory) is missing
     * @throws IllegalStateException if this backend was closed
     */
    @Override
    public IoFile open(Path path, OpenMode mode) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        if (closed) {
            throw new IllegalStateException("the nio I/O backend is closed; cannot open " + path.toAbsolutePath());
        }
        FileChannel channel = null;
        boolean created = false;
        if (mode == OpenMode.READ) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                NoSuchFileException named = new NoSuchFileException(path.toAbsolutePath().toString(), null,
                        "cannot open for READ: no such file (READ_WRITE creates it)");
                named.initCause(e);
                throw named;
            }
        } else {
            // Open, else create: CREATE_NEW tells us whether we created it (and must sync its directory).
            for (int attempt = 0; channel == null; attempt++) {
                try {
                    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (NoSuchFileException missing) {
                    try {
                        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                                StandardOpenOption.CREATE_NEW);
                        created = true;
                    } catch (FileAlreadyExistsException raced) {
                        if (attempt >= 2) {
                            throw new IOException(path.toAbsolutePath() + ": cannot open for READ_WRITE: the file"
                                    + " keeps appearing and disappearing (another process creating and deleting it?)",
                                    raced);
                        }
                    }
                }
            }
        }
        try {
            return new NioFile(path, channel, mode, created, mmapReadsFromBytes);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException(path.toAbsolutePath() + ": cannot read the size or the identity of the file just"
                    + " opened: " + e, e);
        }
    }

    @Override
    public BatchStats execute(IoBatch batch) throws IOException {
        List<IoBatch.Op> ops = batch.ops();
        int n = ops.size();
        int writes = 0;
        int reads = 0;
        int syncs = 0;
        long written = 0;
        long read = 0;
        int i = 0;
        while (i < n) {
            IoBatch.Op op = ops.get(i);
            if (op instanceof IoBatch.Append a && a.file() instanceof NioFile file) {
                int end = runEnd(ops, i, file);
                written += appendRun(file, ops, i, end);
                writes += end - i;
                i = end;
                continue;
            }
            switch (op) {
                case IoBatch.Write w -> {
                    int len = w.data().remaining();
                    w.file().write(w.data(), w.position());
                    writes++;
                    written += len;
                }
                case IoBatch.Append a -> {
                    int len = a.data().remaining();
                    a.file().append(a.data());
                    writes++;
                    written += len;
                }
                case IoBatch.Read r -> {
                    long p = r.position();
                    while (r.dst().hasRemaining()) {
                        int got = r.file().read(r.dst(), p);
                        if (got < 0) {
                            break;
                        }
                        p += got;
                    }
                    reads++;
                    read += p - r.position();
                }
                case IoBatch.Sync s -> {
                    s.file().sync(s.metadata());
                    syncs++;
                }
            }
            i++;
        }
        return new BatchStats(n, writes, reads, syncs, written, read);
    }

    /** Idempotent; files already opened stay usable (they hold their own channels). */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "NioBackend";
    }

    /** The end (exclusive) of the run of appends to {@code file} starting at {@code start}. */
    private static int runEnd(List<IoBatch.Op> ops, int start, NioFile file) {
        int end = start + 1;
        while (end < ops.size() && end - start < MAX_RUN
                && ops.get(end) instanceof IoBatch.Append next && next.file() == file
                && !holds(ops, start, end, next.data())) {
            end++;
        }
        return end;
    }

    /** Whether {@code ops[from, to)} (all appends) already hold the buffer object {@code data}. */
    private static boolean holds(List<IoBatch.Op> ops, int from, int to, ByteBuffer data) {
        for (int k = from; k < to; k++) {
            if (((IoBatch.Append) ops.get(k)).data() == data) {
                return true;
            }
        }
        return false;
    }

    private static long appendRun(NioFile file, List<IoBatch.Op> ops, int from, int to) throws IOException {
        if (to - from == 1) {
            ByteBuffer data = ((IoBatch.Append) ops.get(from)).data();
            int len = data.remaining();
            file.append(data);
            return len;
        }
        ByteBuffer[] srcs = new ByteBuffer[to - from];
        for (int k = from; k < to; k++) {
            srcs[k - from] = ((IoBatch.Append) ops.get(k)).data();
        }
        return file.appendEach(srcs);
    }
}
