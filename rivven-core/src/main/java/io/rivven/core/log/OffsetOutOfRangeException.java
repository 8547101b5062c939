package io.rivven.core.log;

import java.io.Serial;

/** A read asked for an offset below the log start offset or above the high watermark. */
public class OffsetOutOfRangeException extends StorageException {
    @Serial
    private static final long serialVersionUID = 1L;

    public OffsetOutOfRangeException(String message) {
        super(message);
    }
}
