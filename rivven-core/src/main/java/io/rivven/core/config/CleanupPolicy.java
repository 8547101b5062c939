package io.rivven.core.config;

/** What happens to old data of a topic: {@code "cleanupPolicy": "delete" | "compact" | "both"}. */
public enum CleanupPolicy {
    /** Whole closed segments are deleted by {@code retention.ms} / {@code retention.bytes}. */
    DELETE("delete"),
    /**
     * Kafka's {@code compact}: retention deletes nothing (its settings do not apply), and closed
     * segments are to be compacted, the latest value per key winning. Compaction is not implemented
     * yet, so today such a topic keeps everything; recovery and {@code rivven verify} accept gaps
     * between offsets, as a compacted log has them.
     */
    COMPACT("compact"),
    /** Deleted by retention, and to be compacted too (Kafka's {@code compact,delete}; compaction is not implemented yet). */
    BOTH("both");

    private final String jsonName;

    CleanupPolicy(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The value in the config file. */
    public String jsonName() {
        return jsonName;
    }

    /** Whether retention deletes segments. */
    public boolean deletes() {
        return this != COMPACT;
    }

    /** Whether segments are compacted. */
    public boolean compacts() {
        return this != DELETE;
    }
}
