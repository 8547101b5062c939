package io.rivven.api.tier;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.Stable;

/**
 * Service provider of a cold object store (a directory, S3, GCS, Azure Blob…), chosen by
 * {@code "tiered": {"cold": {"type": …}}}.
 */
@Stable
public interface ColdStoreProvider extends PluginProvider {

    /**
     * Creates a configured store. Does not contact the service: connection problems surface on
     * the first operation as {@link java.io.IOException}.
     *
     * @throws io.rivven.api.ConfigException if an option is unknown, mistyped, out of range or missing
     */
    ColdStore create(PluginConfig config);
}
