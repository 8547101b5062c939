package io.rivven.core.config;

/** What happens to old data of a topic: {@code "cleanupPolicy": "delete" | "compact" | "both"}. */
public enum CleanupPolicy {
    /** Whole closed segments are deleted by {@code retention.ms} / {@code retention.bytes}. */
    DELETE("delete"),
    /** Closed segments are compacted: the latest value per key wins. */
    COMPACT("compact"),
    /** Compacted, and deleted by retention too (Kafka's {@code compact,delete}). */
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
