package io.rivven.io.nio;

import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;

/**
 * Provider of the {@code nio} I/O backend: {@code "io": {"type": "nio"}}.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code mmapReadsFromBytes} (integer, default 1048576; -1 to turn it off; off by default on
 *       Windows, where a mapped file cannot be renamed or deleted): a file that holds at least this
 *       many bytes serves positional reads from a read-only memory mapping instead of {@code pread}
 *       (see {@link MappedReads}).</li>
 * </ul>
 * Any other key is rejected with a {@link io.rivven.api.ConfigException} naming it, so a misspelt
 * option never goes unnoticed.
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
        return "FileChannel: gathering appends, positional reads (memory-mapped from 1 MiB), transferTo (sendfile), force (fsync/fdatasync)";
    }

    /** Always true: {@code FileChannel} works on every platform. */
    @Override
    public boolean isSupported() {
        return true;
    }

    /** The option that sets from which size files are read through a mapping. */
    public static final String MMAP_READS_FROM_BYTES = "mmapReadsFromBytes";

    /**
     * @throws io.rivven.api.ConfigException if {@code config} holds an unknown option or a value out of range
     */
    @Override
    public IoBackend create(PluginConfig config) {
        config.requireOnly(MMAP_READS_FROM_BYTES);
        long fromBytes = config.getLong(MMAP_READS_FROM_BYTES, Os.WINDOWS ? -1 : MappedReads.DEFAULT_FROM_BYTES, -1,
                Long.MAX_VALUE);
        return new NioBackend(fromBytes);
    }
}
