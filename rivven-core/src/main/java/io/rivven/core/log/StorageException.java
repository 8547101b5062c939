package io.rivven.core.log;

import java.io.Serial;

/** A storage operation failed; the message names the topic-partition, file and position where known. */
public class StorageException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
