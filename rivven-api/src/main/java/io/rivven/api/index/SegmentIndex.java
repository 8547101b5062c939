package io.rivven.api.index;

import io.rivven.api.Stable;
import java.io.Closeable;
import java.io.IOException;

/**
 * The index of one segment, of one type. What it can answer is told by the lookup interfaces it
 * also implements ({@link OffsetLookup}, {@link TimeLookup}, {@link KeyLookup}).
 *
 * <p>Lifecycle: created writable for the active segment, it receives every batch appended in
 * offset order through {@link #append}; when the segment rolls it is {@link #seal() sealed}.
 * During recovery the engine calls {@link #truncateTo} or {@link #reset} and re-appends batches.
 *
 * <p>Thread safety: {@link #append}, {@link #truncateTo}, {@link #reset}, {@link #seal} and
 * {@link #flush} come from one thread at a time (the partition's writer); lookups come from any
 * number of threads, concurrently with that writer, and must see a consistent prefix of entries.
 *
 * <p>Crash safety: indexes carry no checksum. After an unclean shutdown the engine rebuilds them
 * from the log, so an implementation needs no recovery of its own; {@link #sanityCheck} must
 * however detect structural damage (wrong length, entries out of order) cheaply.
 */
@Stable
public interface SegmentIndex extends Closeable {

    /** Records one appended batch; batches arrive in offset order. */
    void append(BatchInfo batch) throws IOException;

    /** True when no further batch can be recorded: the engine then rolls the segment. */
    boolean isFull();

    /** Removes everything about offsets {@code >= offset} (after the log was truncated there). */
    void truncateTo(long offset) throws IOException;

    /** Removes every entry, so the index can be rebuilt from the log. */
    void reset() throws IOException;

    /** The segment was closed: trim the file to its used size; no more appends follow. */
    void seal() throws IOException;

    /** Writes appended entries to the file (the engine calls it when it makes the log durable). */
    void flush() throws IOException;

    /**
     * Checks the file's structure cheaply (length, ordering, bounds).
     *
     * @throws CorruptIndexException naming the file, the position and what is wrong
     */
    void sanityCheck() throws CorruptIndexException;

    /** The bytes the index occupies on disk. */
    long sizeInBytes();

    /** Closes the file; idempotent. Does not delete it. */
    @Override
    void close() throws IOException;
}
