package io.rivven.core.plugin;

import io.rivven.api.PluginProvider;
import io.rivven.api.codec.CodecProvider;
import io.rivven.api.index.IndexProvider;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One provider found by the {@link PluginLoader}, with where it came from.
 *
 * @param spi      which SPI it implements
 * @param provider the provider (stateless, thread-safe)
 * @param source   where it was found
 * @param <P>      the provider type
 */
public record PluginInfo<P extends PluginProvider>(Spi spi, P provider, PluginSource source) {

    public PluginInfo {
        Objects.requireNonNull(spi, "spi");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(source, "source");
        if (!spi.type().isInstance(provider)) {
            throw new IllegalArgumentException(provider.getClass().getName() + " is not a " + spi.type().getName());
        }
    }

    /** The provider's name (validated by the registry). */
    public String name() {
        return provider.name();
    }

    /** The codec id for codecs; empty for the other SPIs. */
    public OptionalInt codecId() {
        return provider instanceof CodecProvider c ? OptionalInt.of(c.id()) : OptionalInt.empty();
    }

    /** The index file suffix for index types; {@code null} for the other SPIs. */
    public String fileSuffix() {
        return provider instanceof IndexProvider i ? i.fileSuffix() : null;
    }

    /** The provider's one-line description, never null. */
    public String description() {
        String d = provider.description();
        return d == null ? "" : d;
    }

    /** The provider's class name. */
    public String className() {
        return provider.getClass().getName();
    }

    /** E.g. {@code compression codec 'gzip' (module io.rivven.codec.gzip in /opt/rivven/plugins/gzip)}. */
    public String describe() {
        return spi.noun() + " '" + name() + "' (" + source.describe() + ")";
    }
}
