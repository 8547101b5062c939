package io.rivven.core.config;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.core.plugin.PluginSpec;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Binds the JSON tree of a config file to {@link RivvenConfig}: checks every key, type and range,
 * merges per-topic overrides over the defaults and tier presets. Pure: touches no file.
 */
final class ConfigBinder {

    static final Set<String> TOP_KEYS = Set.of("dataDir", "pluginDirs", "io", "defaults", "tiered", "topics");
    static final Set<String> TOPIC_KEYS = Set.of("partitions", "compression", "segment", "retention", "cleanupPolicy",
            "flush", "indexes");
    static final Set<String> SEGMENT_KEYS = Set.of("bytes", "ms", "indexIntervalBytes", "indexMaxBytes", "preallocateBytes");
    static final Set<String> RETENTION_KEYS = Set.of("ms", "bytes");
    static final Set<String> FLUSH_KEYS = Set.of("mode", "intervalMs", "intervalBytes");
    static final Set<String> TIERED_KEYS = Set.of("enabled", "preset", "hot", "warm", "migrateIntervalMs", "cold");
    static final Set<String> TIER_KEYS = Set.of("maxBytes", "maxAgeMs");

    static final String DEFAULT_DATA_DIR = "data";
    static final String DEFAULT_PLUGIN_DIR = "plugins";
    static final String DEFAULT_IO = "nio";

    private ConfigBinder() {
    }

    static RivvenConfig bind(ConfigNode root) {
        root.requireOnly(TOP_KEYS);
        String source = root.source();
        Path dataDir = path(root, "dataDir", DEFAULT_DATA_DIR);
        List<Path> pluginDirs = pluginDirs(root);
        PluginSpec io = root.has("io") ? spec(root.get("io"), "I/O backend")
                : PluginSpec.of(DEFAULT_IO, ConfigNode.where(source, "io"));
        TopicConfig builtIn = TopicConfig.builtIn(source);
        ConfigNode defaultsNode = root.object("defaults", TOPIC_KEYS);
        TopicConfig defaults = defaultsNode == null ? builtIn : topic(defaultsNode, builtIn);
        TieredConfig tiered = root.has("tiered") ? tiered(root.get("tiered")) : TieredConfig.DISABLED;
        Map<String, TopicConfig> topics = new LinkedHashMap<>();
        ConfigNode topicsNode = root.get("topics");
        if (topicsNode != null) {
            topicsNode.requireObject();
            for (String name : topicsNode.keys()) {
                ConfigNode t = topicsNode.get(name);
                TopicConfig.checkName(name, t.where());
                topics.put(name, topic(t.requireOnly(TOPIC_KEYS), defaults));
            }
        }
        return new RivvenConfig(source, dataDir, pluginDirs, io, defaults, tiered, Collections.unmodifiableMap(topics));
    }

    /** A topic's settings: each key present in {@code node} overrides {@code base}; nested objects merge key by key. */
    private static TopicConfig topic(ConfigNode node, TopicConfig base) {
        int partitions = (int) node.integer("partitions", base.partitions(), 1, TopicConfig.MAX_PARTITIONS);
        PluginSpec compression = node.has("compression") ? spec(node.get("compression"), "compression codec")
                : base.compression();

        SegmentConfig segment = base.segment();
        ConfigNode s = node.object("segment", SEGMENT_KEYS);
        if (s != null) {
            segment = new SegmentConfig(
                    s.integer("bytes", segment.bytes(), SegmentConfig.MIN_BYTES, Integer.MAX_VALUE),
                    s.integer("ms", segment.ms(), 1, Long.MAX_VALUE),
                    (int) s.integer("indexIntervalBytes", segment.indexIntervalBytes(), 1, Integer.MAX_VALUE),
                    (int) s.integer("indexMaxBytes", segment.indexMaxBytes(), SegmentConfig.MIN_INDEX_BYTES, Integer.MAX_VALUE),
                    (int) s.integer("preallocateBytes", segment.preallocateBytes(), 0, Integer.MAX_VALUE));
        }

        RetentionConfig retention = base.retention();
        ConfigNode r = node.object("retention", RETENTION_KEYS);
        if (r != null) {
            retention = new RetentionConfig(
                    r.integerOrUnlimited("ms", retention.ms(), 0, Long.MAX_VALUE),
                    r.integerOrUnlimited("bytes", retention.bytes(), 0, Long.MAX_VALUE));
        }

        CleanupPolicy cleanup = node.choice("cleanupPolicy", base.cleanupPolicy(), CleanupPolicy.values(),
                CleanupPolicy::jsonName);

        FlushConfig flush = base.flush();
        ConfigNode f = node.object("flush", FLUSH_KEYS);
        if (f != null) {
            flush = new FlushConfig(
                    f.choice("mode", flush.mode(), FlushMode.values(), FlushMode::jsonName),
                    f.integer("intervalMs", flush.intervalMs(), 1, Long.MAX_VALUE),
                    f.integerOrUnlimited("intervalBytes", flush.intervalBytes(), 1, Long.MAX_VALUE));
        }

        List<PluginSpec> indexes = base.indexes();
        ConfigNode list = node.get("indexes");
        if (list != null) {
            List<PluginSpec> specs = new ArrayList<>();
            for (ConfigNode e : list.elements()) {
                specs.add(spec(e, "index type"));
            }
            indexes = specs;
        }
        return new TopicConfig(partitions, compression, segment, retention, cleanup, flush, indexes);
    }

    private static TieredConfig tiered(ConfigNode node) {
        node.requireOnly(TIERED_KEYS);
        boolean enabled = node.bool("enabled", true);
        TierPreset preset = node.choice("preset", TierPreset.DEFAULT, TierPreset.values(), TierPreset::jsonName);
        TierLimits hot = limits(node.object("hot", TIER_KEYS), preset.hot(), false);
        TierLimits warm = limits(node.object("warm", TIER_KEYS), preset.warm(), true);
        long migrate = node.integer("migrateIntervalMs", preset.migrateIntervalMs(), 1, Long.MAX_VALUE);
        PluginSpec cold = node.has("cold") ? spec(node.get("cold"), "cold store") : null;
        return new TieredConfig(enabled, preset, hot, warm, migrate, Optional.ofNullable(cold));
    }

    private static TierLimits limits(ConfigNode node, TierLimits base, boolean unlimitedAllowed) {
        if (node == null) {
            return base;
        }
        if (unlimitedAllowed) {
            return new TierLimits(node.integerOrUnlimited("maxBytes", base.maxBytes(), 0, Long.MAX_VALUE),
                    node.integerOrUnlimited("maxAgeMs", base.maxAgeMs(), 0, Long.MAX_VALUE));
        }
        return new TierLimits(node.integer("maxBytes", base.maxBytes(), 0, Long.MAX_VALUE),
                node.integer("maxAgeMs", base.maxAgeMs(), 0, Long.MAX_VALUE));
    }

    /**
     * A plugin object {@code {"type": "zstd", "level": 3}}, or its shorthand {@code "zstd"}.
     *
     * @param what the kind of plugin, for messages ("compression codec")
     */
    static PluginSpec spec(ConfigNode node, String what) {
        if (node.json().isString()) {
            return PluginSpec.of(pluginName(node, what), node.where());
        }
        if (!node.json().isObject()) {
            throw node.typeError("an object {\"type\": <" + what + " name>, …options} or a " + what + " name");
        }
        ConfigNode type = node.get("type");
        if (type == null) {
            throw new io.rivven.api.ConfigException(node.where("type"), "required: the " + what + " name");
        }
        String name = pluginName(type, what);
        Map<String, Object> options = new LinkedHashMap<>();
        for (String key : node.keys()) {
            if (!key.equals("type")) {
                options.put(key, node.get(key).toJava());
            }
        }
        return new PluginSpec(name, PluginConfig.of(node.where(), options));
    }

    private static String pluginName(ConfigNode node, String what) {
        if (!node.json().isString()) {
            throw node.typeError("a string (the " + what + " name)");
        }
        String name = node.json().stringValue();
        if (!PluginProvider.isValidName(name)) {
            throw node.error("must be a " + what + " name: a lowercase letter, then lowercase letters, digits or '-' "
                    + "(at most 32), got " + ConfigNode.shown(node.json()));
        }
        return name;
    }

    private static Path path(ConfigNode root, String key, String defaultValue) {
        ConfigNode c = root.get(key);
        return c == null ? Path.of(defaultValue) : toPath(c);
    }

    private static Path toPath(ConfigNode c) {
        String s = c.asString();
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw c.error("not a valid path: " + e.getMessage());
        }
    }

    private static List<Path> pluginDirs(ConfigNode root) {
        ConfigNode c = root.get("pluginDirs");
        if (c == null) {
            return List.of(Path.of(DEFAULT_PLUGIN_DIR));
        }
        List<Path> dirs = new ArrayList<>();
        for (ConfigNode e : c.elements()) {
            dirs.add(toPath(e));
        }
        return List.copyOf(dirs);
    }
}
