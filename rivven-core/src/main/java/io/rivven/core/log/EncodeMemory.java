package io.rivven.core.log;

import io.rivven.api.BufferAllocator;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Direct memory for the engine's batch writers ({@link WriterPool}). The log writes batches with
 * {@code FileChannel.write}, which copies a heap buffer into a temporary direct buffer first; a batch
 * encoded in direct memory goes to the kernel as it is.
 *
 * <p>Buffers up to {@code arenaThreshold} bytes are plain {@link ByteBuffer#allocateDirect} buffers:
 * the writers keep them across batches and the GC frees them with the writer. Larger ones (a rare
 * huge batch) each come from a shared {@link Arena} of their own that {@link #release} closes, so
 * their native memory is freed at once rather than when a GC happens to find them, and does not
 * push the JVM towards its direct-memory limit. A buffer from a closed arena cannot be touched any
 * more (access throws {@link IllegalStateException}, it never reads freed memory).
 *
 * <p>Thread-safe. Releasing a buffer this allocator did not hand out, or twice, is ignored.
 */
final class EncodeMemory implements BufferAllocator {

    private final int arenaThreshold;
    private final Map<ByteBuffer, Arena> arenas = Collections.synchronizedMap(new IdentityHashMap<>());

    /** @param arenaThreshold buffers larger than this get an arena of their own, freed on release */
    EncodeMemory(int arenaThreshold) {
        this.arenaThreshold = arenaThreshold;
    }

    @Override
    public ByteBuffer allocate(int minCapacity) {
        if (minCapacity <= arenaThreshold) {
            return ByteBuffer.allocateDirect(minCapacity);
        }
        Arena arena = Arena.ofShared();
        try {
            ByteBuffer b = arena.allocate(minCapacity).asByteBuffer();
            arenas.put(b, arena);
            return b;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public void release(ByteBuffer buffer) {
        Arena arena = arenas.remove(buffer);
        if (arena != null) {
            arena.close();
        }
    }

    /** Buffers handed out from arenas and not released yet (for tests). */
    int arenasOpen() {
        return arenas.size();
    }
}
