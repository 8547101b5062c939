package io.rivven.core.config;

import java.util.Objects;

/**
 * Durability of appends: {@code "flush": {"mode": …, "intervalMs": …, "intervalBytes": …}}.
 *
 * @param mode          see {@link FlushMode} (default {@code interval})
 * @param intervalMs    {@code interval} mode: fsync at least this often (at least 1, default 1000)
 * @param intervalBytes {@code interval} mode: also fsync once this many bytes are unflushed;
 *                      {@value #NO_BYTE_TRIGGER} = time only (default)
 */
public record FlushConfig(FlushMode mode, long intervalMs, long intervalBytes) {

    /** {@code intervalBytes} value for "by time only". */
    public static final long NO_BYTE_TRIGGER = -1;

    /** Built-in defaults: interval, every 1000 ms, no byte trigger. */
    public static final FlushConfig DEFAULTS = new FlushConfig(FlushMode.INTERVAL, 1000, NO_BYTE_TRIGGER);

    public FlushConfig {
        Objects.requireNonNull(mode, "mode");
        if (intervalMs < 1 || (intervalBytes < 1 && intervalBytes != NO_BYTE_TRIGGER)) {
            throw new IllegalArgumentException("invalid flush config: " + intervalMs + " ms, " + intervalBytes + " bytes");
        }
    }
}
