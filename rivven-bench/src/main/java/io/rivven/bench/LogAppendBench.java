package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.rivven.RivvenLog;
import io.rivven.bench.workload.Workload;
import io.rivven.core.log.AppendResult;
import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p><b>Rivven twins</b> ({@link RivvenState}: a fresh engine with a one-partition topic per
 * iteration, see {@link RivvenLog}; {@code segment.bytes = segmentMiB}, index interval 4096,
 * {@code flush.mode} = the {@code flush} parameter with {@code intervalMs = flushIntervalMs}):
 * <ul>
 *   <li>{@code rivvenAppendRecords} (a): per batch, the same 100 pool records (each a
 *       {@link io.rivven.core.record.Record} over the workload's arrays, the pass's timestamps) in
 *       a reused list through {@link PartitionLog#append(List)}: the engine encodes them with the
 *       topic's codec (its thread's reused {@code RecordBatchWriter}), validates the size, assigns
 *       offsets, writes the segment and appends the offset and time index entries.</li>
 *   <li>{@code rivvenAppendBatch} (b): the 256 pool batches encoded by Rivven's writer before the
 *       trial (same records, timestamps, codec and level as Kafka's ready batches), cycled, through
 *       {@link PartitionLog#appendBatch}: size, magic, CRC-32C and counts validated, the codec looked
 *       up, an uncompressed batch's records walked, the base offset
 *       restamped in place (outside the CRC), written and indexed without re-encoding (compressed
 *       batches are not decompressed: the "validate CRC and header, assign offsets without
 *       re-encoding"). The engine consumes the buffer (position to limit), so each append first
 *       rewinds it: one store, as Kafka's base offset reset.</li>
 * </ul>
 * With {@code interval}, appends do not wait; the pass ends when the last append's
 * {@link AppendResult#durable()} completes, i.e. at the engine's first scheduled fsync after it
 * (up to {@code flushIntervalMs} later; Kafka's side ends with an immediate {@code flush()}), so
 * the whole pass is durable when the op ends. With {@code os} that future is already complete.
 * Both check the high watermark after the pass.
 *
 * <p><b>Ceilings</b> (neither side; {@link EncodeCeilingState}, {@link WriteCeilingState}): the two halves of an append of records,
 * each alone, to show how far any engine that does them can get on the machine at hand:
 * <ul>
 *   <li>{@code ceilingEncode}: the pass's records, as {@code rivvenAppendRecords} hands them to the
 *       engine, encoded with the codec by a reused {@link RecordBatchWriter} over direct memory (as
 *       the engine's pooled writers): varints, compression, header, CRC-32C; no I/O, no offsets, no
 *       index. An engine that encodes with this codec at Kafka's level spends at least this.</li>
 *   <li>{@code ceilingWrite}: the pass's ready batches (Rivven's pool batches, heap buffers)
 *       written one after the other to a fresh file with {@code FileChannel.write(src, position)};
 *       with {@code interval} a second thread calls {@code force(false)} ({@code fdatasync}) every
 *       {@code flushIntervalMs} and the pass ends with a last one, as the engine's group commit. With
 *       {@code interval} this is the disk's ceiling for appending these bytes; with {@code os} it is
 *       the plain page-cache write (the engine's reservation, see docs/storage.md, can beat it).</li>
 * </ul>
 * Kafka's time divided by a ceiling's is the highest ratio an engine doing that half at no cost
 * beyond it could reach against Kafka in that run.
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

    /** Rivven's side: a fresh engine ({@link RivvenLog}) per iteration. */
    @State(Scope.Thread)
    public static class RivvenState {
        RivvenBatches batches;
        List<Record> records;
        ByteBuffer[] ready;
        Path dir;
        RivvenLog log;

        @Setup(Level.Trial)
        public void setup(Params p) {
            batches = new RivvenBatches(p.workload, p.codec);
            records = new ArrayList<>(p.workload.recordsPerBatch());
            ready = batches.encodeAll(p.workload.poolBatches());
        }

        @Setup(Level.Iteration)
        public void open(Params p) {
            dir = BenchDirs.create("rivven-append-");
            log = RivvenLog.open(dir, p.codec, Sizes.segmentBytes(p.segmentMiB), p.flush, p.flushIntervalMs);
        }

        @TearDown(Level.Iteration)
        public void close(Params p) {
            long expected = p.batches * p.workload.recordsPerBatch();
            long end = log.highWatermark();
            try {
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
            if (end != expected) {
                throw new IllegalStateException("Rivven high watermark " + end + " after a pass, expected " + expected);
            }
        }
    }

    @Benchmark
    public long rivvenAppendRecords(Params p, RivvenState s) {
        PartitionLog log = s.log.partition();
        RivvenBatches batches = s.batches;
        List<Record> records = s.records;
        AppendResult last = null;
        for (long b = 0; b < p.batches; b++) {
            last = log.append(batches.records(b, records));
        }
        last.durable().join();
        return log.highWatermark();
    }

    @Benchmark
    public long rivvenAppendBatch(Params p, RivvenState s) {
        PartitionLog log = s.log.partition();
        ByteBuffer[] ready = s.ready;
        AppendResult last = null;
        for (long b = 0; b < p.batches; b++) {
            ByteBuffer batch = ready[(int) (b % ready.length)];
            batch.rewind(); // the engine consumed it last time round, see the class comment
            last = log.appendBatch(batch);
        }
        last.durable().join();
        return log.highWatermark();
    }

    /** Neither side: {@code ceilingEncode}'s writer and records (see the class comment). */
    @State(Scope.Thread)
    public static class EncodeCeilingState {
        RivvenBatches batches;
        List<Record> records;
        RecordBatchWriter writer;

        @Setup(Level.Trial)
        public void setup(Params p) {
            batches = new RivvenBatches(p.workload, p.codec);
            records = new ArrayList<>(p.workload.recordsPerBatch());
            writer = new RecordBatchWriter(BufferAllocator.DIRECT, batches.batchBufferCapacity());
        }

        @TearDown(Level.Trial)
        public void release() {
            writer.close();
        }
    }

    /** Neither side: {@code ceilingWrite}'s batches and a fresh file per iteration (see the class comment). */
    @State(Scope.Thread)
    public static class WriteCeilingState {
        ByteBuffer[] ready;
        Path dir;
        FileChannel file;
        ScheduledExecutorService flusher;
        final AtomicReference<IOException> flushFailure = new AtomicReference<>();

        @Setup(Level.Trial)
        public void setup(Params p) {
            ready = new RivvenBatches(p.workload, p.codec).encodeAll(p.workload.poolBatches());
        }

        @Setup(Level.Iteration)
        public void open(Params p) throws IOException {
            dir = BenchDirs.create("ceiling-");
            file = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (p.interval()) {
                flusher = Executors.newSingleThreadScheduledExecutor();
                flusher.scheduleAtFixedRate(this::force, p.flushIntervalMs, p.flushIntervalMs, TimeUnit.MILLISECONDS);
            }
        }

        private void force() {
            try {
                file.force(false);
            } catch (IOException e) {
                flushFailure.compareAndSet(null, e);
            }
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException, InterruptedException {
            try {
                if (flusher != null) {
                    flusher.shutdown(); // no interrupt: that would close the channel under a running force
                    if (!flusher.awaitTermination(1, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("the flusher of the write ceiling did not stop within a minute");
                    }
                    flusher = null;
                }
                file.close();
            } finally {
                BenchDirs.delete(dir);
            }
            IOException e = flushFailure.getAndSet(null);
            if (e != null) {
                throw e;
            }
        }
    }

    @Benchmark
    public long ceilingEncode(Params p, EncodeCeilingState s) {
        RivvenBatches batches = s.batches;
        RecordBatchWriter writer = s.writer;
        long bytes = 0;
        for (long b = 0; b < p.batches; b++) {
            writer.reset(0, batches.codec()).appendAll(batches.records(b, s.records));
            bytes += writer.build().remaining();
        }
        return bytes;
    }

    @Benchmark
    public long ceilingWrite(Params p, WriteCeilingState s) throws IOException {
        FileChannel file = s.file;
        ByteBuffer[] ready = s.ready;
        long position = 0;
        for (long b = 0; b < p.batches; b++) {
            ByteBuffer batch = ready[(int) (b % ready.length)];
            batch.rewind();
            while (batch.hasRemaining()) {
                position += file.write(batch, position);
            }
        }
        if (p.interval()) {
            file.force(false);
        }
        return position;
    }
}
