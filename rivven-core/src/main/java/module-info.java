/**
 * Rivven's engine: record batches (Kafka RecordBatch v2), plugin registries, configuration and,
 * in later packages, the log, tiering, compaction and consumer groups.
 */
module io.rivven.core {
    requires transitive io.rivven.api;
    requires tools.jackson.databind;
    requires micrometer.core;

    exports io.rivven.core.config;
    exports io.rivven.core.plugin;
    exports io.rivven.core.record;
    exports io.rivven.core.format.v2;

    uses io.rivven.api.codec.CodecProvider;
    uses io.rivven.api.io.IoBackendProvider;
    uses io.rivven.api.tier.ColdStoreProvider;
    uses io.rivven.api.index.IndexProvider;

    provides io.rivven.api.codec.CodecProvider with io.rivven.core.codec.NoneCodecProvider;
    provides io.rivven.api.index.IndexProvider with io.rivven.core.index.OffsetIndexProvider, io.rivven.core.index.TimeIndexProvider;
}
