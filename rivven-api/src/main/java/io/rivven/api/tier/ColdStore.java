package io.rivven.api.tier;

import io.rivven.api.Stable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A configured cold object store: where closed segments and their indexes go when they leave
 * local disk.
 *
 * <p>Keys are {@code /}-separated, 1–1024 characters from {@code [A-Za-z0-9._/=-]}, with no empty,
 * {@code .} or {@code ..} segment (see {@link #checkKey}); the engine writes
 * {@code <prefix>/<topic>/<partition>/<base offset>-<uuid>.<suffix>}.
 *
 * <p>Semantics: objects are immutable once put; every operation is idempotent (putting the same
 * key again replaces it atomically: a reader sees the old or the new object, never a mix;
 * deleting a missing object succeeds). A put is durable when it returns.
 *
 * <p>Errors: {@link NoSuchObjectException} when a read names a missing object; any other
 * {@link IOException} is a possibly transient failure (network, throttling) the caller may retry.
 *
 * <p>Thread safety: safe for concurrent use.
 */
@Stable
public interface ColdStore extends AutoCloseable {

    /** The allowed key characters and shape. */
    Pattern KEY_PATTERN = Pattern.compile("[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*");

    /** Uploads the whole file {@code source} under {@code key}. */
    void put(String key, Path source) throws IOException;

    /** Uploads the remaining bytes of {@code data} under {@code key}; {@code data}'s position is not changed. */
    void put(String key, ByteBuffer data) throws IOException;

    /**
     * Reads up to {@code length} bytes of {@code key} from {@code offset}; fewer only when the
     * object ends first (empty when {@code offset} is at or past the end).
     *
     * @return a buffer, position 0, limit = bytes read
     * @throws NoSuchObjectException if there is no such object
     */
    ByteBuffer get(String key, long offset, int length) throws IOException;

    /** The object's size, or empty if it does not exist. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * Deletes {@code key}.
     *
     * @return whether the object existed (stores that cannot tell return true)
     */
    boolean delete(String key) throws IOException;

    /** Every object whose key starts with {@code prefix}, sorted by key. */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Releases clients and connections; idempotent. */
    @Override
    void close() throws IOException;

    /**
     * Checks a key's shape.
     *
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 1024 || !KEY_PATTERN.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid cold-store key '" + key
                    + "': 1-1024 characters from [A-Za-z0-9._=-] in '/'-separated non-empty parts");
        }
        for (String part : key.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid cold-store key '" + key + "': '.' and '..' parts are not allowed");
            }
        }
        return key;
    }
}
