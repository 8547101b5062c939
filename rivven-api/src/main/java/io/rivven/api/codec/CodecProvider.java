package io.rivven.api.codec;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.Stable;

/**
 * Service provider of a batch compression codec, found through {@link java.util.ServiceLoader}.
 *
 * <p>A codec has a stable {@link #name()} (used in config files) and a stable 3-bit {@link #id()}
 * (written into every batch it compresses): ids 0–4 are Kafka's ({@link #NONE} 0, {@link #GZIP} 1,
 * {@link #SNAPPY} 2, {@link #LZ4} 3, {@link #ZSTD} 4) and must use Kafka's framing; ids 5–7
 * ({@link #FIRST_CUSTOM_ID}..{@link #MAX_ID}) are for third-party codecs. Two providers with the
 * same name or id fail the engine at start.
 */
@Stable
public interface CodecProvider extends PluginProvider {

    byte NONE = 0;
    byte GZIP = 1;
    byte SNAPPY = 2;
    byte LZ4 = 3;
    byte ZSTD = 4;
    /** The first id free for third-party codecs. */
    byte FIRST_CUSTOM_ID = 5;
    /** The largest id that fits attribute bits 0–2. */
    byte MAX_ID = 7;

    /** The id in attribute bits 0–2, between 0 and {@link #MAX_ID}. Stable forever. */
    byte id();

    /**
     * Creates a configured codec.
     *
     * @param config the codec's options (e.g. {@code level}); unknown keys are rejected
     * @throws io.rivven.api.ConfigException if an option is unknown, mistyped or out of range
     */
    Codec create(PluginConfig config);
}
