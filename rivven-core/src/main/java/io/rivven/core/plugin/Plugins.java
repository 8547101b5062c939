package io.rivven.core.plugin;

import io.rivven.api.PluginProvider;
import io.rivven.api.codec.CodecProvider;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.tier.ColdStoreProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every plugin an engine can use: one registry per SPI, plus the plugin folders that were searched.
 * Made by {@link PluginLoader#load()} (application + plugin folders) or by {@link #builder()}
 * (providers handed over in code, e.g. by tests or an application that wires its own).
 *
 * <p>Thread safety: immutable; safe for concurrent use. The module layers and class loaders of
 * plugin folders stay alive as long as the providers are referenced.
 */
public final class Plugins {

    private final CodecRegistry codecs;
    private final PluginRegistry<IoBackendProvider> ioBackends;
    private final PluginRegistry<ColdStoreProvider> coldStores;
    private final PluginRegistry<IndexProvider> indexes;
    private final List<Path> pluginDirs;

    private Plugins(Builder b) {
        this.codecs = new CodecRegistry(b.list(Spi.CODEC, CodecProvider.class));
        this.ioBackends = new PluginRegistry<>(Spi.IO_BACKEND, b.list(Spi.IO_BACKEND, IoBackendProvider.class));
        this.coldStores = new PluginRegistry<>(Spi.COLD_STORE, b.list(Spi.COLD_STORE, ColdStoreProvider.class));
        this.indexes = new PluginRegistry<>(Spi.INDEX, b.list(Spi.INDEX, IndexProvider.class));
        this.pluginDirs = List.copyOf(b.pluginDirs);
    }

    /** A builder to register providers in code. */
    public static Builder builder() {
        return new Builder();
    }

    /** Plugins made of exactly these providers, each with an {@link PluginSource.Kind#APPLICATION} source. */
    public static Plugins of(PluginProvider... providers) {
        Builder b = builder();
        for (PluginProvider p : providers) {
            b.add(p);
        }
        return b.build();
    }

    public CodecRegistry codecs() {
        return codecs;
    }

    public PluginRegistry<IoBackendProvider> ioBackends() {
        return ioBackends;
    }

    public PluginRegistry<ColdStoreProvider> coldStores() {
        return coldStores;
    }

    public PluginRegistry<IndexProvider> indexes() {
        return indexes;
    }

    /** The registry of {@code spi}. */
    public PluginRegistry<? extends PluginProvider> registry(Spi spi) {
        return switch (spi) {
            case CODEC -> codecs;
            case IO_BACKEND -> ioBackends;
            case COLD_STORE -> coldStores;
            case INDEX -> indexes;
        };
    }

    /** Every provider, by SPI (in {@link Spi} order) then name. */
    public List<PluginInfo<?>> all() {
        List<PluginInfo<?>> all = new ArrayList<>();
        for (Spi spi : Spi.values()) {
            all.addAll(registry(spi).plugins());
        }
        return Collections.unmodifiableList(all);
    }

    /** The secret option keys of the {@code spi} provider {@code name}; empty if it is not installed. */
    public Set<String> secretKeys(Spi spi, String name) {
        return registry(spi).secretKeys(name);
    }

    /**
     * The plugin directories the loader was asked to search (absolute, normalized, in order),
     * whether or not they exist; empty for plugins built in code.
     */
    public List<Path> pluginDirs() {
        return pluginDirs;
    }

    @Override
    public String toString() {
        return "Plugins[" + codecs + ", " + ioBackends + ", " + coldStores + ", " + indexes + "]";
    }

    /**
     * Collects providers; {@link #build()} validates them (see {@link PluginRegistry}). Not thread-safe.
     */
    public static final class Builder {
        private final Map<Spi, List<PluginInfo<?>>> bySpi = new EnumMap<>(Spi.class);
        private final List<Path> pluginDirs = new ArrayList<>();

        private Builder() {
        }

        /** Adds a provider found in the application (its source is derived from its class). */
        public Builder add(PluginProvider provider) {
            return add(provider, PluginSource.application(provider.getClass()));
        }

        /**
         * Adds a provider with its source. A provider implementing several SPIs is registered under
         * each of them.
         */
        public Builder add(PluginProvider provider, PluginSource source) {
            Objects.requireNonNull(provider, "provider");
            boolean any = false;
            for (Spi spi : Spi.values()) {
                if (spi.type().isInstance(provider)) {
                    bySpi.computeIfAbsent(spi, s -> new ArrayList<>()).add(new PluginInfo<>(spi, provider, source));
                    any = true;
                }
            }
            if (!any) {
                throw new IllegalArgumentException(provider.getClass().getName() + " implements none of Rivven's SPIs");
            }
            return this;
        }

        /** Adds a provider under one SPI only (the loader scans per SPI). */
        Builder add(Spi spi, PluginProvider provider, PluginSource source) {
            bySpi.computeIfAbsent(spi, s -> new ArrayList<>()).add(new PluginInfo<>(spi, provider, source));
            return this;
        }

        /** Records a directory that was searched (shown by {@code rivven plugins}). */
        Builder searched(Path dir) {
            pluginDirs.add(dir);
            return this;
        }

        /**
         * The registries.
         *
         * @throws PluginLoadException on an invalid name, codec id or index suffix, or a duplicate
         */
        public Plugins build() {
            return new Plugins(this);
        }

        @SuppressWarnings("unchecked")
        private <P extends PluginProvider> List<PluginInfo<P>> list(Spi spi, Class<P> type) {
            List<PluginInfo<P>> out = new ArrayList<>();
            for (PluginInfo<?> info : bySpi.getOrDefault(spi, List.of())) {
                out.add((PluginInfo<P>) info);
            }
            return out;
        }
    }
}
