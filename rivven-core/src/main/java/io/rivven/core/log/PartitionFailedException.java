package io.rivven.core.log;

import java.io.Serial;

/**
 * The partition stopped accepting writes after an I/O failure (a failed fsync above all: the
 * kernel may have dropped dirty pages, so retrying could hide lost data). Reopen the engine to
 * recover the partition from what is on disk.
 */
public class PartitionFailedException extends StorageException {
    @Serial
    private static final long serialVersionUID = 1L;

    public PartitionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
