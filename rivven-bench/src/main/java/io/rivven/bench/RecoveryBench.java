package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Issue 3 (e): recovery scan of a partition after an unclean shutdown.
 *
 * <p>Before the trial (not timed) a log is written with one pass of {@code totalMiB} (1 GiB by
 * default, in 1 GiB segments) and closed. <b>Unit:</b> {@code ms/op} in single-shot mode, where
 * one op opens that log as after a crash; GB/s = pass payload bytes / time
 * ({@code rivven-bench/run} prints it; the log file is about 1% larger than the payload for codec
 * {@code none}, and the setup prints its exact size). The files are in the page cache (hot):
 * this measures the CPU cost of recovery, not the disk.
 *
 * <ul>
 *   <li>{@code kafkaRecover}: {@code UnifiedLog.create(..., recoveryPoint = 0, lastShutdownClean =
 *       false, ...)} (see {@link KafkaLog#open}): Kafka's {@code LogLoader} opens the segments and
 *       recovers every one of them from offset 0: each batch read from the file and validated
 *       ({@code ensureValid}: size bounds, magic, CRC-32C; offsets increasing), offset and time
 *       indexes reset and rebuilt, producer state rebuilt; it would truncate at the first invalid
 *       batch (there is none). The log is closed after the iteration (not timed) and its end offset
 *       checked.</li>
 * </ul>
 *
 * <p><b>Rivven twin</b> (to add when the engine exists): {@code rivvenRecover(Params, RivvenState)}
 * opening a Rivven partition written in the setup with the same pass and segment size and closed
 * <em>without</em> the clean-shutdown marker (and with the recovery point at 0, or removed), so
 * recovery validates every batch (size, magic, CRC-32C, offsets) and rebuilds the offset and time
 * indexes of every segment; the op ends when the engine (or partition) is open for appends. The
 * high watermark is checked after each op, as here.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class RecoveryBench {

    /** The parameters and data every twin shares. */
    @State(Scope.Benchmark)
    public static class Params {
        @Param({"none"})
        public String codec;

        /** Payload MiB in the log to recover. */
        @Param({"1024"})
        public int totalMiB;

        @Param({"1024"})
        public int segmentMiB;

        Workload workload;
        long batches;

        @Setup(Level.Trial)
        public void setup() {
            workload = Workload.standard(0);
            batches = workload.batchesPerPass(Sizes.mib(totalMiB));
        }
    }

    /** Kafka's side: one log written and closed before the trial, reopened unclean per iteration. */
    @State(Scope.Thread)
    public static class KafkaState {
        Path dir;
        KafkaLog log;

        @Setup(Level.Trial)
        public void setup(Params p) {
            dir = BenchDirs.create("kafka-recovery-");
            try (KafkaLog written = KafkaLog.create(dir, Sizes.segmentBytes(p.segmentMiB))) {
                written.appendPass(new KafkaBatches(p.workload, p.codec), p.batches);
            }
            System.out.println("# Kafka log: " + BenchDirs.sizeOf(dir, ".log") + " log bytes");
        }

        @TearDown(Level.Iteration)
        public void close(Params p) {
            if (log == null) {
                return;
            }
            long end = log.logEndOffset();
            log.close();
            log = null;
            long expected = p.batches * p.workload.recordsPerBatch();
            if (end != expected) {
                throw new IllegalStateException("Kafka log end offset " + end + " after recovery, expected " + expected);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchDirs.delete(dir);
        }
    }

    @Benchmark
    public long kafkaRecover(Params p, KafkaState s) {
        s.log = KafkaLog.open(s.dir, Sizes.segmentBytes(p.segmentMiB), false, 0L);
        return s.log.logEndOffset();
    }

    // rivvenRecover(Params p, RivvenState s) goes here: see the class comment for what it must do
    // to be comparable.
}
