package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Rivven twins</b> (to add when the engine exists): {@code rivvenOffsetLookup(Params,
 * RivvenState)} looking up the same target offsets ({@code Params.offsets}) in a Rivven partition written
 * in the setup with the same pass, segment size and index interval: the engine's offset → (segment,
 * file position of the batch holding it) lookup, without reading the batch itself; and
 * {@code rivvenTimestampLookup(Params, RivvenState)} with the same target timestamps ({@code Params.timestamps}) through the
 * engine's find-first-offset-at-or-after-a-timestamp call, which must give the exact record offset
 * (as Kafka's does), not only the batch. {@code rivvenOffsetIndexLookup} and
 * {@code rivvenTimeIndexLookup}: the same targets and segment choice, then only the segment's offset
 * or time index ({@code OffsetLookup.lookup}, {@code TimeLookup.lookupByTime}).
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

    // rivvenOffsetLookup, rivvenTimestampLookup, rivvenOffsetIndexLookup and rivvenTimeIndexLookup
    // (Params p, RivvenState s) go here: see the class comment for what they must do to be comparable.
}
