package io.rivven.cli.support;

import java.io.Serial;

/**
 * An expected failure of a command (bad input, a topic that exists, a file of the wrong kind): the
 * message is complete and printed alone, as {@code rivven: <message>}, with exit code 1.
 */
public class CliException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
