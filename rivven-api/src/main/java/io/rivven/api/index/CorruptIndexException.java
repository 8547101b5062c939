package io.rivven.api.index;

import io.rivven.api.Stable;
import java.io.IOException;
import java.io.Serial;

/** An index file is damaged; the engine deletes and rebuilds it from the log. */
@Stable
public class CorruptIndexException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CorruptIndexException(String message) {
        super(message);
    }
}
