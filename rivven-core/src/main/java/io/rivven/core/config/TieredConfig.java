package io.rivven.core.config;

import io.rivven.core.plugin.PluginSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * Tiered storage: {@code "tiered": {"preset": …, "hot": {…}, "warm": {…}, "migrateIntervalMs": …, "cold": {"type": …}}}.
 * Without a {@code "tiered"} object tiering is off ({@link #DISABLED}). The preset fills the limits;
 * explicit keys override it key by key.
 *
 * @param enabled           whether tiering runs ({@code "enabled"}, default true when {@code "tiered"} is present)
 * @param preset            the preset the limits started from (default {@link TierPreset#DEFAULT})
 * @param hot               the in-memory tier of recent batches per partition
 * @param warm              local segments
 * @param migrateIntervalMs how often data is moved between tiers
 * @param cold              the cold store closed segments are uploaded to; empty = no cold tier
 */
public record TieredConfig(boolean enabled, TierPreset preset, TierLimits hot, TierLimits warm, long migrateIntervalMs,
                           Optional<PluginSpec> cold) {

    /** No {@code "tiered"} in the config. */
    public static final TieredConfig DISABLED = of(false, TierPreset.DEFAULT, null);

    public TieredConfig {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(hot, "hot");
        Objects.requireNonNull(warm, "warm");
        Objects.requireNonNull(cold, "cold");
        if (migrateIntervalMs < 1) {
            throw new IllegalArgumentException("migrateIntervalMs " + migrateIntervalMs + " < 1");
        }
    }

    /** A preset's limits as they are, with an optional cold store. */
    public static TieredConfig of(boolean enabled, TierPreset preset, PluginSpec cold) {
        return new TieredConfig(enabled, preset, preset.hot(), preset.warm(), preset.migrateIntervalMs(),
                Optional.ofNullable(cold));
    }
}
