package io.rivven.core.config;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine's configuration, bound from one JSON file (see {@code docs/config.md}):
 * <pre>
 * { "dataDir": "data", "pluginDirs": ["plugins"], "io": {"type": "nio"},
 *   "defaults": { "partitions": 1, "compression": {"type": "lz4"},
 *                 "segment": {"bytes": 1073741824, "ms": 604800000, "indexIntervalBytes": 4096, "indexMaxBytes": 10485760,
 *                             "preallocateBytes": 1048576},
 *                 "retention": {"ms": 604800000, "bytes": -1}, "cleanupPolicy": "delete",
 *                 "flush": {"mode": "interval", "intervalMs": 1000, "intervalBytes": -1}, "indexes": [] },
 *   "tiered": { "preset": "cost-optimized", "hot": {"maxBytes": …, "maxAgeMs": …}, "warm": {…},
 *               "migrateIntervalMs": 120000, "cold": {"type": "fs", …} },
 *   "topics": { "orders": { "partitions": 4, "compression": {"type": "zstd", "level": 3} } } }
 * </pre>
 * ({@code tiered} is bound and checked, but no tier moves data yet and no cold store plugin ships:
 * the {@code "fs"} above stands for the cold store a plugin will provide.)
 * Every key is optional. Keys of {@code defaults} not given take the built-in defaults; a topic's
 * keys override {@code defaults} (nested objects key by key; a plugin object {@code {"type": …}} and
 * the {@code indexes} list are replaced whole). A plugin may also be written as its bare name
 * ({@code "compression": "lz4"}). Relative paths ({@code dataDir}, {@code pluginDirs}) are relative
 * to the working directory.
 *
 * <p>Loading checks the JSON (strict: duplicate keys fail), every key (unknown keys fail, with a
 * suggestion), every type and range, and topic names, and throws {@link ConfigException} naming
 * {@code <file name> → json.path}, the accepted values and what was found, e.g.
 * {@code rivven.json → defaults.flush.mode: must be one of always, interval, os, got "sometimes"}.
 * Nothing touches the disk besides reading the file. {@link #validate(Plugins)} then resolves the
 * named plugins.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never prints plugin option values (they may be
 * secrets); {@link ConfigPrinter} prints the whole config with secrets masked.
 *
 * @param source     the file name used in messages ({@code rivven.json}, or {@value #EMBEDDED_SOURCE})
 * @param dataDir    where topics live ({@code dataDir}, default {@code data})
 * @param pluginDirs directories of plugin folders ({@code pluginDirs}, default {@code ["plugins"]})
 * @param io         the I/O backend ({@code io}, default {@code nio})
 * @param defaults   the settings of topics not listed in {@code topics}, and the base of those listed
 * @param tiered     tiered storage ({@link TieredConfig#DISABLED} without {@code tiered})
 * @param topics     the topics listed, in file order, with their merged settings
 */
public record RivvenConfig(String source, Path dataDir, List<Path> pluginDirs, PluginSpec io, TopicConfig defaults,
                           TieredConfig tiered, Map<String, TopicConfig> topics) {

    /** The config file looked for in the working directory when none is given. */
    public static final String DEFAULT_FILE_NAME = "rivven.json";
    /** The source name of the embedded default config. */
    public static final String EMBEDDED_SOURCE = "(embedded default)";
    /** The classpath resource (in this package) holding the embedded default config. */
    public static final String EMBEDDED_RESOURCE = "default-rivven.json";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    public RivvenConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(tiered, "tiered");
        pluginDirs = List.copyOf(pluginDirs);
        topics = Collections.unmodifiableMap(new LinkedHashMap<>(topics));
    }

    /**
     * Reads and binds a config file; messages name it by its file name.
     *
     * @throws ConfigException if the file is missing or unreadable, or the config is invalid
     */
    public static RivvenConfig load(Path file) {
        String source = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toAbsolutePath().toString(), "no such file");
        } catch (IOException | UncheckedIOException e) {
            ConfigException ce = new ConfigException(file.toAbsolutePath().toString(), "cannot read: " + e);
            ce.initCause(e);
            throw ce;
        }
        return parse(json, source);
    }

    /**
     * Binds config text.
     *
     * @param source the name used in messages, e.g. {@code rivven.json}
     * @throws ConfigException if the text is not valid JSON or the config is invalid
     */
    public static RivvenConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw syntaxError(source, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(ConfigNode.where(source, ""), "empty; a config file is a JSON object, e.g. {\"dataDir\": \"data\"}");
        }
        return ConfigBinder.bind(ConfigNode.root(source, root));
    }

    /**
     * The embedded default config ({@value #EMBEDDED_RESOURCE}): data under {@code ./data}, the
     * {@code nio} I/O backend, {@code lz4} compression, everything else the built-in defaults.
     */
    public static RivvenConfig embeddedDefault() {
        try (InputStream in = RivvenConfig.class.getResourceAsStream(EMBEDDED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + EMBEDDED_RESOURCE + " missing from io.rivven.core");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), EMBEDDED_SOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The config a command runs with: {@code explicit} when given, else {@value #DEFAULT_FILE_NAME} in
     * {@code workingDir} when present, else the {@link #embeddedDefault() embedded default}.
     *
     * @param explicit   the file named by the user (relative to {@code workingDir}), or {@code null}
     */
    public static RivvenConfig resolve(Path explicit, Path workingDir) {
        if (explicit != null) {
            return load(workingDir.resolve(explicit));
        }
        Path file = workingDir.resolve(DEFAULT_FILE_NAME);
        return Files.isRegularFile(file) ? load(file) : embeddedDefault();
    }

    /**
     * The settings of {@code topic}: its entry in {@code topics}, else {@link #defaults()}.
     *
     * @throws ConfigException if the name is not a valid topic name
     */
    public TopicConfig topic(String topic) {
        TopicConfig t = topics.get(topic);
        if (t != null) {
            return t;
        }
        TopicConfig.checkName(topic, "topic");
        return defaults;
    }

    /**
     * Resolves every plugin this config names against {@code plugins} (see {@link ConfigValidator}).
     *
     * @return this config
     * @throws ConfigException naming the path of the first unknown plugin or invalid option
     */
    public RivvenConfig validate(Plugins plugins) {
        ConfigValidator.validate(this, plugins);
        return this;
    }

    /** Jackson's note of where an unclosed object started, which it cannot locate here (see {@link #syntaxError}). */
    private static final Pattern START_MARKER = Pattern.compile(" \\(start marker at \\[Source: [^\\]]*\\]\\)");

    /** Jackson's "Unrecognized token 'abc': was expecting ...": the token is what lies between the groups. */
    private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("^(Unrecognized token ')[^']*(')");

    private static ConfigException syntaxError(String source, JacksonException e) {
        String jsonPath = "";
        boolean secret = false;
        if (e instanceof StreamReadException sre && sre.processor() instanceof JsonParser p) {
            jsonPath = contextPath(p.streamReadContext());
            String key = p.streamReadContext() == null ? null : p.streamReadContext().currentName();
            secret = key != null && PluginConfig.looksSecret(key);
        }
        TokenStreamLocation loc = e.getLocation();
        String at = loc == null || loc.getLineNr() < 1 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        String msg = e.getOriginalMessage();
        if (msg != null) {
            // Jackson adds where an unclosed object or array started, as a location it cannot print
            // (the source is not kept): "... (start marker at [Source: REDACTED ...; byte offset: #UNKNOWN])"
            msg = START_MARKER.matcher(msg).replaceAll("");
            if (secret) {
                // a secret written without its quotes: Jackson quotes the token it could not read
                msg = UNRECOGNIZED_TOKEN.matcher(msg).replaceFirst("$1" + Matcher.quoteReplacement(PluginConfig.MASK) + "$2");
            }
        }
        String problem = msg != null && msg.startsWith("Duplicate Object property")
                ? "duplicate key" + msg.substring("Duplicate Object property".length()) + "; each key may appear once"
                : "invalid JSON: " + (msg == null ? e.toString() : msg);
        ConfigException ce = new ConfigException(ConfigNode.where(source, jsonPath) + at, problem);
        if (!secret) { // Jackson's own message would show the secret
            ce.initCause(e);
        }
        return ce;
    }

    /**
     * The parser's position as a JSON path: {@code topics.orders.partitions}, {@code pluginDirs[1]}. Built
     * from the contexts rather than from a JSON pointer, which cannot tell a key of digits (topic
     * {@code "2024"}, shown {@code topics["2024"]}) from an array index.
     */
    private static String contextPath(TokenStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = contextPath(context.getParent());
        if (context.inArray()) {
            return context.hasCurrentIndex() ? parent + "[" + context.getCurrentIndex() + "]" : parent;
        }
        String name = context.currentName();
        return name == null ? parent : ConfigNode.childPath(parent, name);
    }
}
