package io.rivven.io.nio;

import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.testkit.IoBackendContract;
import java.util.Map;

/**
 * The whole I/O backend contract again with every file read through a memory mapping from its
 * first byte ({@code mmapReadsFromBytes} 0), so that mapped reads meet everything channel reads
 * meet: growing files, truncation, readers beside a writer, interrupts, close.
 */
class NioMappedReadsContractTest extends IoBackendContract {

    @Override
    protected IoBackendProvider provider() {
        return new NioBackendProvider();
    }

    @Override
    protected PluginConfig config() {
        return PluginConfig.of("contract → io", Map.of(NioBackendProvider.MMAP_READS_FROM_BYTES, 0));
    }
}
