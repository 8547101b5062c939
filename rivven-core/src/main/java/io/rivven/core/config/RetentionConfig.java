package io.rivven.core.config;

/**
 * How long closed segments are kept when the cleanup policy deletes: {@code "retention": {…}}.
 * Whole closed segments are deleted, never the active one.
 *
 * @param ms    delete a segment whose newest record is older than this; {@value #UNLIMITED} = no time limit
 *              (default 7 days)
 * @param bytes delete the oldest segments while the partition is larger than this; {@value #UNLIMITED} = no size
 *              limit (default)
 */
public record RetentionConfig(long ms, long bytes) {

    /** No limit. */
    public static final long UNLIMITED = -1;

    /** Built-in defaults: 7 days, no size limit. */
    public static final RetentionConfig DEFAULTS = new RetentionConfig(7L * 24 * 3600 * 1000, UNLIMITED);

    public RetentionConfig {
        if (ms < UNLIMITED || bytes < UNLIMITED) {
            throw new IllegalArgumentException("invalid retention: ms " + ms + ", bytes " + bytes);
        }
    }

    public boolean hasTimeLimit() {
        return ms != UNLIMITED;
    }

    public boolean hasSizeLimit() {
        return bytes != UNLIMITED;
    }
}
