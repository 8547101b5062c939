package io.rivven.api;

import java.io.Serial;

/**
 * Invalid configuration: an unknown key, a wrong type, a value out of range or a plugin that
 * cannot be found. Thrown before anything touches disk.
 *
 * <p>The message always starts with where the problem is, as {@code source → json.path}, followed
 * by what is wrong and what is accepted, e.g.
 * {@code rivven.json → topics.orders.compression.level: must be between 1 and 22, got 40}.
 */
@Stable
public class ConfigException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * @param path    where the problem is, {@code source → json.path}
     * @param problem what is wrong and what is accepted
     */
    public ConfigException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** Where the problem is, {@code source → json.path}. */
    public String path() {
        return path;
    }
}
