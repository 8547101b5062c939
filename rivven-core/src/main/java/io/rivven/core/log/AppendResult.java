package io.rivven.core.log;

import java.util.concurrent.CompletableFuture;

/**
 * What an append did.
 *
 * @param baseOffset  the offset given to the first record
 * @param lastOffset  the offset given to the last record
 * @param sizeInBytes the batch's size on disk
 * @param durable     completes when the batch is durable: at once under {@code flush.mode=always}
 *                    (the append already fsynced) and {@code os} (durability is the page cache's:
 *                    completed immediately), after the next group commit under {@code interval};
 *                    completes exceptionally with {@link PartitionFailedException} if the fsync failed,
 *                    or with {@link StorageException} if the partition closed before a flush
 *                    covered it. Actions attached with the non-async methods run in the thread that
 *                    completes it (an appender, a group commit, a close), which may hold the
 *                    partition's locks: they must not block, append to the same partition and wait
 *                    for that (that can deadlock), nor delete a topic (refused there); use the
 *                    {@code ...Async} methods for such work. Closing the engine there is safe: that close returns at
 *                    once and goes on in a thread of its own ({@link StorageEngine#close()})
 */
public record AppendResult(long baseOffset, long lastOffset, int sizeInBytes, CompletableFuture<Void> durable) {

    /** The number of offsets the batch occupies. */
    public int offsetCount() {
        return (int) (lastOffset - baseOffset + 1);
    }
}
