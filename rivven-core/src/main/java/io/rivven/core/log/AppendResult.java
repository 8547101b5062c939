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
 *                    or with a {@link StorageException} if the partition closed before it. Under
 *                    {@code interval} it completes on the thread that ran the group commit, while
 *                    that thread holds the partition's flush lock: a dependent action added with
 *                    {@code thenRun} and the like runs there, so it must not block, and must not
 *                    append to the same partition and wait for that; use the {@code ...Async}
 *                    variants for such work
 */
public record AppendResult(long baseOffset, long lastOffset, int sizeInBytes, CompletableFuture<Void> durable) {

    /** The number of offsets the batch occupies. */
    public int offsetCount() {
        return (int) (lastOffset - baseOffset + 1);
    }
}
