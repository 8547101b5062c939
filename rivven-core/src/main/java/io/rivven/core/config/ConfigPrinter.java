package io.rivven.core.config;

import io.rivven.api.PluginConfig;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.plugin.Spi;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prints the effective configuration (every default filled in, every topic merged) as JSON that
 * is itself a valid config file, with secrets masked as {@value PluginConfig#MASK}.
 *
 * <p>Secrets: for a plugin the registry knows, the values of its
 * {@link io.rivven.api.PluginProvider#secretKeys()}; for a plugin that is not installed (or when no
 * registry is given) every option whose key looks secret ({@link PluginConfig#looksSecret}), at any
 * depth, so that a misspelt plugin name never leaks its credentials.
 *
 * <p>Thread-safe (stateless).
 */
public final class ConfigPrinter {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConfigPrinter() {
    }

    /**
     * The effective config as pretty-printed JSON with secrets masked.
     *
     * @param plugins the registries that know each plugin's secret keys, or {@code null}
     */
    public static String toJson(RivvenConfig config, Plugins plugins) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(config, plugins));
    }

    /** The effective config as a JSON tree with secrets masked. */
    static ObjectNode toTree(RivvenConfig config, Plugins plugins) {
        ObjectNode root = NODES.objectNode();
        root.put("dataDir", config.dataDir().toString());
        ArrayNode dirs = root.putArray("pluginDirs");
        for (Path p : config.pluginDirs()) {
            dirs.add(p.toString());
        }
        root.set("io", spec(config.io(), Spi.IO_BACKEND, plugins));
        root.set("defaults", topic(config.defaults(), plugins));
        root.set("tiered", tiered(config.tiered(), plugins));
        ObjectNode topics = root.putObject("topics");
        config.topics().forEach((name, t) -> topics.set(name, topic(t, plugins)));
        return root;
    }

    /** One plugin object {@code {"type": …, …options}} with its secrets masked. */
    static ObjectNode spec(PluginSpec spec, Spi spi, Plugins plugins) {
        Set<String> secrets = plugins == null ? null : plugins.registry(spi).find(spec.type()).isPresent()
                ? plugins.secretKeys(spi, spec.type()) : null;
        ObjectNode node = NODES.objectNode();
        node.put("type", spec.type());
        spec.config().asMap().forEach((k, v) -> {
            boolean secret = secrets != null ? secrets.contains(k) : PluginConfig.looksSecret(k);
            // a plugin's secretKeys() name top-level options; for one not installed, nested keys are guessed too
            node.set(k, secret ? NODES.stringNode(PluginConfig.MASK) : value(v, secrets == null));
        });
        return node;
    }

    private static ObjectNode topic(TopicConfig t, Plugins plugins) {
        ObjectNode n = NODES.objectNode();
        n.put("partitions", t.partitions());
        n.set("compression", spec(t.compression(), Spi.CODEC, plugins));
        ObjectNode segment = n.putObject("segment");
        segment.put("bytes", t.segment().bytes());
        segment.put("ms", t.segment().ms());
        segment.put("indexIntervalBytes", t.segment().indexIntervalBytes());
        segment.put("indexMaxBytes", t.segment().indexMaxBytes());
        segment.put("preallocateBytes", t.segment().preallocateBytes());
        ObjectNode retention = n.putObject("retention");
        retention.put("ms", t.retention().ms());
        retention.put("bytes", t.retention().bytes());
        n.put("cleanupPolicy", t.cleanupPolicy().jsonName());
        ObjectNode flush = n.putObject("flush");
        flush.put("mode", t.flush().mode().jsonName());
        flush.put("intervalMs", t.flush().intervalMs());
        flush.put("intervalBytes", t.flush().intervalBytes());
        ArrayNode indexes = n.putArray("indexes");
        for (PluginSpec s : t.indexes()) {
            indexes.add(spec(s, Spi.INDEX, plugins));
        }
        return n;
    }

    private static ObjectNode tiered(TieredConfig t, Plugins plugins) {
        ObjectNode n = NODES.objectNode();
        n.put("enabled", t.enabled());
        n.put("preset", t.preset().jsonName());
        ObjectNode hot = n.putObject("hot");
        hot.put("maxBytes", t.hot().maxBytes());
        hot.put("maxAgeMs", t.hot().maxAgeMs());
        ObjectNode warm = n.putObject("warm");
        warm.put("maxBytes", t.warm().maxBytes());
        warm.put("maxAgeMs", t.warm().maxAgeMs());
        n.put("migrateIntervalMs", t.migrateIntervalMs());
        t.cold().ifPresent(c -> n.set("cold", spec(c, Spi.COLD_STORE, plugins)));
        return n;
    }

    /** @param guessSecrets whether keys of nested objects that look secret are masked */
    private static JsonNode value(Object v, boolean guessSecrets) {
        return switch (v) {
            case null -> NODES.nullNode();
            case String s -> NODES.stringNode(s);
            case Boolean b -> NODES.booleanNode(b);
            case Long l -> NODES.numberNode(l);
            case Integer i -> NODES.numberNode(i);
            case Double d -> NODES.numberNode(d);
            case Number num -> NODES.numberNode(num.doubleValue());
            case List<?> list -> {
                ArrayNode a = NODES.arrayNode();
                list.forEach(e -> a.add(value(e, guessSecrets)));
                yield a;
            }
            case Map<?, ?> map -> {
                ObjectNode o = NODES.objectNode();
                map.forEach((k, e) -> {
                    String key = String.valueOf(k);
                    o.set(key, guessSecrets && PluginConfig.looksSecret(key) ? NODES.stringNode(PluginConfig.MASK)
                            : value(e, guessSecrets));
                });
                yield o;
            }
            default -> NODES.stringNode(String.valueOf(v));
        };
    }
}
