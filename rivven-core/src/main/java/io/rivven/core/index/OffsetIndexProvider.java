package io.rivven.core.index;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import java.io.IOException;

/**
 * The built-in {@code offset} index type: {@code <base offset>.index} files of 8-byte entries
 * (see {@link OffsetIndex}). Takes no options. Stateless and thread-safe.
 */
public final class OffsetIndexProvider implements IndexProvider {

    public static final String NAME = "offset";
    public static final String FILE_SUFFIX = "index";

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
        return "offset -> log position, 8-byte entries every indexIntervalBytes (Kafka .index)";
    }

    @Override
    public void validate(PluginConfig config) {
        config.requireOnly();
    }

    /** Opens or creates the segment's {@code .index}; see {@link OffsetIndex#open}. */
    @Override
    public OffsetIndex create(IndexContext context, PluginConfig config) throws IOException {
        validate(config);
        return OffsetIndex.open(context);
    }
}
