package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.rivven.RivvenLog;
import io.rivven.bench.workload.Workload;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.LogFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
 * <p><b>Rivven twin</b> ({@link RivvenState}): {@code rivvenRecover} opens a Rivven engine over a
 * partition written in the trial setup with the same pass (engine append of records, same codec
 * and segment size) and closed cleanly; before each iteration (not timed) the partition's
 * {@code .clean-shutdown} marker and {@code recovery-point.checkpoint} are deleted, so the open is
 * an unclean one with recovery point 0: {@code StorageEngine.open} (config validation, I/O backend,
 * scheduler, topic listing; plugins loaded once before, see {@link RivvenLog}) and the partition's
 * {@code LogLoader} validating every batch of every segment (size bounds, magic, CRC-32C, offsets
 * increasing and within the segment), resetting and rebuilding the offset and time indexes, then
 * fsyncing what it validated and checkpointing the recovery point. The op ends when the engine is
 * open for appends; the high watermark is checked after each op and the engine closed (not timed).
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

    /** Rivven's side: one partition written and closed before the trial, reopened unclean per iteration. */
    @State(Scope.Thread)
    public static class RivvenState {
        Path dir;
        RivvenConfig config;
        RivvenLog log;

        @Setup(Level.Trial)
        public void setup(Params p) {
            dir = BenchDirs.create("rivven-recovery-");
            config = RivvenLog.config(dir, p.codec, Sizes.segmentBytes(p.segmentMiB), FlushMode.OS, 10);
            try (RivvenLog written = RivvenLog.open(dir, config)) {
                written.appendPass(new RivvenBatches(p.workload, p.codec), p.batches);
            }
            System.out.println("# Rivven log: " + BenchDirs.sizeOf(dir, ".log") + " log bytes");
        }

        /** Makes the next open unclean from offset 0 (not timed). */
        @Setup(Level.Iteration)
        public void crash() {
            Path partition = RivvenLog.partitionDir(dir);
            try {
                if (!Files.deleteIfExists(partition.resolve(LogFiles.CLEAN_SHUTDOWN))) {
                    throw new IllegalStateException("no " + LogFiles.CLEAN_SHUTDOWN + " in " + partition
                            + ": the engine was not closed cleanly before");
                }
                Files.deleteIfExists(partition.resolve(LogFiles.RECOVERY_POINT));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @TearDown(Level.Iteration)
        public void close(Params p) {
            if (log == null) {
                return;
            }
            long end = log.highWatermark();
            log.close();
            log = null;
            long expected = p.batches * p.workload.recordsPerBatch();
            if (end != expected) {
                throw new IllegalStateException("Rivven high watermark " + end + " after recovery, expected " + expected);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchDirs.delete(dir);
        }
    }

    @Benchmark
    public long rivvenRecover(RivvenState s) {
        s.log = RivvenLog.open(s.dir, s.config);
        return s.log.highWatermark();
    }
}
