package io.rivven.core.config;

import io.rivven.api.ConfigException;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.tier.ColdStore;
import io.rivven.api.tier.ColdStoreProvider;
import io.rivven.core.plugin.PluginNotFoundException;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the plugins a {@link RivvenConfig} names, so that a wrong name or option fails when the
 * config is loaded, before anything touches disk:
 * <ul>
 * <li>every {@code compression}: the codec is looked up and created with its options (cheap; the
 *     codec is dropped);</li>
 * <li>every {@code indexes} entry: looked up, {@link IndexProvider#validate} called; a type listed
 *     twice in one list fails;</li>
 * <li>{@code tiered.cold}, when tiering is enabled: looked up, created (which contacts no service)
 *     and closed;</li>
 * <li>{@code io}: <em>not</em> checked here. The I/O backend is resolved when the engine opens,
 *     through {@link #ioBackend}, which is also where its {@link IoBackendProvider#isSupported()} is
 *     asked: a config naming a backend this machine lacks can still be printed and inspected.</li>
 * </ul>
 * Errors are {@link PluginNotFoundException} (unknown name, listing what exists) or the
 * {@link ConfigException} of the plugin (its options), both naming the config path.
 */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    /**
     * Checks every plugin of {@code config} except the I/O backend (see the class comment).
     *
     * @throws ConfigException naming the path of the first problem
     */
    public static void validate(RivvenConfig config, Plugins plugins) {
        Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
        List<TopicConfig> topics = new ArrayList<>();
        topics.add(config.defaults());
        topics.addAll(config.topics().values());
        for (TopicConfig t : topics) {
            if (done.add(t.compression())) {
                plugins.codecs().create(t.compression());
            }
            if (done.add(t.indexes())) {
                validateIndexes(t.indexes(), plugins);
            }
        }
        TieredConfig tiered = config.tiered();
        if (tiered.enabled() && tiered.cold().isPresent()) {
            PluginSpec spec = tiered.cold().get();
            ColdStoreProvider provider = plugins.coldStores().get(spec);
            ColdStore store = provider.create(plugins.coldStores().configOf(spec));
            try {
                store.close();
            } catch (IOException e) {
                // closing a store that never did anything: nothing to report
            }
        }
    }

    /**
     * The I/O backend {@code config.io()} names, checked to run on this machine. The engine calls
     * this when it opens, before touching disk.
     *
     * @throws PluginNotFoundException if no backend has that name
     * @throws ConfigException if it cannot run here (naming why and the alternatives)
     */
    public static IoBackendProvider ioBackend(RivvenConfig config, Plugins plugins) {
        PluginSpec spec = config.io();
        IoBackendProvider provider = plugins.ioBackends().get(spec);
        if (!provider.isSupported()) {
            List<String> others = new ArrayList<>(plugins.ioBackends().available());
            others.remove(spec.type());
            String reason = provider.unsupportedReason();
            throw new ConfigException(spec.typePath(), "I/O backend '" + spec.type() + "' cannot run here"
                    + (reason == null || reason.isEmpty() ? "" : ": " + reason)
                    + (others.isEmpty() ? "" : "; choose another: " + String.join(", ", others)));
        }
        return provider;
    }

    /**
     * Checks the I/O backend as the engine does when it opens: {@link #ioBackend}, then its options
     * (the backend is created and closed at once). For commands that report on a config without
     * opening the engine ({@code rivven config}, {@code rivven plugins}).
     *
     * @throws PluginNotFoundException if no backend has that name
     * @throws ConfigException if it cannot run here or rejects an option
     */
    public static void checkIo(RivvenConfig config, Plugins plugins) {
        IoBackend backend = ioBackend(config, plugins).create(plugins.ioBackends().configOf(config.io()));
        try {
            backend.close();
        } catch (IOException e) {
            // closing a backend that never did anything: nothing to report
        }
    }

    private static void validateIndexes(List<PluginSpec> indexes, Plugins plugins) {
        Map<String, PluginSpec> seen = new HashMap<>();
        for (PluginSpec spec : indexes) {
            PluginSpec previous = seen.putIfAbsent(spec.type(), spec);
            if (previous != null) {
                throw new ConfigException(spec.typePath(), "index type '" + spec.type() + "' is listed twice (also at "
                        + previous.path() + "); list each index type once");
            }
            plugins.indexes().get(spec).validate(plugins.indexes().configOf(spec));
        }
    }
}
