/**
 * The built-in segment indexes, as plugins of the index SPI ({@link io.rivven.api.index}): the
 * offset index ({@code .index}, provider {@code offset}, {@link io.rivven.core.index.OffsetIndex})
 * and the time index ({@code .timeindex}, provider {@code time},
 * {@link io.rivven.core.index.TimeIndex}), memory-mapped through the FFM API, in Kafka's file
 * formats ({@link io.rivven.core.index.OffsetIndexFormat}, {@link io.rivven.core.index.TimeIndexFormat});
 * and {@link io.rivven.core.index.LazyIndex}, which defers opening any index type until it is used.
 *
 * <h2>File lifecycle (both built-in indexes, as Kafka's {@code AbstractIndex})</h2>
 * <ul>
 *   <li>Opened <b>writable</b> (the active segment): a missing file is created; the file is extended
 *       to {@code maxFileBytes} rounded down to whole entries (a sparse extension: no disk blocks
 *       until written) and mapped read-write. The entry count is the file's length at open divided
 *       by the entry size: like Kafka, the index relies on a cleanly closed file having been trimmed
 *       to its entries ({@code seal()} and {@code close()} trim) and does not scan for the last
 *       non-zero entry. After an unclean shutdown the preallocated zero tail therefore counts as
 *       entries; {@code sanityCheck()} reports it (offsets or timestamps stop increasing), and the
 *       engine rebuilds every index after an unclean shutdown anyway. A file whose length is not a
 *       whole number of entries is mapped as it is, so {@code sanityCheck()} can report it;
 *       {@code reset()} empties and re-preallocates it.</li>
 *   <li>Opened <b>read-only</b> (a closed segment): the file must exist
 *       ({@link java.nio.file.NoSuchFileException} otherwise: open it writable to rebuild it); it is
 *       mapped read-only at its length and never modified.</li>
 *   <li>{@code seal()} (the segment rolled) trims the file to its entries and remaps it read-only;
 *       {@code close()} trims a writable file too, then unmaps. Each mapping belongs to its own
 *       shared {@link java.lang.foreign.Arena}, closed by {@code close()} (a mapping replaced by
 *       {@code seal()} stays mapped until {@code releaseRetired()} or {@code close()}, as lock-free
 *       readers may still be in it; the engine calls {@code releaseRetired()} when the last reader
 *       that held the segment lets go), so
 *       unmapping is deterministic (no waiting for the garbage collector, no
 *       {@code sun.misc.Unsafe} cleaner). Closing a shared arena while another thread reads it
 *       interrupts that thread (the JDK's asynchronous exception sets its interrupt flag), so an
 *       index is closed only when no reader uses it: the engine closes a segment's indexes when its
 *       last reader releases it.</li>
 *   <li>{@code flush()} forces a writable mapping ({@code msync}), or fsyncs a sealed file (its
 *       trimmed length included) if it changed since the last flush. {@code close()} does not
 *       fsync: flush first when the file must be durable.</li>
 *   <li>An I/O error while remapping (seal, reset, or growing for the final time-index entry)
 *       leaves the index closed; the engine rebuilds it.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * One writer at a time ({@code append}, {@code truncateTo}, {@code reset}, {@code seal},
 * {@code flush}) and any number of concurrent readers (lookups, {@code entryAt},
 * {@code sanityCheck}). An entry is written into the mapping and then published by a volatile
 * write of the entry count; readers read the count first, so they never see a torn entry. Readers
 * take no lock: they read optimistically under a {@link java.util.concurrent.locks.StampedLock}
 * stamp and repeat under its read lock only if a writer truncated, remapped or closed the index
 * meanwhile (the write lock is taken for those, never for appends). On Windows, which cannot
 * resize a mapped file, remaps unmap at once and readers always take the read lock. {@code close()} may come from
 * another thread, but not while {@code append} runs; lookups after {@code close()} throw
 * {@link java.lang.IllegalStateException}.
 *
 * <h2>Crashes</h2>
 * Index files carry no checksum and are derived data: the engine rebuilds them from the log when
 * they are missing, fail {@code sanityCheck()}, or after an unclean shutdown ({@code reset()}, then
 * {@code append} of every batch, then {@code seal()} for a closed segment).
 */
package io.rivven.core.index;
