package io.rivven.core.index;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.SegmentIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * A segment index that is opened (and, for the built-in types, mapped) on first use, as Kafka's
 * {@code LazyIndex}: an engine with thousands of closed segments opens without touching their
 * index files, and holds no mapping or file descriptor for a segment nobody reads. Any index type
 * works: the wrapper holds the provider, the context and the options, and calls
 * {@link IndexProvider#create} the first time something needs the index.
 *
 * <p>What needs it: {@link #get()}, {@link #as(Class)}, {@link #append}, {@link #truncateTo},
 * {@link #reset}, {@link #sanityCheck}, {@link #seal} and {@link #isFull} of a writable one. What
 * does not: {@link #close} of an unopened index does nothing; {@link #flush} of an unopened index
 * does nothing (nothing was written); {@link #seal} and {@link #isFull} of a read-only one (a
 * closed segment's index is sealed and full by definition); {@link #sizeInBytes} of an unopened
 * index is the file's length (0 when missing), which for a sealed file equals its entries.
 *
 * <p>Thread safety: any thread may call {@link #get()}; the index is opened once (the first
 * caller opens it, concurrent callers wait for it). After {@link #close()} the wrapper stays
 * closed: {@code get()} throws {@link IllegalStateException} instead of reopening. The wrapped
 * index's own contract applies to everything else (one writer, concurrent lookups).
 */
public final class LazyIndex implements SegmentIndex {

    private final IndexProvider provider;
    /** Replaced by {@link #renameTo} (the file moves); otherwise fixed. */
    private volatile IndexContext context;
    private final PluginConfig config;
    private final Object openLock = new Object();
    private volatile SegmentIndex index;
    private boolean closed;

    /** Does no I/O; the file is opened (or created, when writable) on first use. */
    public LazyIndex(IndexProvider provider, IndexContext context, PluginConfig config) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.context = Objects.requireNonNull(context, "context");
        this.config = Objects.requireNonNull(config, "config");
    }

    public IndexProvider provider() {
        return provider;
    }

    public IndexContext context() {
        return context;
    }

    public Path file() {
        return context.file();
    }

    /**
     * Renames the index file to {@code target} (one atomic move that replaces nothing, not durable
     * by itself) and opens it there from now on, as Kafka's {@code LazyIndex.renameTo}: a reader
     * that still holds a segment being deleted finds its index under the new name. An index
     * already opened keeps its mapping; a built-in one ({@link OffsetIndex}, {@link TimeIndex}) is
     * told the new name, so that what it still does by path (the fsync of a sealed file in
     * {@link #flush()}, a remap) finds the file. A plugin index is not (the SPI has no rename), so
     * only a sealed and flushed one should be renamed.
     *
     * @throws FileAlreadyExistsException if {@code target} exists (nothing moved)
     */
    public void renameTo(Path target) throws IOException {
        synchronized (openLock) {
            IndexContext c = context;
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(c.file().toString(), target.toString(),
                        "cannot rename an index onto an existing file; nothing was moved");
            }
            Files.move(c.file(), target, StandardCopyOption.ATOMIC_MOVE);
            context = new IndexContext(c.topic(), c.partition(), c.baseOffset(), target, c.writable(), c.maxFileBytes(),
                    c.indexIntervalBytes());
            if (index instanceof AbstractIndex<?> opened) {
                opened.movedTo(target);
            }
        }
    }

    /** Reads an index file by path (see {@link #readFile}). */
    @FunctionalInterface
    public interface FileReader<T> {
        T read(Path file) throws IOException;
    }

    /**
     * Runs {@code reader} on the index file by path, without opening the index (a peek at a closed
     * segment's file). A {@link #renameTo} may move the file between taking its path and opening
     * it (retention renaming a segment that a lookup holds): when {@code reader} finds no file and
     * the file was renamed meanwhile, it runs again on the new name, so the caller never sees a
     * file that was only renamed as missing.
     *
     * @throws NoSuchFileException when the file is missing (and was not renamed meanwhile)
     */
    public <T> T readFile(FileReader<T> reader) throws IOException {
        Path file = context.file();
        try {
            return reader.read(file);
        } catch (NoSuchFileException missing) {
            Path now = context.file();
            if (now.equals(file)) {
                throw missing;
            }
            return reader.read(now);
        }
    }

    /** Whether the index was opened (and is not closed). */
    public boolean isOpened() {
        return index != null;
    }

    /**
     * The index, opened on the first call.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IOException when opening fails (the next call tries again)
     */
    public SegmentIndex get() throws IOException {
        SegmentIndex opened = index;
        if (opened != null) {
            return opened;
        }
        synchronized (openLock) {
            if (closed) {
                throw new IllegalStateException(context.file().toAbsolutePath() + ": index is closed");
            }
            opened = index;
            if (opened == null) {
                opened = provider.create(context, config);
                index = opened;
            }
            return opened;
        }
    }

    /**
     * The index as one of its lookup interfaces, e.g. {@code as(OffsetLookup.class).lookup(offset)};
     * opens it on the first call.
     *
     * @throws UnsupportedOperationException when this index type does not implement {@code type}
     */
    public <T> T as(Class<T> type) throws IOException {
        SegmentIndex opened = get();
        if (!type.isInstance(opened)) {
            throw new UnsupportedOperationException("index type '" + provider.name() + "' (" + context.file().getFileName()
                    + ") does not implement " + type.getSimpleName());
        }
        return type.cast(opened);
    }

    @Override
    public void append(BatchInfo batch) throws IOException {
        get().append(batch);
    }

    @Override
    public boolean isFull() {
        if (index == null && !context.writable()) {
            return true;
        }
        try {
            return get().isFull();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        get().truncateTo(offset);
    }

    @Override
    public void reset() throws IOException {
        get().reset();
    }

    @Override
    public void seal() throws IOException {
        if (index == null && !context.writable()) {
            return;
        }
        get().seal();
    }

    @Override
    public void flush() throws IOException {
        SegmentIndex opened = index;
        if (opened != null) {
            opened.flush();
        }
    }

    /**
     * Opens the index and checks it. A missing file counts as corrupt (the engine rebuilds it either way).
     *
     * @throws UncheckedIOException when the file exists but cannot be opened
     */
    @Override
    public void sanityCheck() throws CorruptIndexException {
        SegmentIndex opened;
        try {
            opened = get();
        } catch (CorruptIndexException e) {
            throw e;
        } catch (NoSuchFileException e) {
            CorruptIndexException missing = new CorruptIndexException(context.file().toAbsolutePath()
                    + ": index file is missing; it must be rebuilt from the log");
            missing.initCause(e);
            throw missing;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        opened.sanityCheck();
    }

    @Override
    public long sizeInBytes() {
        SegmentIndex opened = index;
        if (opened != null) {
            return opened.sizeInBytes();
        }
        try {
            return Files.size(context.file());
        } catch (IOException e) {
            return 0L;
        }
    }

    /** Closes the index if it was opened; idempotent; afterwards {@link #get()} fails. */
    @Override
    public void close() throws IOException {
        synchronized (openLock) {
            closed = true;
            SegmentIndex opened = index;
            index = null;
            if (opened != null) {
                opened.close();
            }
        }
    }

    @Override
    public String toString() {
        return "LazyIndex[" + provider.name() + ", " + context.file() + (index != null ? ", opened]" : ", not opened]");
    }
}
