package io.rivven.core.config;

import java.util.Arrays;
import java.util.List;

/**
 * Named sets of tier limits: {@code "tiered": {"preset": …}}. Explicit {@code hot}, {@code warm} and
 * {@code migrateIntervalMs} keys override a preset key by key.
 *
 * <table>
 * <caption>Presets</caption>
 * <tr><th>preset</th><th>hot</th><th>warm</th><th>migrate every</th></tr>
 * <tr><td>{@code high-performance}</td><td>8 GiB / 2 h</td><td>500 GiB / 7 days</td><td>30 s</td></tr>
 * <tr><td>{@code cost-optimized}</td><td>256 MiB / 5 min</td><td>10 GiB / 1 day</td><td>120 s</td></tr>
 * <tr><td>{@code testing}</td><td>1 MiB / 1 s</td><td>16 MiB / 10 s</td><td>1 s</td></tr>
 * </table>
 * The first two follow rivven's {@code TieredStorageConfig} (its high-performance warm age is not
 * published; 7 days is our choice). {@code testing} is ours: tiny limits so that data moves through
 * every tier within seconds in tests.
 */
public enum TierPreset {
    HIGH_PERFORMANCE("high-performance", new TierLimits(8L << 30, 2 * Ms.HOUR), new TierLimits(500L << 30, 7 * Ms.DAY), 30_000),
    COST_OPTIMIZED("cost-optimized", new TierLimits(256L << 20, 5 * Ms.MINUTE), new TierLimits(10L << 30, Ms.DAY), 120_000),
    TESTING("testing", new TierLimits(1L << 20, 1_000), new TierLimits(16L << 20, 10_000), 1_000);

    /** The preset used when {@code "tiered"} names none. */
    public static final TierPreset DEFAULT = COST_OPTIMIZED;

    private final String jsonName;
    private final TierLimits hot;
    private final TierLimits warm;
    private final long migrateIntervalMs;

    TierPreset(String jsonName, TierLimits hot, TierLimits warm, long migrateIntervalMs) {
        this.jsonName = jsonName;
        this.hot = hot;
        this.warm = warm;
        this.migrateIntervalMs = migrateIntervalMs;
    }

    /** The value in the config file. */
    public String jsonName() {
        return jsonName;
    }

    public TierLimits hot() {
        return hot;
    }

    public TierLimits warm() {
        return warm;
    }

    public long migrateIntervalMs() {
        return migrateIntervalMs;
    }

    private static final class Ms {
        static final long MINUTE = 60_000;
        static final long HOUR = 60 * MINUTE;
        static final long DAY = 24 * HOUR;
    }

    /** Every preset name, in declaration order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(TierPreset::jsonName).toList();
    }
}
