package io.rivven.api.codec;

import io.rivven.api.Stable;
import java.io.Serial;

/**
 * Compressed data could not be decoded: corrupt, truncated or written by another codec. The message
 * names the codec and what was wrong; callers add the file and position.
 */
@Stable
public class CodecException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
