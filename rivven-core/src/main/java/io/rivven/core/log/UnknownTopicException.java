package io.rivven.core.log;

import java.io.Serial;

/** The topic or partition asked for does not exist; the message lists what does. */
public class UnknownTopicException extends StorageException {
    @Serial
    private static final long serialVersionUID = 1L;

    public UnknownTopicException(String message) {
        super(message);
    }
}
