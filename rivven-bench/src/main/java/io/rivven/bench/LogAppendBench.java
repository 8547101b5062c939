package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.MemoryRecords;
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
 * Issue 3 (a) and (b): appending to one partition on local disk, one thread.
 *
 * <p><b>Unit:</b> {@code ms/op} in single-shot mode, where one op is one <em>pass</em>: appending
 * {@link Workload#batchesPerPass(long) batchesPerPass(totalMiB MiB)} batches of 100 x 1 KiB records
 * (2,622 batches, 268,492,800 payload bytes for 256 MiB) to a <em>fresh, empty</em> log created
 * before the iteration (not timed) and deleted after it. GB/s = pass payload bytes / time
 * ({@code rivven-bench/run} prints it).
 *
 * <ul>
 *   <li>{@code kafkaAppendRecords} (a, records in memory → appended with indexes): per batch,
 *       Kafka's {@code MemoryRecordsBuilder} encodes the records (as a producer does, into a reused
 *       buffer) and {@code UnifiedLog.appendAsLeader} appends the batch (validation, offset
 *       assignment, segment write, offset and time index entries).</li>
 *   <li>{@code kafkaAppendBatch} (b, a ready batch → appended): batches encoded before the trial
 *       (the 256 pool batches, cycled) go straight to {@code appendAsLeader}. For lz4 and zstd Kafka
 *       decompresses each batch to validate its records but does not recompress. Kafka assigns
 *       offsets by rewriting the batch header in place and rejects a producer batch whose base
 *       offset is not 0, so before each append the pooled batch's base offset field (8 bytes at
 *       position 0, outside the CRC) is set back to 0: one store, inside the timed loop.</li>
 * </ul>
 * Flush modes: {@code os} = page cache only, no fsync in the pass (Kafka's default
 * {@code flush.messages}/{@code flush.ms}); {@code interval} = group commit by time: a background
 * task fsyncs the log every {@code flushIntervalMs} while appends go on without waiting (see
 * {@link KafkaLog#startFlusher(long)}), and the pass ends with a final flush so everything
 * appended is durable when the op ends. The pass checks the log end offset afterwards.
 *
 * <p><b>Rivven twins</b> (to add when the engine exists): {@code rivvenAppendRecords(Params,
 * RivvenState)} appending the same records of each batch of the pass (pool records,
 * {@link Workload#timestamp(long, int)} timestamps, same codec and level) through the engine's
 * append-records call to a fresh one-partition topic in a directory from {@link BenchDirs} with
 * {@code segment.bytes = segmentMiB}, {@code indexIntervalBytes = 4096}, and {@code flush.mode}
 * {@code os} or {@code interval} with {@code intervalMs = flushIntervalMs}, ending an
 * {@code interval} pass by waiting until the last offset is durable; and
 * {@code rivvenAppendBatch(Params, RivvenState)} appending the pool batches encoded by Rivven's
 * writer before the trial through the append-a-ready-batch call (validating CRC and header,
 * assigning offsets without re-encoding), cycled as here (if the engine rewrites the pooled batch in
 * place, whatever restores it inside the loop must cost no more than Kafka's one store). Both check the
 * high watermark after the pass, as here.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class LogAppendBench {

    /** The parameters and data every twin shares. */
    @State(Scope.Benchmark)
    public static class Params {
        @Param({"none", "lz4", "zstd"})
        public String codec;

        /** {@code os} (page cache) or {@code interval} (group commit every flushIntervalMs). */
        @Param({"os", "interval"})
        public String flush;

        /** Payload MiB appended per pass (= per iteration). */
        @Param({"256"})
        public int totalMiB;

        /** Group-commit interval of the {@code interval} flush mode. */
        @Param({"10"})
        public int flushIntervalMs;

        /** Segment size; Kafka's and Rivven's default is 1 GiB (no roll within a 256 MiB pass). */
        @Param({"1024"})
        public int segmentMiB;

        Workload workload;
        long batches;

        @Setup(Level.Trial)
        public void setup() {
            FlushMode.check(flush);
            workload = Workload.standard(0);
            batches = workload.batchesPerPass(Sizes.mib(totalMiB));
        }

        boolean interval() {
            return FlushMode.INTERVAL.equals(flush);
        }
    }

    /** Kafka's side: a fresh {@link KafkaLog} per iteration. */
    @State(Scope.Thread)
    public static class KafkaState {
        KafkaBatches batches;
        ByteBuffer buffer;
        MemoryRecords[] ready;
        ByteBuffer[] readyBuffers;
        Path dir;
        KafkaLog log;

        @Setup(Level.Trial)
        public void setup(Params p) {
            batches = new KafkaBatches(p.workload, p.codec);
            buffer = ByteBuffer.allocate(batches.batchBufferCapacity());
            ready = batches.encodeAll(p.workload.poolBatches());
            readyBuffers = new ByteBuffer[ready.length];
            for (int i = 0; i < ready.length; i++) {
                readyBuffers[i] = ready[i].buffer(); // shares the bytes of ready[i]
            }
        }

        @Setup(Level.Iteration)
        public void open(Params p) {
            dir = BenchDirs.create("kafka-append-");
            log = KafkaLog.create(dir, Sizes.segmentBytes(p.segmentMiB));
            if (p.interval()) {
                log.startFlusher(p.flushIntervalMs);
            }
        }

        @TearDown(Level.Iteration)
        public void close(Params p) {
            long expected = p.batches * p.workload.recordsPerBatch();
            long end = log.logEndOffset();
            try {
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
            if (end != expected) {
                throw new IllegalStateException("Kafka log end offset " + end + " after a pass, expected " + expected);
            }
        }
    }

    @Benchmark
    public long kafkaAppendRecords(Params p, KafkaState s) {
        KafkaLog log = s.log;
        for (long b = 0; b < p.batches; b++) {
            log.append(s.batches.encode(b, s.buffer));
        }
        if (p.interval()) {
            log.flush();
        }
        return log.logEndOffset();
    }

    @Benchmark
    public long kafkaAppendBatch(Params p, KafkaState s) {
        KafkaLog log = s.log;
        MemoryRecords[] ready = s.ready;
        ByteBuffer[] buffers = s.readyBuffers;
        for (long b = 0; b < p.batches; b++) {
            int i = (int) (b % ready.length);
            buffers[i].putLong(0, 0L); // base offset back to 0, see the class comment
            log.append(ready[i]);
        }
        if (p.interval()) {
            log.flush();
        }
        return log.logEndOffset();
    }

    // rivvenAppendRecords(Params p, RivvenState s) and rivvenAppendBatch(Params p, RivvenState s)
    // go here: see the class comment for what they must do to be comparable.
}
