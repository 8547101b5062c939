package io.rivven.api.io;

import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.Stable;

/**
 * Service provider of an I/O backend (FileChannel, memory-mapped, io_uring…), chosen by
 * {@code "io": {"type": …}} in the config.
 */
@Stable
public interface IoBackendProvider extends PluginProvider {

    /**
     * Whether this backend can run here (kernel version, permissions, native library). Cheap and
     * side-effect free; the engine asks before {@link #create}.
     */
    boolean isSupported();

    /** Why {@link #isSupported()} is false, for the error message; empty when supported. */
    default String unsupportedReason() {
        return "";
    }

    /**
     * Creates a configured backend.
     *
     * @throws io.rivven.api.ConfigException if an option is unknown, mistyped or out of range
     * @throws UnsupportedOperationException if the backend cannot run here
     */
    IoBackend create(PluginConfig config);
}
