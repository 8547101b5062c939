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
 *                    completes exceptionally with {@link PartitionFailedException} if the fsync failed
 */
public record AppendResult(long baseOffset, long lastOffset, int sizeInBytes, CompletableFuture<Void> durable) {

    /** The number of offsets the batch occupies. */
    public int offsetCount() {
        return (int) (lastOffset - baseOffset + 1);
    }
}
