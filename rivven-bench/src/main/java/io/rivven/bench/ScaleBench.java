package io.rivven.bench;

import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.workload.Workload;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.Checkpoint;
import io.rivven.core.log.LogFiles;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Issue 3, "Scale": opening an engine with many partitions of many segments after a clean
 * shutdown. Target: 1,000 partitions x 10 segments open in under 2 s with under 256 MiB of heap.
 * Rivven only (Kafka's {@code LogManager} is not part of the baseline).
 *
 * <p>Before the trial (not timed): an engine writes topic {@code scale}, partition 0, with batches
 * of 2 workload records (about 2 KiB) into 16 KiB segments until it has {@code segments} segments
 * (each with a few offset and time index entries: index interval 4096), and is closed cleanly. Its
 * partition directory is then copied to partitions 1 .. {@code partitions - 1} and the topic's
 * {@code topic.checkpoint} rewritten for {@code partitions} partitions: the files a clean shutdown
 * of such an engine leaves behind.
 *
 * <p><b>Unit:</b> {@code ms/op} in single-shot mode; one op is
 * {@code StorageEngine.open(config)} from a bound config: plugin loading from the class path,
 * config validation, I/O backend, scheduler, topic listing and every partition's
 * {@code LogLoader} (leftover scan, clean-shutdown path: segments trusted, indexes lazy, the active
 * segment's tail walked from its last index entry, the marker removed with a directory fsync). After
 * each op (not timed) every partition is checked to have {@code segments} segments and the same high
 * watermark as partition 0, and the engine is closed cleanly again.
 *
 * <p><b>Heap</b> (secondary results, {@link Heap}): the heap in use (MemoryMXBean) after
 * {@code System.gc()} (a full, stop-the-world collection under the runner's ParallelGC), measured
 * before the op and after it while the engine is open: {@code heapOpenMiB} = after − before, what
 * the open engine keeps reachable; {@code heapUsedMiB} = after, the whole JVM's live heap
 * (benchmark harness included). The target applies to {@code heapOpenMiB}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class ScaleBench {

    /** The topic of the benchmark. */
    public static final String TOPIC = "scale";
    /** Segment size of the fixture: a handful of 2-record batches each. */
    public static final int SEGMENT_BYTES = 16 * 1024;
    /** Records per batch of the fixture. */
    public static final int RECORDS_PER_BATCH = 2;

    /** The parameters. */
    @State(Scope.Benchmark)
    public static class Params {
        @Param({"1000"})
        public int partitions;

        @Param({"10"})
        public int segments;

        Path dir;
        RivvenConfig config;
        long highWatermark;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            dir = BenchDirs.create("rivven-scale-");
            config = RivvenConfig.parse(configJson(dir), "rivven-bench-scale.json");
            Workload workload = Workload.standard(0);
            try (StorageEngine engine = StorageEngine.builder(config).plugins(RivvenBatches.plugins()).open()) {
                engine.createTopic(TOPIC, 1);
                PartitionLog p = engine.partition(TOPIC, 0);
                List<Record> records = new ArrayList<>();
                int extra = 0;
                for (long b = 0; extra < 2; b++) {
                    records.clear();
                    for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                        int r = workload.poolRecord(b, i);
                        records.add(Record.of(workload.timestamp(b, i), workload.key(r), workload.value(r)));
                    }
                    p.append(records);
                    if (p.segmentCount() >= segments) {
                        extra++; // a few batches in the active segment too
                    }
                }
                highWatermark = p.highWatermark();
            }
            Path topicDir = dir.resolve("data").resolve("topics").resolve(TOPIC);
            Path first = topicDir.resolve(LogFiles.partitionDirName(0));
            for (int n = 1; n < partitions; n++) {
                copyDir(first, topicDir.resolve(LogFiles.partitionDirName(n)));
            }
            // the engine's topic metadata (io.rivven.core.log.TopicMetadata): one line partitions=<n>
            Checkpoint.write(topicDir.resolve("topic.checkpoint"), "partitions=" + partitions);
            System.out.println("# Rivven scale fixture: " + partitions + " partitions x " + segments + " segments, "
                    + BenchDirs.sizeOf(dir, ".log") + " log bytes, " + BenchDirs.sizeOf(dir, "index")
                    + " index bytes, high watermark " + highWatermark + " each");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchDirs.delete(dir);
        }

        static String configJson(Path dir) {
            String dataDir = dir.resolve("data").toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"");
            return String.format(Locale.ROOT, """
                    {
                      "dataDir": "%s",
                      "pluginDirs": [],
                      "io": {"type": "nio"},
                      "defaults": {
                        "compression": {"type": "none"},
                        "segment": {"bytes": %d, "indexIntervalBytes": 4096},
                        "retention": {"ms": -1, "bytes": -1},
                        "flush": {"mode": "os"}
                      }
                    }
                    """, dataDir, SEGMENT_BYTES);
        }

        private static void copyDir(Path from, Path to) throws IOException {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    /**
     * The heap numbers of the class comment, reported by JMH as secondary results (MiB, the mean
     * over the measured iterations).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Heap {
        /** Heap the open engine keeps reachable: used after the open minus used before, both after a full GC. */
        public double heapOpenMiB;
        /** The JVM's whole heap in use after the open and a full GC. */
        public double heapUsedMiB;

        StorageEngine engine;
        long before;

        @Setup(Level.Iteration)
        public void before() {
            before = usedAfterGc();
        }

        @TearDown(Level.Iteration)
        public void after(Params p) throws IOException {
            if (engine == null) {
                return;
            }
            try {
                long after = usedAfterGc();
                heapOpenMiB = (after - before) / 1048576.0;
                heapUsedMiB = after / 1048576.0;
                System.out.printf(Locale.ROOT, "%n# heap: %.1f MiB kept by the open engine, %.1f MiB in use%n",
                        heapOpenMiB, heapUsedMiB);
                check(p, engine);
            } finally {
                engine.close();
                engine = null;
            }
        }

        private static long usedAfterGc() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            System.gc();
            return memory.getHeapMemoryUsage().getUsed();
        }

        private static void check(Params p, StorageEngine engine) {
            StorageEngine.Topic t = engine.topic(TOPIC).orElseThrow(() -> new IllegalStateException("no topic " + TOPIC));
            if (t.partitionCount() != p.partitions) {
                throw new IllegalStateException("opened " + t.partitionCount() + " partitions, expected " + p.partitions);
            }
            for (PartitionLog log : t.partitions()) {
                if (log.segmentCount() != p.segments || log.highWatermark() != p.highWatermark) {
                    throw new IllegalStateException(log + ": expected " + p.segments + " segments and high watermark "
                            + p.highWatermark);
                }
            }
        }
    }

    @Benchmark
    public int rivvenOpen(Params p, Heap h) {
        try {
            h.engine = StorageEngine.open(p.config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return h.engine.topic(TOPIC).orElseThrow().partitionCount();
    }
}
