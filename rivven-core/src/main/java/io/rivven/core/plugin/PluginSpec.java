package io.rivven.core.plugin;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import java.util.Objects;
import java.util.Set;

/**
 * A plugin chosen in the configuration: {@code {"type": "zstd", "level": 3}} becomes the type
 * {@code zstd} and a {@link PluginConfig} holding the other keys, with the path of the object
 * (e.g. {@code rivven.json → topics.orders.compression}) so that errors can say where to look.
 *
 * <p>Immutable. {@link #toString()} never prints option values (they may be secrets); use
 * {@link #toString(Set)} with the provider's {@link PluginProvider#secretKeys()}.
 *
 * @param type   the plugin name, as written (checked against the registry when resolved)
 * @param config the options without {@code type}
 */
public record PluginSpec(String type, PluginConfig config) {

    public PluginSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(config, "config");
    }

    /** A spec with no options, e.g. for a plugin chosen on the command line. */
    public static PluginSpec of(String type, String path) {
        return new PluginSpec(type, PluginConfig.empty(path));
    }

    /** Where the object is: {@code source → json.path}. */
    public String path() {
        return config.path();
    }

    /** Where the name is: {@code source → json.path.type}. */
    public String typePath() {
        return config.pathOf("type");
    }

    /** {@code {"type": "s3", "bucket": "b", "secretKey": "******"}}: the values of {@code secretKeys} masked. */
    public String toString(Set<String> secretKeys) {
        String options = config.toString(secretKeys);
        return "{\"type\": \"" + type + "\"" + (options.length() > 2 ? ", " + options.substring(1) : "}");
    }

    /** The type and the option keys only: values may be secrets. */
    @Override
    public String toString() {
        return type + " " + config.keys();
    }
}
