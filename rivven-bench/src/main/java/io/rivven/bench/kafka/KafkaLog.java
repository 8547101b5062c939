package io.rivven.bench.kafka;

import io.rivven.bench.workload.Workload;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.common.RequestLocal;
import org.apache.kafka.server.util.KafkaScheduler;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogAppendInfo;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.apache.kafka.storage.internals.log.UnifiedLog;
import org.apache.kafka.storage.internals.log.VerificationGuard;
import org.apache.kafka.storage.log.metrics.BrokerTopicStats;

/**
 * One partition of Kafka's storage layer (kafka-storage 4.3): a real {@link UnifiedLog} in
 * {@code <parent>/bench-0}, with what a broker's {@code LogManager} would give it, and nothing of a
 * broker beyond that (no replication, no request handling).
 *
 * <p>How it is built (the 4.3.1 factory, found with {@code javap}):
 * <pre>
 * UnifiedLog.create(File dir, LogConfig config, long logStartOffset, long recoveryPoint,
 *                   Scheduler scheduler, BrokerTopicStats brokerTopicStats, Time time,
 *                   int maxTransactionTimeoutMs, ProducerStateManagerConfig producerStateManagerConfig,
 *                   int producerIdExpirationCheckIntervalMs, LogDirFailureChannel logDirFailureChannel,
 *                   boolean lastShutdownClean, Optional&lt;Uuid&gt; topicId)
 * </pre>
 * with a started {@code KafkaScheduler(2)}, {@code new BrokerTopicStats()}, {@code Time.SYSTEM},
 * 900,000 ms (the broker's {@code transaction.max.timeout.ms}), {@code new
 * ProducerStateManagerConfig(86_400_000, false)}, 600,000 ms, {@code new LogDirFailureChannel(1)} and a
 * fixed topic id. The {@link LogConfig} is the broker's defaults except: {@code segment.bytes} as
 * asked, {@code retention.ms = -1}, {@code max.message.bytes = 64 MiB},
 * {@code message.timestamp.before/after.max.ms = Long.MAX_VALUE} (the workload's timestamps are
 * fixed dates) and, as in Kafka's defaults, {@code flush.messages = flush.ms = Long.MAX_VALUE}
 * (no fsync on the append path: Rivven's flush mode {@code os}), {@code index.interval.bytes = 4096},
 * {@code segment.index.bytes = 10 MiB}, {@code compression.type = producer}.
 *
 * <p>Appends go through {@code appendAsLeader(records, leaderEpoch 0, AppendOrigin.CLIENT,
 * RequestLocal.withThreadConfinedCaching(), VerificationGuard.SENTINEL, (short) -1)}: the path of a
 * produce request on a broker (LogValidator: per-record validation, decompression of compressed
 * batches, offset assignment in place), with a thread-confined buffer cache as a broker's request
 * handler thread has.
 *
 * <p>Rivven's flush mode {@code interval} (group commit by time) is modelled as Kafka's
 * {@code flush.ms} is carried out by a broker: a background task on the scheduler calls
 * {@code log.flush(false)} (fsync of the log segments and their indexes up to the log end) every
 * {@code intervalMs}; see {@link #startFlusher(long)}.
 *
 * <p>Not thread-safe beyond what {@link UnifiedLog} itself allows: one appending thread.
 */
public final class KafkaLog implements AutoCloseable {

    /** The topic of the benchmark partition; the log directory is {@code bench-0}. */
    public static final String TOPIC = "bench";
    private static final Uuid TOPIC_ID = new Uuid(0x5217_7E4D_0001L, 0x0000_0000_0000_0001L);

    private final File dir;
    private final KafkaScheduler scheduler;
    private final BrokerTopicStats stats;
    private final UnifiedLog log;
    private final RequestLocal requestLocal = RequestLocal.withThreadConfinedCaching();
    private ScheduledFuture<?> flusher;

    private KafkaLog(File dir, KafkaScheduler scheduler, BrokerTopicStats stats, UnifiedLog log) {
        this.dir = dir;
        this.scheduler = scheduler;
        this.stats = stats;
        this.log = log;
    }

    /** The log config described in the class comment, with segments of {@code segmentBytes}. */
    public static LogConfig config(int segmentBytes) {
        Map<String, Object> props = new HashMap<>();
        props.put(TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes);
        props.put(TopicConfig.RETENTION_MS_CONFIG, -1L);
        props.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, 64 << 20);
        props.put(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.MAX_VALUE);
        props.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.MAX_VALUE);
        props.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Long.MAX_VALUE);
        props.put(TopicConfig.FLUSH_MS_CONFIG, Long.MAX_VALUE);
        props.put(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 4096);
        props.put(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 10 << 20);
        props.put(TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");
        return new LogConfig(props);
    }

    /** A new, empty log in {@code parent/bench-0}. */
    public static KafkaLog create(Path parent, int segmentBytes) {
        return open(parent, segmentBytes, true, 0L);
    }

    /**
     * Opens the log in {@code parent/bench-0} as a broker does at start. With
     * {@code lastShutdownClean = false} Kafka's {@code LogLoader} recovers every segment from
     * {@code recoveryPoint} on: validates each batch (CRC, offsets), rebuilds the offset, time and
     * transaction indexes and truncates at the first invalid batch.
     */
    public static KafkaLog open(Path parent, int segmentBytes, boolean lastShutdownClean, long recoveryPoint) {
        File dir = parent.resolve(TOPIC + "-0").toFile();
        KafkaScheduler scheduler = new KafkaScheduler(2, true, "kafka-bench-scheduler-");
        scheduler.startup();
        BrokerTopicStats stats = new BrokerTopicStats();
        try {
            UnifiedLog log = UnifiedLog.create(dir, config(segmentBytes), 0L, recoveryPoint, scheduler, stats,
                    Time.SYSTEM, 900_000, new ProducerStateManagerConfig(86_400_000, false), 600_000,
                    new LogDirFailureChannel(1), lastShutdownClean, Optional.of(TOPIC_ID));
            return new KafkaLog(dir, scheduler, stats, log);
        } catch (IOException | RuntimeException e) {
            shutdown(scheduler);
            stats.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot open Kafka log " + dir, io)
                    : (RuntimeException) e;
        }
    }

    public UnifiedLog log() {
        return log;
    }

    public File dir() {
        return dir;
    }

    /** Appends a producer's batch(es) as the partition leader would (see the class comment). */
    public LogAppendInfo append(MemoryRecords records) {
        return log.appendAsLeader(records, 0, AppendOrigin.CLIENT, requestLocal, VerificationGuard.SENTINEL,
                (short) -1);
    }

    /**
     * Appends batches {@code 0 .. count-1} of a pass, each encoded with its own timestamps, so the
     * log's offsets and timestamps both increase (setup helper; offset {@code o} has timestamp
     * {@code Workload.BASE_TIMESTAMP + o}).
     */
    public void appendPass(KafkaBatches batches, long count) {
        ByteBuffer buffer = ByteBuffer.allocate(batches.batchBufferCapacity());
        for (long b = 0; b < count; b++) {
            append(batches.encode(b, buffer));
        }
    }

    public long logEndOffset() {
        return log.logEndOffset();
    }

    /** fsyncs the log segments and indexes up to the log end ({@code UnifiedLog.flush(false)}). */
    public void flush() {
        log.flush(false);
    }

    /**
     * Starts group commit by time: {@link #flush()} every {@code intervalMs} on the scheduler, as a
     * broker's {@code LogManager} carries out {@code flush.ms}. Appends never wait for it.
     */
    public void startFlusher(long intervalMs) {
        if (flusher != null) {
            throw new IllegalStateException("flusher already started for " + dir);
        }
        flusher = scheduler.schedule("rivven-bench-flusher", this::flush, intervalMs, intervalMs);
    }

    /** Closes the log cleanly (trims indexes, writes a producer snapshot); the files stay. */
    @Override
    public void close() {
        if (flusher != null) {
            flusher.cancel(false);
        }
        shutdown(scheduler); // waits for a flush in progress
        try {
            log.close();
        } finally {
            requestLocal.close();
            stats.close();
        }
    }

    private static void shutdown(KafkaScheduler scheduler) {
        try {
            scheduler.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
