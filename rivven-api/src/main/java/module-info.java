/**
 * Rivven's service provider interfaces and the value types they exchange.
 *
 * <p>Four SPIs: {@link io.rivven.api.codec.CodecProvider compression codecs},
 * {@link io.rivven.api.io.IoBackendProvider I/O backends},
 * {@link io.rivven.api.tier.ColdStoreProvider cold object stores} and
 * {@link io.rivven.api.index.IndexProvider segment index types}. Every provider extends
 * {@link io.rivven.api.PluginProvider}: a stable lowercase name plus a factory taking a
 * {@link io.rivven.api.PluginConfig}. This module needs nothing but {@code java.base}.
 */
module io.rivven.api {
    exports io.rivven.api;
    exports io.rivven.api.codec;
    exports io.rivven.api.io;
    exports io.rivven.api.tier;
    exports io.rivven.api.index;
}
