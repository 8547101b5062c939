package io.rivven.core.index;

import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.SegmentIndex;
import io.rivven.core.io.Uninterruptible;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.locks.StampedLock;

/**
 * The machinery shared by the memory-mapped, fixed-entry-size indexes ({@link OffsetIndex},
 * {@link TimeIndex}), after Kafka's {@code AbstractIndex}: file preallocation, mapping, locking,
 * the sparse-entry rule, the cache-friendly binary search, truncation and the structural check,
 * all private here or in package-private helpers (the file's mappings in {@link IndexMapping}, the
 * search in {@link IndexSearch}; the lock that guards both stays here). A subclass supplies a small template: how to read, write and check one entry
 * ({@link #parseEntry}, {@link #writeEntry}, {@link #checkEntry}, …) and two hooks.
 *
 * <p>File lifecycle, thread safety and crash behaviour: see the package documentation.
 */
abstract class AbstractIndex<E> implements SegmentIndex {

    /** No batch seen since truncation (or an open that could not resume): the next batch anchors the interval without an entry. */
    private static final long NO_ANCHOR = -1L;

    /**
     * The key every index is searched by ({@link #lookupEntry(long)}): the offset of an offset
     * index entry, the timestamp of a time index entry. Subclasses number further keys from 1.
     */
    protected static final int MAIN_KEY = 0;

    /** Not a key: {@link #read} takes its argument as a slot number ({@link #entryAt}). */
    private static final int BY_SLOT = -1;

    private final long baseOffset;
    private final int entrySize;
    private final int reservedSlots;
    private final int preallocatedBytes;
    private final int indexIntervalBytes;
    private final int warmEntries;
    private final StampedLock remapLock = new StampedLock();

    /**
     * The file (renamed by {@link #movedTo}), its current mapping (null once closed; replaced only
     * under the write lock) and the mappings replaced while optimistic lookups may still read them.
     */
    private final IndexMapping mapping;
    /** Number of valid entries; written by the writer after the entry bytes (publication point). */
    private volatile int entries;
    /** Entries that fit in the current mapping. */
    private volatile int maxEntries;
    /** True when the file changed since the last flush while its mapping is read-only (after seal). */
    private volatile boolean unsynced;

    // Writer state: touched by the writer thread only.
    private long anchorPosition = NO_ANCHOR;
    private long lastBatchOffset;

    /**
     * @param entrySize     bytes per entry
     * @param reservedSlots slots kept free for {@link #beforeTrim()} (so {@link #isFull()} turns true
     *                      while there is still room for them)
     */
    AbstractIndex(IndexContext context, int entrySize, int reservedSlots) throws IOException {
        Path file = context.file();
        this.mapping = new IndexMapping(file);
        this.baseOffset = context.baseOffset();
        this.entrySize = entrySize;
        this.reservedSlots = reservedSlots;
        this.indexIntervalBytes = context.indexIntervalBytes();
        this.preallocatedBytes = context.maxFileBytes() / entrySize * entrySize;
        this.warmEntries = IndexSearch.WARM_SECTION_BYTES / entrySize;
        boolean writable = context.writable();
        int minimum = (reservedSlots + 1) * entrySize;
        if (writable && preallocatedBytes < minimum) {
            throw new IllegalArgumentException(describe() + ": maxFileBytes " + context.maxFileBytes()
                    + " is too small: it must be at least " + minimum + " (" + (reservedSlots + 1) + " entries of "
                    + entrySize + " bytes)");
        }
        if (!writable && Files.notExists(file)) {
            throw new NoSuchFileException(describe(), null,
                    "no index file to open read-only; open it writable to rebuild it from the log");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), writable ? "rw" : "r")) {
            long fileLength = raf.length();
            if (fileLength > Integer.MAX_VALUE) {
                throw new CorruptIndexException(describe() + ": " + fileLength + " bytes, more than an index"
                        + " can hold (" + Integer.MAX_VALUE + "); delete it, the engine rebuilds it from the log");
            }
            long size = fileLength;
            if (writable && fileLength % entrySize == 0 && fileLength < preallocatedBytes) {
                size = preallocatedBytes;
                raf.setLength(size);
            }
            mapping.mapAtOpen(size, writable);
            this.maxEntries = (int) (size / entrySize);
            this.entries = (int) (fileLength / entrySize);
        }
        int n = entries;
        this.lastBatchOffset = n > 0 ? entryOffset(mapping.current().segment(), n - 1) : baseOffset - 1;
        // The interval goes on across a reopen (a program that opens the engine for each batch must
        // still get entries): from the last entry's batch, or from the segment's first batch, which
        // starts at 0. An index whose entries hold no position starts over with the next batch,
        // unless told where to resume (resumeIntervalFrom: the engine passes the offset index's).
        long resume = n > 0 ? entryPosition(mapping.current().segment(), n - 1) : 0;
        this.anchorPosition = resume >= 0 ? resume : NO_ANCHOR;
    }

    // ---------------------------------------------------------------- template

    /** The entry in {@code slot}, as the subclass's value type. */
    protected abstract E parseEntry(MemorySegment entries, int slot);

    /** What a lookup returns when no entry qualifies. */
    protected abstract E emptyEntry();

    /**
     * The value of search key {@code key} of the entry in {@code slot}: {@link #MAIN_KEY}, or
     * another key the subclass defines (the offset index also searches by position). Every key
     * must increase strictly from slot to slot ({@link #checkEntry} enforces it), since lookups
     * binary-search it.
     */
    protected abstract long searchKey(MemorySegment entries, int slot, int key);

    /** The absolute offset an entry refers to (non-decreasing from slot to slot); truncation uses it. */
    protected abstract long entryOffset(MemorySegment entries, int slot);

    /**
     * The log position of the batch the entry in {@code slot} was made for, or -1 when entries do
     * not hold it (the default). At open, the interval rule resumes from the last entry's position.
     * Called from the constructor: it must use only its arguments.
     */
    protected long entryPosition(MemorySegment entries, int slot) {
        return -1;
    }

    /** Writes {@code slot}; {@code key} and {@code value} are what the subclass passed to {@link #appendEntry}. */
    protected abstract void writeEntry(MemorySegment entries, int slot, long key, long value);

    /**
     * Checks one entry on its own and against the previous one ({@code slot - 1}, when
     * {@code slot > 0}); throws {@link #corruptEntry} when it is wrong.
     */
    protected abstract void checkEntry(MemorySegment entries, int slot) throws CorruptIndexException;

    /** Called by {@link #seal()} and {@link #close()} of a writable index, before trimming. */
    protected void beforeTrim() throws IOException {
    }

    /** Called after {@link #truncateTo} (and by {@link #reset()} with the base offset) removed entries. */
    protected void afterTruncate(long offset) {
    }

    // ---------------------------------------------------------------- for subclasses

    /**
     * Validates one appended batch against the writer state and decides, by Kafka's
     * {@code LogSegment} rule, whether it gets an entry: it does when more than
     * {@code indexIntervalBytes} of log lie between the last batch that got one (or the segment's
     * first batch, at position 0, or the first batch seen since a truncation, which never get one)
     * and this batch's start. In Kafka's words, {@code bytesSinceLastIndexEntry > indexIntervalBytes},
     * counted before adding this batch. Unlike Kafka's in-memory counter, the interval survives a
     * reopen: it resumes from the last entry's position ({@link #entryPosition}) or from 0, or from
     * where {@link #resumeIntervalFrom} says for an index whose entries hold no position.
     */
    protected final boolean admit(BatchInfo batch) {
        requireWritable("append to");
        long last = batch.lastOffset();
        if (batch.baseOffset() < baseOffset || last < batch.baseOffset() || last - baseOffset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(describe() + ": batch with offsets " + batch.baseOffset() + ".." + last
                    + " cannot be indexed in a segment with base offset " + baseOffset + " (offsets must lie in "
                    + baseOffset + ".." + (baseOffset + Integer.MAX_VALUE) + "); roll the segment first");
        }
        if (last <= lastBatchOffset) {
            throw new IllegalArgumentException(describe() + ": batches must arrive in offset order, got last offset "
                    + last + " after " + lastBatchOffset);
        }
        long position = batch.position();
        if (position < 0 || position > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(describe() + ": batch position " + position
                    + " does not fit the 4-byte position field (0.." + Integer.MAX_VALUE + "); roll the segment first");
        }
        lastBatchOffset = last;
        if (anchorPosition == NO_ANCHOR) {
            anchorPosition = position;
            return false;
        }
        if (position - anchorPosition > indexIntervalBytes) {
            anchorPosition = position;
            return true;
        }
        return false;
    }

    /**
     * Appends one entry and publishes it to readers.
     *
     * @param useReservedSlot true for the entry written by {@link #beforeTrim()}: it may take a
     *                        reserved slot, and the file grows by one entry if even those are used
     * @throws IllegalStateException when the index is full (the engine must roll first)
     */
    protected final void appendEntry(long key, long value, boolean useReservedSlot) throws IOException {
        IndexMapping.Mapped m = mapping.current();
        int n = entries;
        if (n >= (useReservedSlot ? maxEntries : maxEntries - reservedSlots)) {
            if (!useReservedSlot) {
                throw new IllegalStateException(describe() + ": index is full (" + n + " entries of " + entrySize
                        + " bytes, file " + mapping.length() + " bytes); the engine must roll the segment when isFull() is true");
            }
            long stamp = remapLock.writeLock();
            try {
                remap((long) (n + 1) * entrySize, true, false);
            } finally {
                remapLock.unlockWrite(stamp);
            }
            m = mapping.current();
        }
        writeEntry(m.segment(), n, key, value);
        entries = n + 1;
    }

    /** The last entry in the file, or {@link #emptyEntry()}; for subclasses restoring writer state. */
    protected final E lastFileEntry() {
        int n = entries;
        return n == 0 ? emptyEntry() : entryAt(n - 1);
    }

    /** The entry with the largest {@link #MAIN_KEY} {@code <= target}, or {@link #emptyEntry()}. */
    protected final E lookupEntry(long target) {
        return read(MAIN_KEY, target, false);
    }

    /** The entry with the largest {@code key} {@code <= target}, or {@link #emptyEntry()}. */
    protected final E lookupEntry(int key, long target) {
        return read(key, target, false);
    }

    /**
     * The entry with the smallest {@code key} {@code > target} (the one after
     * {@link #lookupEntry(int, long) lookupEntry(key, target)}), or {@link #emptyEntry()}.
     */
    protected final E lookupEntryAbove(int key, long target) {
        return read(key, target, true);
    }

    /** A {@link CorruptIndexException} naming the file, the entry and its byte position. */
    protected final CorruptIndexException corruptEntry(int slot, String problem) {
        return new CorruptIndexException(describe() + ": entry " + slot + " (byte " + (long) slot * entrySize + "): "
                + problem + "; the index must be rebuilt from the log (delete the file)");
    }

    // ---------------------------------------------------------------- public API

    /**
     * Makes the {@code indexIntervalBytes} interval count from {@code position}: the start of the
     * last batch that got an entry, or 0 (the segment's first batch) when none did; the next batch
     * is then due for an entry as if this index had seen every batch up to there in this session.
     * For an index whose entries hold no position (the time index), which otherwise starts over
     * with the first batch after a reopen: the engine passes the offset index's last entry when it
     * reopens the active segment, so that both indexes take their entries at the same batches, as
     * Kafka's {@code LogSegment} has one {@code bytesSinceLastIndexEntry} for both. Writer only,
     * before the next append.
     *
     * @throws IllegalArgumentException if {@code position} is negative
     * @throws IllegalStateException if the index is read-only or closed
     */
    public final void resumeIntervalFrom(long position) {
        requireWritable("resume the interval of");
        if (position < 0) {
            throw new IllegalArgumentException(describe() + ": cannot resume the index interval from position " + position
                    + ": a position in the log is >= 0");
        }
        anchorPosition = position;
    }

    /** The index file. */
    public final Path file() {
        return mapping.file();
    }

    /**
     * The file was renamed to {@code target} ({@link LazyIndex#renameTo}): what is done by path
     * from now on (fsync, remap, messages) uses the new name. The mapping stays valid.
     */
    final void movedTo(Path target) {
        mapping.movedTo(target);
    }

    /** The segment's base offset. */
    public final long baseOffset() {
        return baseOffset;
    }

    /** The number of entries. */
    public final int entryCount() {
        return entries;
    }

    /** How many entries fit in the file as currently mapped (reserved slots included). */
    public final int maxEntries() {
        return maxEntries;
    }

    /** Whether the index accepts appends (opened writable and not yet sealed or closed). */
    public final boolean isWritable() {
        IndexMapping.Mapped m = mapping.current();
        return m != null && m.writable();
    }

    /**
     * Entry number {@code slot}, {@code 0 <= slot < entryCount()}. For tools such as
     * {@code rivven dump} and tests; lookups do not need it.
     *
     * @throws IndexOutOfBoundsException when there is no such entry
     */
    public final E entryAt(int slot) {
        return read(BY_SLOT, slot, false);
    }

    @Override
    public final boolean isFull() {
        IndexMapping.Mapped m = mapping.current();
        return m == null || !m.writable() || entries >= maxEntries - reservedSlots;
    }

    /**
     * Removes the entries that refer to offsets {@code >= offset}; truncating above the last entry
     * changes nothing. The removed slots are zeroed. The next batch appended starts a new interval.
     */
    @Override
    public final void truncateTo(long offset) throws IOException {
        requireWritable("truncate");
        long stamp = remapLock.writeLock();
        try {
            MemorySegment segment = mapping.current().segment();
            int n = entries;
            int keep = IndexSearch.countBelow(this, segment, n, offset);
            if (keep < n) {
                segment.asSlice((long) keep * entrySize, (long) (n - keep) * entrySize).fill((byte) 0);
                entries = keep;
            }
        } finally {
            remapLock.unlockWrite(stamp);
        }
        anchorPosition = NO_ANCHOR;
        lastBatchOffset = Math.max(baseOffset - 1, Math.min(lastBatchOffset, offset - 1));
        afterTruncate(offset);
    }

    /**
     * Removes every entry: the file is emptied and preallocated again to {@code maxFileBytes}
     * (which also drops a damaged tail), ready for a rebuild from the log.
     */
    @Override
    public final void reset() throws IOException {
        requireWritable("reset");
        long stamp = remapLock.writeLock();
        try {
            entries = 0;
            remap(preallocatedBytes, true, true);
        } finally {
            remapLock.unlockWrite(stamp);
        }
        anchorPosition = NO_ANCHOR;
        lastBatchOffset = baseOffset - 1;
        afterTruncate(baseOffset);
    }

    /**
     * Trims the file to its entries and remaps it read-only; {@link #isFull()} is true afterwards.
     * Sealing a read-only (or already sealed) index does nothing.
     */
    @Override
    public final void seal() throws IOException {
        IndexMapping.Mapped m = mapping.current();
        if (m == null) {
            throw closed();
        }
        if (!m.writable()) {
            return;
        }
        beforeTrim();
        long stamp = remapLock.writeLock();
        try {
            remap((long) entries * entrySize, false, false);
        } finally {
            remapLock.unlockWrite(stamp);
        }
        unsynced = true;
    }

    /**
     * Makes the entries durable: {@code msync} of a writable mapping, or {@code fsync} (with the
     * file's length) of a sealed file that changed since the last flush.
     */
    @Override
    public final void flush() throws IOException {
        long stamp = remapLock.readLock();
        try {
            IndexMapping.Mapped m = mapping.current();
            if (m == null) {
                throw closed();
            }
            if (m.writable()) {
                m.segment().force();
            } else if (unsynced) {
                Uninterruptible.fsync(mapping.file());
                unsynced = false;
            }
        } finally {
            remapLock.unlockRead(stamp);
        }
    }

    /**
     * Checks the file length is a whole number of entries and every entry against the previous one
     * (the subclass's {@link #checkEntry}). Reads every entry: O(entries), sequential, on the mapping.
     */
    @Override
    public final void sanityCheck() throws CorruptIndexException {
        long stamp = remapLock.readLock();
        try {
            IndexMapping.Mapped m = mapping.current();
            if (m == null) {
                throw closed();
            }
            long len = mapping.length();
            if (len % entrySize != 0) {
                throw new CorruptIndexException(describe() + ": length " + len + " bytes is not a multiple of the "
                        + entrySize + "-byte entry size (" + len / entrySize + " entries and " + len % entrySize
                        + " stray bytes); the index must be rebuilt from the log (delete the file)");
            }
            MemorySegment segment = m.segment();
            int n = entries;
            for (int slot = 0; slot < n; slot++) {
                checkEntry(segment, slot);
            }
        } finally {
            remapLock.unlockRead(stamp);
        }
    }

    /** The bytes of the entries: the file's length once sealed or closed (Kafka's {@code sizeInBytes}). */
    @Override
    public final long sizeInBytes() {
        return (long) entries * entrySize;
    }

    /**
     * Unmaps the mappings that {@link #seal()} or growth replaced (see {@link IndexMapping#remap}), which stay
     * mapped while lock-free lookups may still be reading them. Call it only when no lookup that
     * started before the replacement can still be running: the engine calls it when the last reader
     * that held the segment lets go. Closing a mapping a lookup is reading would interrupt that
     * lookup's thread. Idempotent; cheap when nothing is retired.
     */
    public final void releaseRetired() {
        if (mapping.retiredCount() == 0) {
            return;
        }
        long stamp = remapLock.writeLock();
        try {
            mapping.releaseRetired();
        } finally {
            remapLock.unlockWrite(stamp);
        }
    }

    /** How many replaced mappings are still mapped (for tests and diagnostics). */
    public final int retiredMappings() {
        return mapping.retiredCount();
    }

    /**
     * Unmaps the file; a writable index first gets its final entry ({@link #beforeTrim()}) and is
     * trimmed to its entries, so that it reopens with the right entry count. Does not delete the
     * file and does not fsync it (call {@link #flush()} first for that). Idempotent.
     */
    @Override
    public final void close() throws IOException {
        IndexMapping.Mapped m = mapping.current();
        if (m == null) {
            return;
        }
        IOException failure = null;
        if (m.writable()) {
            try {
                beforeTrim();
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
            }
        }
        long stamp = remapLock.writeLock();
        try {
            m = mapping.close();
            if (m != null && m.writable()) {
                try (RandomAccessFile raf = new RandomAccessFile(mapping.file().toFile(), "rw")) {
                    raf.setLength((long) entries * entrySize);
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            remapLock.unlockWrite(stamp);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + mapping.file() + ", base " + baseOffset + ", " + entries + " entries"
                + (mapping.current() == null ? ", closed" : isWritable() ? ", writable" : ", read-only") + "]";
    }

    // ---------------------------------------------------------------- machinery

    private String describe() {
        return mapping.file().toAbsolutePath().toString();
    }

    private IllegalStateException closed() {
        return new IllegalStateException(describe() + ": index is closed");
    }

    private void requireWritable(String operation) {
        IndexMapping.Mapped m = mapping.current();
        if (m == null) {
            throw closed();
        }
        if (!m.writable()) {
            throw new IllegalStateException(describe() + ": cannot " + operation + " a read-only index (sealed, or "
                    + "opened for a closed segment); open it writable to rebuild it");
        }
    }

    /**
     * Replaces the mapping by one of {@code newLength} bytes ({@link IndexMapping#remap}, which
     * retires the old one while lookups may read it) and sizes the index to it. Caller holds the write lock. On
     * failure the index is left closed.
     */
    private void remap(long newLength, boolean writable, boolean discard) throws IOException {
        mapping.remap(newLength, writable, discard);
        maxEntries = (int) (newLength / entrySize);
    }

    /**
     * Reads an entry ({@code key} {@link #BY_SLOT}) or looks one up by {@code key}: the largest
     * entry whose key is {@code <= arg}, or with {@code above} the entry after it. Consistent with
     * concurrent writers: first
     * optimistically, without any lock: if the stamp still validates afterwards, no remap, truncation
     * or close happened meanwhile and the result stands; appends need no validation because entries
     * are published by the volatile count. If a writer interfered, the read may have failed (the
     * mapping was being replaced or the index closed: {@link IllegalStateException}) or produced
     * garbage; either way it is repeated under the read lock, where any real error (closed index,
     * bad slot) surfaces. Replaced mappings stay mapped until {@link #releaseRetired()} or
     * {@link #close()} (see {@link IndexMapping#remap}),
     * so an optimistic read never touches unmapped memory. On Windows lookups always lock.
     */
    private E read(int key, long arg, boolean above) {
        long stamp = IndexMapping.UNMAP_BEFORE_RESIZE ? 0L : remapLock.tryOptimisticRead();
        if (stamp != 0L) {
            try {
                E result = readUnlocked(key, arg, above);
                if (remapLock.validate(stamp)) {
                    return result;
                }
            } catch (RuntimeException interferedOrInvalid) {
                // retried below under the read lock
            }
        }
        stamp = remapLock.readLock();
        try {
            return readUnlocked(key, arg, above);
        } finally {
            remapLock.unlockRead(stamp);
        }
    }

    private E readUnlocked(int key, long arg, boolean above) {
        IndexMapping.Mapped m = mapping.current();
        if (m == null) {
            throw closed();
        }
        MemorySegment segment = m.segment();
        int n = (int) Math.min(entries, segment.byteSize() / entrySize);
        if (key == BY_SLOT) {
            if (arg < 0 || arg >= n) {
                throw new IndexOutOfBoundsException(describe() + ": no entry " + arg + ", the index has " + n);
            }
            return parseEntry(segment, (int) arg);
        }
        int slot = IndexSearch.largestLowerBound(this, segment, n, key, arg, warmEntries);
        if (above) {
            slot++;
            return slot < n ? parseEntry(segment, slot) : emptyEntry();
        }
        return slot < 0 ? emptyEntry() : parseEntry(segment, slot);
    }
}
