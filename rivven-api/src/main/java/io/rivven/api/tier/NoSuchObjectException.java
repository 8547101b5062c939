package io.rivven.api.tier;

import io.rivven.api.Stable;
import java.io.IOException;
import java.io.Serial;

/** The object asked for does not exist in the cold store. */
@Stable
public class NoSuchObjectException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String key;

    public NoSuchObjectException(String store, String key) {
        super(store + ": no object '" + key + "'");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
