package io.rivven.io.nio;

import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;

/**
 * Provider of the {@code nio} I/O backend: {@code "io": {"type": "nio"}}.
 *
 * <p>Options: none. Any key in the config object is rejected with a
 * {@link io.rivven.api.ConfigException} naming it, so a misspelt option never goes unnoticed.
 *
 * <p>Supported everywhere a JVM runs ({@link java.nio.channels.FileChannel} needs nothing from the
 * platform). Stateless and thread-safe, as every provider.
 */
public final class NioBackendProvider implements IoBackendProvider {

    /** The name written in config files. */
    public static final String NAME = "nio";

    /** Public no-arg constructor for {@link java.util.ServiceLoader}; does no I/O. */
    public NioBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "FileChannel: gathering appends, positional reads, transferTo (sendfile), force (fsync/fdatasync)";
    }

    /** Always true: {@code FileChannel} works on every platform. */
    @Override
    public boolean isSupported() {
        return true;
    }

    /**
     * @throws io.rivven.api.ConfigException if {@code config} holds any option (this backend has none)
     */
    @Override
    public IoBackend create(PluginConfig config) {
        config.requireOnly();
        return new NioBackend();
    }
}
