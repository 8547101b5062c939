package io.rivven.api.tier;

import io.rivven.api.Stable;
import java.util.Objects;

/**
 * An object in a {@link ColdStore}.
 *
 * @param key  its key
 * @param size its size in bytes
 */
@Stable
public record ObjectInfo(String key, long size) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
    }
}
