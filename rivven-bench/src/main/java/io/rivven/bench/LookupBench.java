package io.rivven.bench;

import io.rivven.api.index.IndexContext;
import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.rivven.RivvenLog;
import io.rivven.bench.workload.Workload;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.index.OffsetIndex;
import io.rivven.core.index.TimeIndex;
import io.rivven.core.log.FetchResult;
import io.rivven.core.log.LogFiles;
import io.rivven.core.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.storage.internals.log.LogSegment;
import org.apache.kafka.storage.internals.log.OffsetPosition;
import org.apache.kafka.storage.internals.log.OffsetResultHolder;
import org.apache.kafka.storage.internals.log.TimestampOffset;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 3 (d): offset and timestamp lookup latency in a multi-segment log, one thread.
 *
 * <p>Before the trial (not timed) a log is written with one pass of {@code totalMiB} in segments of
 * {@code segmentMiB} (9 segments with the defaults, 8 of them full, as batch framing makes the log
 * 1% larger than the payload; an offset index entry per 100 KiB batch, since batches exceed
 * {@code index.interval.bytes = 4096}). Record {@code o} of that log has offset
 * {@code o} and timestamp {@code Workload.BASE_TIMESTAMP + o}. <b>Unit:</b> {@code us/op} in
 * sample mode: JMH reports the distribution; p50 and p99 are the numbers compared. Each op looks up
 * the next of 65,536 precomputed uniformly random targets (seeded, same list for every twin).
 *
 * <ul>
 *   <li>{@code kafkaOffsetLookup}: random offset → the segment holding it (floor lookup in a
 *       {@code ConcurrentSkipListMap} of base offsets, the structure of Kafka's {@code LogSegments})
 *       → {@code LogSegment.translateOffset(offset)}: binary search of the mapped offset index, then
 *       a scan of batch headers from the index position (positional reads of the segment file) to
 *       the batch holding the offset. Result: that batch's position and size. This is the lookup at
 *       the start of every fetch.</li>
 *   <li>{@code kafkaTimestampLookup}: random timestamp → {@code UnifiedLog.fetchOffsetByTimestamp(ts,
 *       Optional.empty())} (a ListOffsets request): first segment whose largest timestamp is
 *       {@code >= ts}, its time index, then offset index and batch scan, then the records of the
 *       batch (decompressed if compressed) to the first record with timestamp {@code >= ts}.
 *       Result: that record's offset, checked in the setup to be {@code ts - BASE_TIMESTAMP}.</li>
 *   <li>{@code kafkaOffsetIndexLookup} and {@code kafkaTimeIndexLookup}: the index alone, for
 *       Rivven's index plugins ({@code io.rivven.api.index.OffsetLookup} and {@code TimeLookup}):
 *       the segment is found as above (for a timestamp: the segment holding offset
 *       {@code ts - BASE_TIMESTAMP}), then only {@code OffsetIndex.lookup(offset)} or
 *       {@code TimeIndex.lookup(ts)}: the binary search of the mapped index (largest entry
 *       {@code <=} the target), no file read.</li>
 * </ul>
 *
 * <p><b>Rivven twins</b> ({@link RivvenState}): a Rivven partition written in the setup with the
 * same pass, segment size and index interval (4096), closed cleanly and reopened, looked up with
 * the same targets:
 * <ul>
 *   <li>{@code rivvenOffsetLookup}: {@link PartitionLog} has no public offset → position call
 *       (its {@code Segment.positionOf} is package-private), so this measures the closest public
 *       equivalent, {@link PartitionLog#read(long, int) read(offset, 1)}, whose
 *       {@link FetchResult#position()} is the position of the batch holding the offset: high
 *       watermark and log start checks, floor lookup in the segment map (a
 *       {@code ConcurrentSkipListMap}, as Kafka's), segment reference count, binary search of the
 *       mapped offset index for the entry of the batch holding the offset, one header read
 *       (a positional read of the segment file) to check it, and a walk of batch headers from
 *       the entry below, as Kafka's {@code translateOffset}, only when that batch has no entry.
 *       It does <em>more</em> than Kafka's side: {@code endOfBatches} sizes the result (reusing
 *       the header just checked, no further read), a read metric (Micrometer timer) is
 *       recorded, and the {@code FetchResult} is allocated and
 *       closed. No batch bytes are copied.</li>
 *   <li>{@code rivvenTimestampLookup}: {@link PartitionLog#offsetForTimestamp(long)}: the first
 *       segment whose largest timestamp is {@code >= ts}, its time index, its offset index and a
 *       batch-header walk, then the records of the batch to the first record with timestamp
 *       {@code >= ts}: the exact record offset, checked in the setup as on Kafka's side.</li>
 *   <li>{@code rivvenOffsetIndexLookup} and {@code rivvenTimeIndexLookup}: the same segment choice
 *       (a {@code ConcurrentSkipListMap} of base offsets), then only
 *       {@link OffsetIndex#lookup(long)} or {@link TimeIndex#lookupByTime(long)}: the binary search
 *       of the mapped index (the built-in index plugins, opened read-only on the engine's index
 *       files after the clean close), no file read.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LookupBench {

    /** Number of precomputed targets (a power of two). */
    public static final int TARGETS = 1 << 16;

    /** The parameters and data every twin shares. */
    @State(Scope.Benchmark)
    public static class Params {
        @Param({"none"})
        public String codec;

        /** Payload MiB in the log. */
        @Param({"256"})
        public int totalMiB;

        /** Segment size: 32 MiB makes 9 segments (8 full) of a 256 MiB pass. */
        @Param({"32"})
        public int segmentMiB;

        Workload workload;
        long batches;
        long records;
        long[] offsets;
        long[] timestamps;

        @Setup(Level.Trial)
        public void setup() {
            workload = Workload.standard(0);
            batches = workload.batchesPerPass(Sizes.mib(totalMiB));
            records = batches * workload.recordsPerBatch();
            offsets = targets(records, 1);
            timestamps = targets(records, 2);
            for (int i = 0; i < TARGETS; i++) {
                timestamps[i] += Workload.BASE_TIMESTAMP;
            }
        }
    }

    /** {@link #TARGETS} uniformly random values in {@code [0, bound)} from a fixed seed. */
    static long[] targets(long bound, long stream) {
        SplittableRandom random = new SplittableRandom(Workload.DEFAULT_SEED + stream);
        long[] t = new long[TARGETS];
        for (int i = 0; i < TARGETS; i++) {
            t[i] = random.nextLong(bound);
        }
        return t;
    }

    /** Kafka's side: one multi-segment log written before the trial. */
    @State(Scope.Thread)
    public static class KafkaState {
        Path dir;
        KafkaLog log;
        final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        int next;

        @Setup(Level.Trial)
        public void setup(Params p) throws IOException {
            dir = BenchDirs.create("kafka-lookup-");
            log = KafkaLog.create(dir, Sizes.segmentBytes(p.segmentMiB));
            log.appendPass(new KafkaBatches(p.workload, p.codec), p.batches);
            for (LogSegment segment : log.log().logSegments()) {
                segments.put(segment.baseOffset(), segment);
            }
            System.out.println("# Kafka log: " + segments.size() + " segments, "
                    + BenchDirs.sizeOf(dir, ".log") + " log bytes");
            for (int i = 0; i < 1000; i++) {
                long offset = p.offsets[i];
                FileRecords.LogOffsetPosition found = offsetLookup(offset);
                // the position of the batch holding the offset; LogOffsetPosition.offset is its base offset
                if (found == null || found.offset > offset || offset - found.offset >= p.workload.recordsPerBatch()) {
                    throw new IllegalStateException("Kafka lookup of offset " + offset + " gave " + found);
                }
                long ts = p.timestamps[i];
                long at = timestampLookup(ts).timestampAndOffsetOpt().orElseThrow().offset;
                if (at != ts - Workload.BASE_TIMESTAMP) {
                    throw new IllegalStateException("Kafka lookup of timestamp " + ts + " gave offset " + at
                            + ", expected " + (ts - Workload.BASE_TIMESTAMP));
                }
            }
        }

        FileRecords.LogOffsetPosition offsetLookup(long offset) throws IOException {
            Map.Entry<Long, LogSegment> floor = segments.floorEntry(offset);
            return floor.getValue().translateOffset(offset);
        }

        OffsetResultHolder timestampLookup(long timestamp) {
            return log.log().fetchOffsetByTimestamp(timestamp, Optional.empty());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
        }
    }

    @Benchmark
    public FileRecords.LogOffsetPosition kafkaOffsetLookup(Params p, KafkaState s) throws IOException {
        return s.offsetLookup(p.offsets[s.next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public OffsetResultHolder kafkaTimestampLookup(Params p, KafkaState s) {
        return s.timestampLookup(p.timestamps[s.next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public OffsetPosition kafkaOffsetIndexLookup(Params p, KafkaState s) throws IOException {
        long offset = p.offsets[s.next++ & (TARGETS - 1)];
        return s.segments.floorEntry(offset).getValue().offsetIndex().lookup(offset);
    }

    @Benchmark
    public TimestampOffset kafkaTimeIndexLookup(Params p, KafkaState s) throws IOException {
        long timestamp = p.timestamps[s.next++ & (TARGETS - 1)];
        return s.segments.floorEntry(timestamp - Workload.BASE_TIMESTAMP).getValue().timeIndex().lookup(timestamp);
    }

    /**
     * Rivven's side: one multi-segment partition written before the trial, closed cleanly and
     * reopened; its segments' offset and time indexes also opened read-only for the index-only lookups.
     */
    @State(Scope.Thread)
    public static class RivvenState {
        Path dir;
        RivvenLog log;
        PartitionLog partition;
        final ConcurrentSkipListMap<Long, OffsetIndex> offsetIndexes = new ConcurrentSkipListMap<>();
        final ConcurrentSkipListMap<Long, TimeIndex> timeIndexes = new ConcurrentSkipListMap<>();
        int next;

        @Setup(Level.Trial)
        public void setup(Params p) throws IOException {
            dir = BenchDirs.create("rivven-lookup-");
            int segmentBytes = Sizes.segmentBytes(p.segmentMiB);
            try (RivvenLog written = RivvenLog.open(dir, p.codec, segmentBytes, FlushMode.OS, 10)) {
                written.appendPass(new RivvenBatches(p.workload, p.codec), p.batches);
            }
            openIndexes(RivvenLog.partitionDir(dir));
            log = RivvenLog.open(dir, p.codec, segmentBytes, FlushMode.OS, 10);
            partition = log.partition();
            System.out.println("# Rivven log: " + partition.segmentCount() + " segments, "
                    + BenchDirs.sizeOf(dir, ".log") + " log bytes");
            for (int i = 0; i < 1000; i++) {
                long offset = p.offsets[i];
                try (FetchResult f = partition.read(offset, 1)) {
                    RecordBatch batch = RecordBatch.of(f.toByteBuffer()).ensureValid();
                    if (batch.baseOffset() > offset || batch.lastOffset() < offset) {
                        throw new IllegalStateException("Rivven lookup of offset " + offset + " gave position "
                                + f.position() + " of " + f.file() + " holding " + batch);
                    }
                }
                long ts = p.timestamps[i];
                OptionalLong at = timestampLookup(ts);
                if (at.isEmpty() || at.getAsLong() != ts - Workload.BASE_TIMESTAMP) {
                    throw new IllegalStateException("Rivven lookup of timestamp " + ts + " gave offset " + at
                            + ", expected " + (ts - Workload.BASE_TIMESTAMP));
                }
                io.rivven.api.index.OffsetPosition entry = offsetIndexLookup(offset);
                if (entry.offset() > offset || entry.offset() < offsetIndexes.floorKey(offset)) {
                    throw new IllegalStateException("Rivven offset index lookup of " + offset + " gave " + entry);
                }
                io.rivven.api.index.TimestampOffset time = timeIndexLookup(ts);
                if (time.timestamp() > ts) {
                    throw new IllegalStateException("Rivven time index lookup of " + ts + " gave " + time);
                }
            }
        }

        /** The built-in indexes of every segment, read-only (the engine closed them trimmed). */
        private void openIndexes(Path partitionDir) throws IOException {
            List<Long> bases;
            try (Stream<Path> files = Files.list(partitionDir)) {
                bases = files.map(f -> f.getFileName().toString())
                        .filter(n -> LogFiles.suffixOf(n).equals(LogFiles.LOG))
                        .map(n -> LogFiles.baseOffsetOf(n).orElseThrow())
                        .sorted().toList();
            }
            for (long base : bases) {
                offsetIndexes.put(base, OffsetIndex.open(context(partitionDir, base, LogFiles.OFFSET_INDEX)));
                timeIndexes.put(base, TimeIndex.open(context(partitionDir, base, LogFiles.TIME_INDEX)));
            }
        }

        private static IndexContext context(Path partitionDir, long base, String suffix) {
            return new IndexContext(RivvenLog.TOPIC, 0, base, LogFiles.file(partitionDir, base, suffix), false,
                    10 << 20, 4096);
        }

        long offsetLookup(long offset) {
            try (FetchResult f = partition.read(offset, 1)) {
                return f.position();
            }
        }

        OptionalLong timestampLookup(long timestamp) {
            return partition.offsetForTimestamp(timestamp);
        }

        io.rivven.api.index.OffsetPosition offsetIndexLookup(long offset) {
            return offsetIndexes.floorEntry(offset).getValue().lookup(offset);
        }

        io.rivven.api.index.TimestampOffset timeIndexLookup(long timestamp) {
            return timeIndexes.floorEntry(timestamp - Workload.BASE_TIMESTAMP).getValue().lookupByTime(timestamp);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                for (OffsetIndex i : offsetIndexes.values()) {
                    i.close();
                }
                for (TimeIndex i : timeIndexes.values()) {
                    i.close();
                }
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
        }
    }

    @Benchmark
    public long rivvenOffsetLookup(Params p, RivvenState s) {
        return s.offsetLookup(p.offsets[s.next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public OptionalLong rivvenTimestampLookup(Params p, RivvenState s) {
        return s.timestampLookup(p.timestamps[s.next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public io.rivven.api.index.OffsetPosition rivvenOffsetIndexLookup(Params p, RivvenState s) {
        return s.offsetIndexLookup(p.offsets[s.next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public io.rivven.api.index.TimestampOffset rivvenTimeIndexLookup(Params p, RivvenState s) {
        return s.timeIndexLookup(p.timestamps[s.next++ & (TARGETS - 1)]);
    }
}
