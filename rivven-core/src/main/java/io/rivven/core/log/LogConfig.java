package io.rivven.core.log;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.index.IndexProvider;
import io.rivven.core.config.FlushConfig;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.SegmentConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one partition's log needs to know, resolved from the topic's effective configuration: all
 * plugins already created or looked up, all values validated.
 *
 * @param segmentBytes       roll when the active segment would exceed this
 * @param segmentMs          roll when the active segment's first append is older than this (ms; {@code Long.MAX_VALUE} = never),
 *                           or a batch's timestamp lies more than this past the first batch's (Kafka's rule)
 * @param indexIntervalBytes log bytes between sparse index entries
 * @param indexMaxBytes      the size index files are preallocated to; roll when one is full
 * @param preallocateBytes   how far ahead of the active segment's end to reserve log space (0 = never;
 *                           the engine passes {@code segment.preallocateBytes} with flush mode
 *                           {@code os} only)
 * @param retentionMs        delete closed segments whose newest record is older than this (-1 = keep)
 * @param retentionBytes     delete the oldest closed segments while the log is larger than this (-1 = keep)
 * @param flushMode          when appends become durable
 * @param flushIntervalMs    group commit: fsync at least this often (mode {@code interval})
 * @param flushIntervalBytes group commit: fsync once this many bytes are unflushed (mode {@code interval})
 * @param codec              the codec record appends are compressed with
 * @param indexes            index types, built-in offset and time first, then plugin indexes
 * @param maxBatchBytes      ready batches larger than this are refused
 * @param contiguousOffsets  whether every batch of a segment must start right after the previous
 *                           one (the first at the segment's base offset), as in a log that is never
 *                           compacted ({@code cleanupPolicy} {@code delete}). Recovery and
 *                           {@code rivven verify} then also catch a damaged base offset, which the
 *                           batch CRC does not cover; compacted logs have gaps, so for them offsets
 *                           only have to increase
 */
public record LogConfig(long segmentBytes, long segmentMs, int indexIntervalBytes, int indexMaxBytes,
                        long preallocateBytes, long retentionMs, long retentionBytes, FlushMode flushMode, long flushIntervalMs,
                        long flushIntervalBytes, Codec codec, List<IndexSpec> indexes, int maxBatchBytes,
                        boolean contiguousOffsets) {

    /** One index type with its options. */
    public record IndexSpec(IndexProvider provider, PluginConfig config) {
        public IndexSpec {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(config, "config");
        }
    }

    /** The smallest segment size accepted (as the config's {@code segment.bytes}). */
    public static final long MIN_SEGMENT_BYTES = 64;
    /** The smallest index file: two 12-byte time-index entries (one is kept free for the final entry); the config's bound. */
    public static final int MIN_INDEX_BYTES = SegmentConfig.MIN_INDEX_BYTES;
    /** Positions in index entries are int32: a segment can never be larger. */
    public static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE;

    public LogConfig {
        Objects.requireNonNull(flushMode, "flushMode");
        Objects.requireNonNull(codec, "codec");
        indexes = List.copyOf(indexes);
        if (indexes.size() < 2 || !indexes.get(0).provider().name().equals("offset")
                || !indexes.get(1).provider().name().equals("time")) {
            throw new IllegalArgumentException("indexes must start with the built-in 'offset' and 'time' indexes");
        }
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes " + segmentBytes + " outside " + MIN_SEGMENT_BYTES + ".." + MAX_SEGMENT_BYTES);
        }
        if (preallocateBytes < 0) {
            throw new IllegalArgumentException("preallocateBytes " + preallocateBytes + " is negative");
        }
        if (indexIntervalBytes <= 0 || indexMaxBytes < MIN_INDEX_BYTES || maxBatchBytes < 64) {
            throw new IllegalArgumentException("index or batch limits out of range: indexIntervalBytes " + indexIntervalBytes
                    + ", indexMaxBytes " + indexMaxBytes + " (at least " + MIN_INDEX_BYTES + "), maxBatchBytes " + maxBatchBytes);
        }
    }

    /**
     * Resolves a topic's effective config into a {@link LogConfig}: creates its codec, looks up its
     * index plugins in {@code plugins} (each validates its options) and applies the engine's rules
     * (commented below). The engine resolves every configured topic this way before touching disk.
     *
     * @throws io.rivven.api.ConfigException if a plugin is unknown ({@link io.rivven.core.plugin.PluginNotFoundException})
     *         or rejects its options
     */
    static LogConfig resolve(TopicConfig tc, Plugins plugins) {
        List<IndexSpec> indexes = new ArrayList<>();
        indexes.add(builtInIndex("offset", plugins));
        indexes.add(builtInIndex("time", plugins));
        for (PluginSpec spec : tc.indexes()) {
            IndexProvider p = plugins.indexes().get(spec);
            PluginConfig options = plugins.indexes().configOf(spec);
            p.validate(options);
            indexes.add(new IndexSpec(p, options));
        }
        FlushConfig flush = tc.flush();
        // log space is reserved for page-cache appends only: under fsyncs, ext4 converting the
        // reserved (unwritten) extents at each fsync costs more than the reservation saves
        // (group commit, 100 KiB batches: 0.38 GB/s with, 0.42-0.44 without)
        long preallocate = flush.mode() == FlushMode.OS ? tc.segment().preallocateBytes() : 0;
        // as in Kafka, retention applies to the delete policies only: a compact-only topic keeps its segments
        boolean retains = tc.cleanupPolicy().deletes();
        return new LogConfig(tc.segment().bytes(), tc.segment().ms(), tc.segment().indexIntervalBytes(),
                tc.segment().indexMaxBytes(), preallocate,
                retains ? tc.retention().ms() : -1, retains ? tc.retention().bytes() : -1, flush.mode(),
                flush.intervalMs(), flush.intervalBytes() < 0 ? Long.MAX_VALUE : flush.intervalBytes(),
                plugins.codecs().create(tc.compression()), indexes, RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE,
                !tc.cleanupPolicy().compacts());
    }

    private static IndexSpec builtInIndex(String name, Plugins plugins) {
        return new IndexSpec(plugins.indexes().get(name, "built-in index"), PluginConfig.empty("built-in index " + name));
    }
}
