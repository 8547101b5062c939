package io.rivven.io.nio;

import java.io.Serial;
import java.nio.channels.NonWritableChannelException;

/**
 * The {@link NonWritableChannelException} that {@link io.rivven.api.io.OpenMode#READ} promises,
 * with a message naming the file and the fix.
 */
final class ReadOnlyFileException extends NonWritableChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    ReadOnlyFileException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
