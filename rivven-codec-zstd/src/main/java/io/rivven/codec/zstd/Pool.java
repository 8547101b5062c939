package io.rivven.codec.zstd;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A small lock-free pool of native-backed objects (here zstd compression and decompression
 * contexts) so that a call does not create and free native state each time.
 *
 * <p>A fixed array of slots: {@link #acquire} takes any filled slot (starting at a per-thread
 * index to spread contention) or creates a new object; {@link #release} puts it into an empty
 * slot or disposes of it when all are full. So at most {@code slots} idle objects are kept, and
 * virtual threads do not pin one each (which a {@code ThreadLocal} would). Thread-safe.
 */
final class Pool<T> {

    private final AtomicReferenceArray<T> slots;
    private final Supplier<T> factory;
    private final Consumer<T> disposer;

    Pool(Supplier<T> factory, Consumer<T> disposer) {
        this.slots = new AtomicReferenceArray<>(Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 64));
        this.factory = factory;
        this.disposer = disposer;
    }

    T acquire() {
        int n = slots.length();
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int i = 0; i < n; i++) {
            int slot = (start + i) % n;
            T t = slots.get(slot);
            if (t != null && slots.compareAndSet(slot, t, null)) {
                return t;
            }
        }
        return factory.get();
    }

    /** Returns a reset, reusable object; pass objects in an unknown state to {@link #dispose} instead. */
    void release(T t) {
        int n = slots.length();
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int i = 0; i < n; i++) {
            int slot = (start + i) % n;
            if (slots.get(slot) == null && slots.compareAndSet(slot, null, t)) {
                return;
            }
        }
        disposer.accept(t);
    }

    void dispose(T t) {
        disposer.accept(t);
    }
}
