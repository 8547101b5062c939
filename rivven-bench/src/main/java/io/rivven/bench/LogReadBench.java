package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
import io.rivven.bench.rivven.ReusingAllocator;
import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.rivven.RivvenLog;
import io.rivven.bench.workload.Workload;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.log.FetchResult;
import io.rivven.core.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.server.storage.log.FetchIsolation;
import org.apache.kafka.storage.internals.log.FetchDataInfo;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 3 (c): hot sequential read of one partition, one thread.
 *
 * <p>Before the trial (not timed) a log is written with one pass of {@code totalMiB} (each batch
 * encoded with its own timestamps); it stays in the page cache ("hot"). <b>Unit:</b> {@code ms/op}
 * (average time), where one op is one <em>pass</em>: reading the whole log from offset 0 to the
 * log end, fetch after fetch. GB/s = pass payload bytes / time ({@code rivven-bench/run} prints it).
 *
 * <p>What one fetch does, precisely:
 * <ol>
 *   <li>{@code UnifiedLog.read(offset, fetchKiB KiB, FetchIsolation.LOG_END, minOneMessage = true)}:
 *       segment lookup, offset index lookup and batch scan to the start position, and a
 *       {@code FileRecords} slice of at most {@code fetchKiB} (Kafka's default
 *       {@code max.partition.fetch.bytes} is 1 MiB). Like a broker's fetch, the slice may end in
 *       the middle of a batch.</li>
 *   <li>The slice's bytes are copied ({@code FileRecords.readInto}: one positional
 *       {@code FileChannel} read) into a reused direct buffer: the bytes are now in memory as a
 *       consumer would hold them.</li>
 *   <li>{@code kafkaRead} (read of whole batches): walks the batch headers in the buffer
 *       ({@code MemoryRecords.batches()}), giving base offset, last offset and size of every
 *       complete batch to a Blackhole; no CRC check, no record decoding.
 *       {@code kafkaReadDecode} (decoding read): additionally decodes every batch as
 *       {@link BatchCodecBench} does ({@code ensureValid()}, every record's offset, timestamp, key,
 *       value and headers).</li>
 *   <li>The next fetch starts after the last complete batch (a partial trailing batch is fetched
 *       again, as Kafka's consumer does).</li>
 * </ol>
 *
 * <p><b>Rivven twins</b> ({@link RivvenState}): a Rivven partition written in the trial setup
 * with the same pass through the engine's append of records (same codec, segment size, index
 * interval 4096, flush mode {@code os}), read from offset 0 to the high watermark, fetch after
 * fetch:
 * <ol>
 *   <li>{@link PartitionLog#read(long, int) PartitionLog.read(offset, fetchKiB KiB)}: segment
 *       lookup, offset index lookup and batch-header walk to the start position, then whole
 *       batches up to the limit (at least one): a {@link FetchResult} (file, position, size), not
 *       yet copied. Unlike Kafka's slice it never ends in the middle of a batch.</li>
 *   <li>{@link FetchResult#readInto} copies its bytes (one positional read) into a reused direct
 *       buffer, as on Kafka's side; the result is closed (it pins the segment).</li>
 *   <li>{@code rivvenRead}: a {@link RecordBatchReader} without CRC checks walks the batch headers
 *       (length bounds and magic, as Kafka's batch iterator checks), base offset and size of every
 *       batch to the Blackhole. {@code rivvenReadDecode}: every batch decoded as in
 *       {@link BatchCodecBench}'s {@code rivvenDecode} ({@code ensureValid()}, every record's
 *       offset, timestamp, key, value and headers, a reused cursor and decompression buffer).</li>
 *   <li>The next fetch starts after the last batch.</li>
 * </ol>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogReadBench {

    /** The parameters and data every twin shares. */
    @State(Scope.Benchmark)
    public static class Params {
        @Param({"none", "lz4", "zstd"})
        public String codec;

        /** Payload MiB in the log (= read per pass). */
        @Param({"256"})
        public int totalMiB;

        /** The byte limit of one fetch. */
        @Param({"1024"})
        public int fetchKiB;

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

    /** Kafka's side: one log written before the trial. */
    @State(Scope.Thread)
    public static class KafkaState {
        Path dir;
        KafkaLog log;
        long endOffset;
        int fetchBytes;
        ByteBuffer buffer;
        BufferSupplier supplier;

        @Setup(Level.Trial)
        public void setup(Params p) {
            KafkaBatches batches = new KafkaBatches(p.workload, p.codec);
            dir = BenchDirs.create("kafka-read-");
            log = KafkaLog.create(dir, Sizes.segmentBytes(p.segmentMiB));
            log.appendPass(batches, p.batches);
            endOffset = log.logEndOffset();
            fetchBytes = p.fetchKiB << 10;
            buffer = ByteBuffer.allocateDirect(fetchBytes + batches.batchBufferCapacity());
            supplier = BufferSupplier.create();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            supplier.close();
            try {
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
        }

        /** Steps 1 and 2 of a fetch (see the class comment): the fetched bytes, flipped, in the buffer. */
        ByteBuffer fetch(long offset) throws IOException {
            FetchDataInfo info = log.log().read(offset, fetchBytes, FetchIsolation.LOG_END, true);
            FileRecords records = (FileRecords) info.records;
            int size = records.sizeInBytes();
            if (size > buffer.capacity()) {
                buffer = ByteBuffer.allocateDirect(size);
            }
            buffer.clear().limit(size);
            records.readInto(buffer, 0);
            return buffer;
        }
    }

    @Benchmark
    public long kafkaRead(KafkaState s, Blackhole bh) throws IOException {
        long offset = 0;
        while (offset < s.endOffset) {
            long next = offset;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(s.fetch(offset)).batches()) {
                bh.consume(b.baseOffset());
                bh.consume(b.sizeInBytes());
                next = b.nextOffset();
            }
            offset = progress(s.log.log(), offset, next);
        }
        return offset;
    }

    @Benchmark
    public long kafkaReadDecode(KafkaState s, Blackhole bh) throws IOException {
        long offset = 0;
        while (offset < s.endOffset) {
            long next = offset;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(s.fetch(offset)).batches()) {
                KafkaBatches.decode(b, s.supplier, bh);
                next = b.nextOffset();
            }
            offset = progress(s.log.log(), offset, next);
        }
        return offset;
    }

    private static long progress(Object log, long offset, long next) {
        if (next <= offset) {
            throw new IllegalStateException("fetch at offset " + offset + " of " + log + " returned no complete batch");
        }
        return next;
    }

    /** Rivven's side: one partition written before the trial. */
    @State(Scope.Thread)
    public static class RivvenState {
        Path dir;
        RivvenLog log;
        PartitionLog partition;
        long endOffset;
        int fetchBytes;
        ByteBuffer buffer;
        RecordCursor cursor;

        @Setup(Level.Trial)
        public void setup(Params p) {
            RivvenBatches batches = new RivvenBatches(p.workload, p.codec);
            dir = BenchDirs.create("rivven-read-");
            log = RivvenLog.open(dir, p.codec, Sizes.segmentBytes(p.segmentMiB), FlushMode.OS, 10);
            log.appendPass(batches, p.batches);
            partition = log.partition();
            endOffset = partition.highWatermark();
            long expected = p.batches * p.workload.recordsPerBatch();
            if (endOffset != expected) {
                throw new IllegalStateException("Rivven high watermark " + endOffset + ", expected " + expected);
            }
            fetchBytes = p.fetchKiB << 10;
            buffer = ByteBuffer.allocateDirect(fetchBytes + batches.batchBufferCapacity());
            cursor = RivvenBatches.cursor(new ReusingAllocator());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            cursor.close();
            try {
                log.close();
            } finally {
                BenchDirs.delete(dir);
            }
        }

        /** Steps 1 and 2 of a fetch (see the class comment): the fetched bytes, flipped, in the buffer. */
        ByteBuffer fetch(long offset) throws IOException {
            try (FetchResult f = partition.read(offset, fetchBytes)) {
                int size = f.sizeInBytes();
                if (size > buffer.capacity()) {
                    buffer = ByteBuffer.allocateDirect(size);
                }
                buffer.clear().limit(size);
                f.readInto(buffer);
                return buffer.flip();
            }
        }
    }

    @Benchmark
    public long rivvenRead(RivvenState s, Blackhole bh) throws IOException {
        long offset = 0;
        while (offset < s.endOffset) {
            long next = offset;
            RecordBatchReader reader = new RecordBatchReader(s.fetch(offset)).verifyChecksums(false);
            for (RecordBatch b; (b = reader.next()) != null; ) {
                bh.consume(b.baseOffset());
                bh.consume(b.sizeInBytes());
                next = b.nextOffset();
            }
            offset = progress(s.partition, offset, next);
        }
        return offset;
    }

    @Benchmark
    public long rivvenReadDecode(RivvenState s, Blackhole bh) throws IOException {
        long offset = 0;
        while (offset < s.endOffset) {
            long next = offset;
            RecordBatchReader reader = new RecordBatchReader(s.fetch(offset)).verifyChecksums(false);
            for (RecordBatch b; (b = reader.next()) != null; ) {
                RivvenBatches.decode(b, s.cursor, bh);
                next = b.nextOffset();
            }
            offset = progress(s.partition, offset, next);
        }
        return offset;
    }
}
