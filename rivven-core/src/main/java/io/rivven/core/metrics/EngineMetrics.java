package io.rivven.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The engine's Micrometer meters. All names start with {@code rivven.}; every meter carries the
 * engine's common tags ({@code StorageEngine.Builder.meterTags}, none by default), per-partition
 * meters {@code topic} and {@code partition} tags as well. Engines that share a registry need
 * common tags that tell them apart: otherwise they add into the same counters and timers, and a
 * partition's gauges cannot be registered twice ({@link #partitionGauges} refuses).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>rivven.append.records</td><td>counter</td><td>records appended</td></tr>
 *   <tr><td>rivven.append.bytes</td><td>counter</td><td>batch bytes appended</td></tr>
 *   <tr><td>rivven.append.latency</td><td>timer</td><td>one append call, encode + write (+ fsync with flush.mode always)</td></tr>
 *   <tr><td>rivven.read.bytes</td><td>counter</td><td>batch bytes returned by reads</td></tr>
 *   <tr><td>rivven.read.latency</td><td>timer</td><td>one read call</td></tr>
 *   <tr><td>rivven.fsync</td><td>timer</td><td>fsync count and latency</td></tr>
 *   <tr><td>rivven.log.segments</td><td>gauge</td><td>segments per partition</td></tr>
 *   <tr><td>rivven.log.bytes</td><td>gauge</td><td>log bytes per partition</td></tr>
 *   <tr><td>rivven.recovery.time</td><td>timer</td><td>time spent recovering partitions at open</td></tr>
 *   <tr><td>rivven.recovery.truncated.bytes</td><td>summary</td><td>bytes cut off by recovery</td></tr>
 * </table>
 *
 * Thread-safe (Micrometer meters are).
 */
public final class EngineMetrics {

    private final MeterRegistry registry;
    private final Tags common;
    private final Counter appendRecords;
    private final Counter appendBytes;
    private final Timer appendLatency;
    private final Counter readBytes;
    private final Timer readLatency;
    private final Timer fsync;
    private final Timer recoveryTime;
    private final DistributionSummary truncatedBytes;

    /** Meters without common tags. */
    public EngineMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /** @param common tags every meter of this engine carries (to tell engines sharing {@code registry} apart) */
    public EngineMetrics(MeterRegistry registry, Iterable<Tag> common) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = Tags.of(Objects.requireNonNull(common, "common"));
        appendRecords = Counter.builder("rivven.append.records").tags(this.common).description("records appended").register(registry);
        appendBytes = Counter.builder("rivven.append.bytes").tags(this.common).baseUnit("bytes").description("batch bytes appended")
                .register(registry);
        appendLatency = Timer.builder("rivven.append.latency").tags(this.common).description("append call latency")
                .publishPercentiles(0.5, 0.99, 0.999).register(registry);
        readBytes = Counter.builder("rivven.read.bytes").tags(this.common).baseUnit("bytes").description("batch bytes read")
                .register(registry);
        readLatency = Timer.builder("rivven.read.latency").tags(this.common).description("read call latency")
                .publishPercentiles(0.5, 0.99, 0.999).register(registry);
        fsync = Timer.builder("rivven.fsync").tags(this.common).description("fsync latency").publishPercentiles(0.5, 0.99)
                .register(registry);
        recoveryTime = Timer.builder("rivven.recovery.time").tags(this.common).description("partition recovery time")
                .register(registry);
        truncatedBytes = DistributionSummary.builder("rivven.recovery.truncated.bytes").tags(this.common).baseUnit("bytes")
                .description("bytes truncated by recovery").register(registry);
    }

    /** Metrics into a fresh {@link SimpleMeterRegistry}. */
    public static EngineMetrics simple() {
        return new EngineMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void appended(int records, long bytes, long nanos) {
        appendRecords.increment(records);
        appendBytes.increment(bytes);
        appendLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void read(long bytes, long nanos) {
        readBytes.increment(bytes);
        readLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void fsynced(long nanos) {
        fsync.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void recovered(long nanos, long truncated) {
        recoveryTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        truncatedBytes.record(truncated);
    }

    /**
     * Registers the per-partition gauges of {@code log}; returns them so that {@link #remove} can
     * drop them when the partition is deleted or closed.
     *
     * @throws IllegalStateException if the registry holds them already: another engine on the same
     *         registry with the same common tags has this partition open (Micrometer would hand back
     *         its gauge, which reports the other log, and which goes when that engine closes)
     */
    public <T> List<Meter> partitionGauges(String topic, int partition, T log,
                                           ToDoubleFunction<T> segments, ToDoubleFunction<T> bytes) {
        Tags tags = common.and("topic", topic, "partition", Integer.toString(partition));
        for (String name : List.of("rivven.log.segments", "rivven.log.bytes")) {
            if (registry.find(name).tags(tags).meter() != null) {
                throw new IllegalStateException("the meter registry already has " + name + tags + " of another engine with"
                        + " the same partition; give each engine sharing a registry its own tags"
                        + " (StorageEngine.builder(config).meterTags(\"engine\", \"<name>\"))");
            }
        }
        List<Meter> meters = new ArrayList<>(2);
        meters.add(Gauge.builder("rivven.log.segments", log, segments).tags(tags).description("segments").register(registry));
        meters.add(Gauge.builder("rivven.log.bytes", log, bytes).tags(tags).baseUnit("bytes").description("log bytes").register(registry));
        return meters;
    }

    public void remove(List<Meter> meters) {
        meters.forEach(registry::remove);
    }
}
