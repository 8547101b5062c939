package io.rivven.core.config;

/** When appended data is forced to disk: {@code "flush": {"mode": "always" | "interval" | "os"}}. */
public enum FlushMode {
    /** fsync before an append is acknowledged: what is acknowledged survives a crash or power loss. */
    ALWAYS("always"),
    /** Group commit: fsync every {@code intervalMs} (or {@code intervalBytes}); waiting appends are released together. */
    INTERVAL("interval"),
    /** Never fsync explicitly: the operating system writes the page cache back when it likes. */
    OS("os");

    private final String jsonName;

    FlushMode(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The value in the config file. */
    public String jsonName() {
        return jsonName;
    }
}
