package io.rivven.core.index;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import java.io.IOException;

/**
 * The built-in {@code time} index type: {@code <base offset>.timeindex} files of 12-byte entries
 * (see {@link TimeIndex}). Takes no options. Stateless and thread-safe.
 */
public final class TimeIndexProvider implements IndexProvider {

    public static final String NAME = "time";
    public static final String FILE_SUFFIX = "timeindex";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String fileSuffix() {
        return FILE_SUFFIX;
    }

    @Override
    public String description() {
        return "timestamp -> offset, 12-byte entries every indexIntervalBytes (Kafka .timeindex)";
    }

    @Override
    public void validate(PluginConfig config) {
        config.requireOnly();
    }

    /** Opens or creates the segment's {@code .timeindex}; see {@link TimeIndex#open}. */
    @Override
    public TimeIndex create(IndexContext context, PluginConfig config) throws IOException {
        validate(config);
        return TimeIndex.open(context);
    }
}
