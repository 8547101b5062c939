package io.rivven.core.log;

import io.rivven.core.format.v2.RecordBatchWriter;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@link RecordBatchWriter}s with which {@link PartitionLog#append} encodes records: over
 * direct memory ({@link EncodeMemory}), so the batch goes to the file without the JDK's copy into
 * a temporary direct buffer, and shared by every partition and thread.
 *
 * <p>A caller {@link #acquire}s a writer, encodes, appends the batch and {@link #release}s the
 * writer (in a {@code finally}). Acquiring takes an idle writer if there is one (starting at a slot
 * picked by the thread's id, so a thread usually gets its own writer back, its buffers still in
 * its CPU's cache) or makes a new one; a writer is never shared, so an append that runs inside
 * another (a callback appending from the appending thread) gets a writer of its own.
 *
 * <p>Memory is bounded: at most {@code slots} idle writers are kept, and a released writer gives
 * back any buffer above {@code maxRetainedCapacity} ({@link RecordBatchWriter#trim}), so the pool
 * holds at most {@code slots × 2 × maxRetainedCapacity} bytes (output buffer and compression input)
 * however large some batch was: 16 MiB on 2 processors, 256 MiB at most with the defaults, and in
 * practice twice the usual batch size per slot. Writers beyond the slots are closed on release.
 *
 * <p>Failures: a writer is reset at every use ({@code trim} resets it, {@code reset} starts each
 * batch), so an encode or append that failed halfway (a record too large, a codec error, a failed
 * write) leaves nothing behind in it; a writer whose trim itself fails is closed, not pooled.
 *
 * <p>Thread-safe and lock-free.
 */
final class WriterPool {

    /**
     * Buffers above this are given back at release; also where {@link EncodeMemory} switches to
     * arenas. 2 MiB: buffers double from 16 KiB, and a batch of Kafka's usual 1 MiB limit (plus its
     * header) needs the 2 MiB step, so such batches stay pooled.
     */
    static final int DEFAULT_MAX_RETAINED_CAPACITY = 2 << 20;

    private final AtomicReferenceArray<RecordBatchWriter> slots;
    private final int maxRetainedCapacity;
    private final EncodeMemory memory;

    WriterPool(int slots, int maxRetainedCapacity) {
        if (slots < 1 || maxRetainedCapacity < RecordBatchWriter.DEFAULT_INITIAL_CAPACITY) {
            throw new IllegalArgumentException("a writer pool needs at least 1 slot and may keep at least "
                    + RecordBatchWriter.DEFAULT_INITIAL_CAPACITY + " bytes per buffer; got " + slots + " slots, "
                    + maxRetainedCapacity + " bytes");
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.maxRetainedCapacity = maxRetainedCapacity;
        this.memory = new EncodeMemory(maxRetainedCapacity);
    }

    /** A pool sized for this machine: two idle writers per processor, 4 to 64. */
    static WriterPool forThisMachine() {
        int slots = Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 64);
        return new WriterPool(slots, DEFAULT_MAX_RETAINED_CAPACITY);
    }

    /** An idle writer, or a new one; reset it before use (the caller's {@code reset(base, codec)}). */
    RecordBatchWriter acquire() {
        int n = slots.length();
        int start = home(n);
        for (int k = 0; k < n; k++) {
            int s = start + k < n ? start + k : start + k - n;
            RecordBatchWriter w = slots.getPlain(s);
            if (w != null && slots.compareAndSet(s, w, null)) {
                return w;
            }
        }
        return new RecordBatchWriter(memory, RecordBatchWriter.DEFAULT_INITIAL_CAPACITY);
    }

    /**
     * Takes a writer back (any batch it built becomes invalid): trims it and keeps it if a slot is
     * free, else closes it. Never throws.
     */
    void release(RecordBatchWriter w) {
        try {
            w.trim(maxRetainedCapacity);
        } catch (RuntimeException | Error e) {
            w.close(); // e.g. out of memory while allocating a fresh buffer: drop this writer
            return;
        }
        int n = slots.length();
        int start = home(n);
        for (int k = 0; k < n; k++) {
            int s = start + k < n ? start + k : start + k - n;
            if (slots.getPlain(s) == null && slots.compareAndSet(s, null, w)) {
                return;
            }
        }
        w.close();
    }

    /** Idle writers now (for tests). */
    int idle() {
        int idle = 0;
        for (int s = 0; s < slots.length(); s++) {
            idle += slots.get(s) != null ? 1 : 0;
        }
        return idle;
    }

    /** Bytes held by idle writers (for tests). */
    long idleCapacity() {
        long bytes = 0;
        for (int s = 0; s < slots.length(); s++) {
            RecordBatchWriter w = slots.get(s);
            bytes += w != null ? w.capacity() : 0;
        }
        return bytes;
    }

    EncodeMemory memory() {
        return memory;
    }

    private static int home(int n) {
        return (int) Math.floorMod(Thread.currentThread().threadId(), (long) n);
    }
}
