package io.rivven.bench.rivven;

import io.rivven.bench.workload.Workload;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.AppendResult;
import io.rivven.core.log.LogFiles;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One partition of Rivven's engine, the counterpart of {@link io.rivven.bench.kafka.KafkaLog}: a
 * {@link StorageEngine} whose data directory is {@code <parent>/data}, holding the one-partition
 * topic {@value #TOPIC} (partition directory {@code <parent>/data/topics/bench/partition-0}).
 *
 * <p>The engine is opened from config JSON ({@link #configJson}) bound by {@link RivvenConfig#parse},
 * set like Kafka's side: {@code segment.bytes} as asked, {@code segment.indexIntervalBytes} 4096
 * and {@code segment.indexMaxBytes} 10 MiB (Kafka's {@code index.interval.bytes} and
 * {@code segment.index.bytes}), no retention, the topic's codec at its default level, the
 * {@code nio} I/O backend, no plugin directory (codecs and the backend come from the class path),
 * and {@code flush.mode}:
 * <ul>
 *   <li>{@code os}: no fsync while appending (Kafka's default {@code flush.ms}).</li>
 *   <li>{@code interval}: the engine's group commit: its scheduler fsyncs the partition every
 *       {@code flush.intervalMs} while appends go on; an append's {@link AppendResult#durable()}
 *       completes at the first fsync after it.</li>
 * </ul>
 * The plugins are loaded once per JVM ({@link RivvenBatches#plugins()}) and handed to the engine,
 * as Kafka's side does not count the broker's start either.
 *
 * <p>Not thread-safe beyond what {@link PartitionLog} allows.
 */
public final class RivvenLog implements AutoCloseable {

    /** The topic of the benchmark partition. */
    public static final String TOPIC = "bench";

    private final Path parent;
    private final RivvenConfig config;
    private final StorageEngine engine;
    private final PartitionLog partition;

    private RivvenLog(Path parent, RivvenConfig config, StorageEngine engine) {
        this.parent = parent;
        this.config = config;
        this.engine = engine;
        this.partition = engine.partition(TOPIC, 0);
    }

    /**
     * The engine config of the class comment.
     *
     * @param flush {@code os} or {@code interval} (the benchmark parameter, which names Rivven's flush.mode)
     */
    public static String configJson(Path parent, String codec, int segmentBytes, String flush, long flushIntervalMs) {
        return String.format(Locale.ROOT, """
                {
                  "dataDir": "%s",
                  "pluginDirs": [],
                  "io": {"type": "nio"},
                  "defaults": {
                    "compression": {"type": "%s"},
                    "segment": {"bytes": %d, "indexIntervalBytes": 4096, "indexMaxBytes": %d},
                    "retention": {"ms": -1, "bytes": -1},
                    "flush": {"mode": "%s", "intervalMs": %d}
                  },
                  "topics": {"%s": {"partitions": 1}}
                }
                """, json(dataDir(parent).toAbsolutePath().toString()), codec, segmentBytes, 10 << 20, flush,
                flushIntervalMs, TOPIC);
    }

    /** The config of {@link #configJson}, bound. */
    public static RivvenConfig config(Path parent, String codec, int segmentBytes, String flush, long flushIntervalMs) {
        return RivvenConfig.parse(configJson(parent, codec, segmentBytes, flush, flushIntervalMs), "rivven-bench.json");
    }

    /** Opens (creating when missing) the engine under {@code parent}. */
    public static RivvenLog open(Path parent, String codec, int segmentBytes, String flush, long flushIntervalMs) {
        return open(parent, config(parent, codec, segmentBytes, flush, flushIntervalMs));
    }

    /** Opens the engine of {@code config} (made by {@link #config}) under {@code parent}. */
    public static RivvenLog open(Path parent, RivvenConfig config) {
        try {
            StorageEngine engine = StorageEngine.builder(config).plugins(RivvenBatches.plugins()).open();
            return new RivvenLog(parent, config, engine);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open Rivven's engine under " + parent, e);
        }
    }

    /** {@code <parent>/data}. */
    public static Path dataDir(Path parent) {
        return parent.resolve("data");
    }

    /** {@code <parent>/data/topics/bench/partition-0}. */
    public static Path partitionDir(Path parent) {
        return dataDir(parent).resolve("topics").resolve(TOPIC).resolve(LogFiles.partitionDirName(0));
    }

    public StorageEngine engine() {
        return engine;
    }

    public PartitionLog partition() {
        return partition;
    }

    public RivvenConfig config() {
        return config;
    }

    public Path parent() {
        return parent;
    }

    public long highWatermark() {
        return partition.highWatermark();
    }

    /**
     * Appends batches {@code 0 .. count-1} of a pass with the engine's append of records (setup
     * helper), so offset {@code o} has timestamp {@code Workload.BASE_TIMESTAMP + o}; waits until
     * the last one is durable.
     */
    public void appendPass(RivvenBatches batches, long count) {
        List<Record> records = new ArrayList<>(batches.workload().recordsPerBatch());
        AppendResult last = null;
        for (long b = 0; b < count; b++) {
            last = partition.append(batches.records(b, records));
        }
        if (last != null) {
            last.durable().join();
        }
    }

    /** Closes the engine cleanly (flush, checkpoints, clean-shutdown marker); the files stay. */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close Rivven's engine under " + parent, e);
        }
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
