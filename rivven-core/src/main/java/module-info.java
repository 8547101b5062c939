/**
 * Rivven's engine: the partitioned log ({@code io.rivven.core.log}: {@code StorageEngine},
 * {@code PartitionLog}), record batches (Kafka RecordBatch v2), the built-in offset and time
 * indexes, plugin registries, configuration and metrics.
 */
module io.rivven.core {
    requires transitive io.rivven.api;
    requires tools.jackson.databind;
    requires transitive micrometer.core;

    exports io.rivven.core.config;
    exports io.rivven.core.plugin;
    exports io.rivven.core.record;
    exports io.rivven.core.format.v2;
    exports io.rivven.core.log;
    exports io.rivven.core.metrics;
    exports io.rivven.core.index to io.rivven.cli, io.rivven.bench;

    uses io.rivven.api.codec.CodecProvider;
    uses io.rivven.api.io.IoBackendProvider;
    uses io.rivven.api.tier.ColdStoreProvider;
    uses io.rivven.api.index.IndexProvider;

    provides io.rivven.api.codec.CodecProvider with io.rivven.core.codec.NoneCodecProvider;
    provides io.rivven.api.index.IndexProvider with io.rivven.core.index.OffsetIndexProvider, io.rivven.core.index.TimeIndexProvider;
}
