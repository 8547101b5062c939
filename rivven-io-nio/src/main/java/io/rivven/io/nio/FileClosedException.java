package io.rivven.io.nio;

import java.io.Serial;
import java.nio.channels.ClosedChannelException;

/**
 * A {@link ClosedChannelException} that says which file and why: callers can still catch the
 * JDK type, and the message names the path.
 */
final class FileClosedException extends ClosedChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    FileClosedException(String message, Throwable cause) {
        this.message = message;
        if (cause != null) {
            initCause(cause);
        }
    }

    @Override
    public String getMessage() {
        return message;
    }
}
