package io.rivven.core.plugin;

import io.rivven.api.PluginProvider;
import io.rivven.api.codec.CodecProvider;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.tier.ColdStoreProvider;

/**
 * The four service provider interfaces a Rivven plugin can implement, with the words used for
 * them in listings and error messages.
 */
public enum Spi {
    /** Batch compression codecs ({@code "compression": {"type": …}}). */
    CODEC(CodecProvider.class, "codec", "compression codec"),
    /** I/O backends ({@code "io": {"type": …}}). */
    IO_BACKEND(IoBackendProvider.class, "io", "I/O backend"),
    /** Cold object stores ({@code "tiered": {"cold": {"type": …}}}). */
    COLD_STORE(ColdStoreProvider.class, "cold-store", "cold store"),
    /** Per-segment index types ({@code "indexes": [{"type": …}]}). */
    INDEX(IndexProvider.class, "index", "index type");

    private final Class<? extends PluginProvider> type;
    private final String label;
    private final String noun;

    Spi(Class<? extends PluginProvider> type, String label, String noun) {
        this.type = type;
        this.label = label;
        this.noun = noun;
    }

    /** The provider interface, e.g. {@code CodecProvider.class}. */
    public Class<? extends PluginProvider> type() {
        return type;
    }

    /** Short label for tables, e.g. {@code codec}. */
    public String label() {
        return label;
    }

    /** What one provider is called in messages, e.g. {@code compression codec}. */
    public String noun() {
        return noun;
    }
}
