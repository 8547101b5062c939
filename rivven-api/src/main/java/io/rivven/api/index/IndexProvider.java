package io.rivven.api.index;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.Stable;
import java.io.IOException;

/**
 * Service provider of a per-segment index type. The engine's own offset index ({@code offset})
 * and time index ({@code time}) are providers too; extra ones are listed in
 * {@code "indexes": [{"type": …}]}.
 *
 * <p>Each segment gets one index instance per type, stored in
 * {@code <base offset>.<fileSuffix()>} beside the segment's {@code .log}. Index files are derived
 * data: the engine deletes and rebuilds them from the log when they are missing, fail
 * {@link SegmentIndex#sanityCheck()} or after an unclean shutdown.
 */
@Stable
public interface IndexProvider extends PluginProvider {

    /** The file suffix without the dot, e.g. {@code "index"}; unique among index providers. */
    String fileSuffix();

    /**
     * Validates the options without opening anything. The engine calls this when it loads the
     * config so that bad options fail before anything touches disk.
     *
     * @throws io.rivven.api.ConfigException if an option is unknown, mistyped or out of range
     */
    void validate(PluginConfig config);

    /**
     * Opens (or creates, when {@link IndexContext#file()} is missing) the index of one segment.
     *
     * @throws io.rivven.api.ConfigException if an option is invalid
     * @throws IOException if the file cannot be opened or created
     */
    SegmentIndex create(IndexContext context, PluginConfig config) throws IOException;
}
