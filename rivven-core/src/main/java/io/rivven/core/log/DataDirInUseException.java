package io.rivven.core.log;

import java.io.IOException;
import java.io.Serial;

/**
 * Opening a {@link StorageEngine} found its data directory locked by another open engine, in
 * another process or in this JVM. Nothing was read or written. Close the other engine, or use
 * another data directory.
 */
public class DataDirInUseException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public DataDirInUseException(String message) {
        super(message);
    }
}
