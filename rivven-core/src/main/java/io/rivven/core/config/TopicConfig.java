package io.rivven.core.config;

import io.rivven.api.ConfigException;
import io.rivven.core.plugin.PluginSpec;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings of one topic: {@code "defaults"} or an entry of {@code "topics"}, with the per-topic
 * keys already merged over the defaults (nested objects key by key; a plugin object or the
 * {@code indexes} list replaced whole).
 *
 * @param partitions    the partition count of a topic created from this config (1..{@value #MAX_PARTITIONS}, default 1)
 * @param compression   the codec batches are written with (default {@code none}); reading uses the
 *                      codec id stored in each batch
 * @param segment       segment rolling and index spacing
 * @param retention     time and size retention
 * @param cleanupPolicy delete, compact or both (default delete)
 * @param flush         durability
 * @param indexes       extra index types beyond the built-in offset and time indexes (default none)
 */
public record TopicConfig(int partitions, PluginSpec compression, SegmentConfig segment, RetentionConfig retention,
                          CleanupPolicy cleanupPolicy, FlushConfig flush, List<PluginSpec> indexes) {

    /** The largest partition count. */
    public static final int MAX_PARTITIONS = 100_000;
    /** The longest topic name (as Kafka). */
    public static final int MAX_NAME_LENGTH = 249;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");

    public TopicConfig {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(flush, "flush");
        indexes = List.copyOf(indexes);
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions " + partitions + " not in 1.." + MAX_PARTITIONS);
        }
    }

    /** The built-in defaults, used for every key {@code "defaults"} does not set. */
    public static TopicConfig builtIn(String source) {
        return new TopicConfig(1, PluginSpec.of("none", source + " → defaults.compression"), SegmentConfig.DEFAULTS,
                RetentionConfig.DEFAULTS, CleanupPolicy.DELETE, FlushConfig.DEFAULTS, List.of());
    }

    /** This config with another partition count (e.g. {@code rivven topics create T --partitions N}). */
    public TopicConfig withPartitions(int n) {
        return new TopicConfig(n, compression, segment, retention, cleanupPolicy, flush, indexes);
    }

    /**
     * Whether {@code name} is a valid topic name: 1-{@value #MAX_NAME_LENGTH} characters from
     * {@code [A-Za-z0-9._-]}, not {@code .} or {@code ..}, not starting with {@code __} (reserved for
     * internal topics such as {@code __consumer_offsets}). Topic names are directory names.
     */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..")
                && !name.startsWith("__");
    }

    /**
     * Checks a topic name.
     *
     * @param where where it came from ({@code source → json.path}, or e.g. {@code --topic})
     * @throws ConfigException naming the rule it breaks
     */
    public static String checkName(String name, String where) {
        if (!isValidName(name)) {
            String shown = name == null ? "null" : "\"" + name + "\"";
            String why = name != null && name.startsWith("__") ? "names starting with __ are reserved for internal topics"
                    : "a topic name is 1-" + MAX_NAME_LENGTH + " characters from A-Z a-z 0-9 . _ - and not \".\" or \"..\"";
            throw new ConfigException(where, "invalid topic name " + shown + ": " + why);
        }
        return name;
    }
}
