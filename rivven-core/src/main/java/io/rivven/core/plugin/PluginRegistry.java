package io.rivven.core.plugin;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.index.IndexProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The providers of one SPI, by name. Built once by the {@link PluginLoader} (or
 * {@link Plugins#builder()}), then read-only.
 *
 * <p>Construction validates every provider once, in one place: the name matches
 * {@link PluginProvider#NAME_PATTERN}; names are unique within the SPI (a duplicate fails naming both
 * sources); for codecs the id is 0–7 and unique; for index types the file suffix is well-formed,
 * unique and not one the log itself uses. Violations throw {@link PluginLoadException}.
 *
 * <p>Lookups of unknown names throw {@link PluginNotFoundException} naming the SPI, the name, where
 * it came from, what exists and the fix.
 *
 * <p>Thread safety: immutable after construction; safe for concurrent use.
 *
 * @param <P> the provider type
 */
public class PluginRegistry<P extends PluginProvider> {

    /** Index file suffixes: a lowercase letter, then lowercase letters, digits, '.', '_' or '-'. */
    static final Pattern SUFFIX_PATTERN = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    /** Suffixes the log uses for its own files and swaps. */
    static final Set<String> RESERVED_SUFFIXES = Set.of("log", "deleted", "cleaned", "swap", "tmp", "checkpoint");

    private final Spi spi;
    private final Map<String, PluginInfo<P>> byName;
    private final List<String> names;
    private final List<PluginInfo<P>> plugins;

    /**
     * @param spi     the SPI every provider implements
     * @param plugins the providers in discovery order (application first, then folders)
     * @throws PluginLoadException if a name is invalid or taken twice, or an SPI-specific check fails
     */
    PluginRegistry(Spi spi, List<PluginInfo<P>> plugins) {
        this.spi = spi;
        Map<String, PluginInfo<P>> map = new TreeMap<>();
        Map<String, PluginInfo<P>> suffixes = new HashMap<>();
        for (PluginInfo<P> info : plugins) {
            if (info.spi() != spi) {
                throw new IllegalArgumentException(info.describe() + " is not a " + spi.noun());
            }
            String name = info.provider().name();
            if (!PluginProvider.isValidName(name)) {
                throw new PluginLoadException(spi.noun() + " provider " + info.className() + " (" + info.source().describe()
                        + ") has the invalid name " + quote(name) + "; names are 1-32 characters: a lowercase ASCII letter, "
                        + "then lowercase letters, digits or '-'; fix the provider's name()");
            }
            PluginInfo<P> previous = map.putIfAbsent(name, info);
            if (previous != null) {
                throw new PluginLoadException("two " + spi.noun() + "s are named '" + name + "': "
                        + previous.source().describe() + " (" + previous.className() + ") and "
                        + info.source().describe() + " (" + info.className() + "); remove one of them");
            }
            if (info.provider() instanceof IndexProvider index) {
                checkSuffix(info, index.fileSuffix(), suffixes);
            }
        }
        this.byName = Collections.unmodifiableMap(map);
        this.names = List.copyOf(map.keySet());
        this.plugins = List.copyOf(map.values());
    }

    /** The SPI of this registry. */
    public Spi spi() {
        return spi;
    }

    /**
     * The provider named {@code name}.
     *
     * @param where where the name came from, {@code source → json.path}, or {@code null}
     * @throws PluginNotFoundException if there is none; the message lists what is available
     */
    public P get(String name, String where) {
        PluginInfo<P> info = byName.get(name);
        if (info == null) {
            throw new PluginNotFoundException(spi, name, where, names);
        }
        return info.provider();
    }

    /**
     * The provider a configuration object selects; errors name {@link PluginSpec#typePath()}.
     *
     * @throws PluginNotFoundException if there is none
     */
    public P get(PluginSpec spec) {
        return get(spec.type(), spec.typePath());
    }

    /** The provider named {@code name}, if any. */
    public Optional<P> find(String name) {
        return info(name).map(PluginInfo::provider);
    }

    /** The provider named {@code name} with its source, if any. */
    public Optional<PluginInfo<P>> info(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Every name, sorted. */
    public List<String> available() {
        return names;
    }

    /** Every provider with its source, sorted by name. */
    public List<PluginInfo<P>> plugins() {
        return plugins;
    }

    public int size() {
        return names.size();
    }

    /**
     * The options of a configuration object as its provider gets them: marked with the provider's
     * {@link io.rivven.api.PluginProvider#secretKeys()} ({@link PluginConfig#withSecretKeys}), so
     * that errors about them never show a secret's value.
     */
    public PluginConfig configOf(PluginSpec spec) {
        return spec.config().withSecretKeys(secretKeys(spec.type()));
    }

    /** The secret option keys of provider {@code name}, or an empty set if there is no such provider. */
    public Set<String> secretKeys(String name) {
        PluginInfo<P> info = byName.get(name);
        if (info == null) {
            return Set.of();
        }
        Set<String> keys = info.provider().secretKeys();
        return keys == null ? Set.of() : keys;
    }

    @Override
    public String toString() {
        return spi.noun() + "s " + names;
    }

    static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    private void checkSuffix(PluginInfo<P> info, String suffix, Map<String, PluginInfo<P>> seen) {
        if (suffix == null || !SUFFIX_PATTERN.matcher(suffix).matches() || RESERVED_SUFFIXES.contains(suffix)) {
            throw new PluginLoadException(info.describe() + " has the invalid file suffix " + quote(suffix)
                    + "; suffixes are 1-32 characters: a lowercase letter, then lowercase letters, digits, '.', '_' or '-', "
                    + "and not one of " + String.join(", ", sorted(RESERVED_SUFFIXES)));
        }
        PluginInfo<P> previous = seen.putIfAbsent(suffix, info);
        if (previous != null) {
            throw new PluginLoadException("index types '" + previous.name() + "' (" + previous.source().describe()
                    + ") and '" + info.name() + "' (" + info.source().describe() + ") both use the file suffix '"
                    + suffix + "'; suffixes must be unique");
        }
    }

    /** Sorted copy, for messages. */
    static List<String> sorted(Iterable<String> names) {
        List<String> list = new ArrayList<>();
        names.forEach(list::add);
        Collections.sort(list);
        return list;
    }
}
