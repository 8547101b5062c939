/**
 * The {@code nio} I/O backend: segment files through {@link java.nio.channels.FileChannel}
 * (gathering writes, positional reads, {@code transferTo}/sendfile, {@code force}). Runs everywhere;
 * the engine's default. Exports nothing: it is found through its provider.
 */
module io.rivven.io.nio {
    requires io.rivven.api;

    provides io.rivven.api.io.IoBackendProvider with io.rivven.io.nio.NioBackendProvider;
}
