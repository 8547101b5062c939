package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.kafka.KafkaLog;
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
import org.apache.kafka.storage.internals.log.UnifiedLog;
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
 * <p><b>Rivven twins</b> (to add when the engine exists): {@code rivvenRead(Params, RivvenState,
 * Blackhole)} and {@code rivvenReadDecode(...)}, over a Rivven log written in the trial setup with
 * the same pass (same codec, segment size, index interval 4096, flush mode {@code os}), reading from
 * offset 0 to the high watermark with the engine's read-up-to-a-byte-limit call (limit
 * {@code fetchKiB} KiB), the returned whole batches brought into a reused direct buffer (or a
 * memory-mapped view, if that is what Rivven returns: say so next to the result), then per batch
 * the same work as the Kafka method: batch header fields only for {@code rivvenRead}; CRC
 * validation plus every record's offset, timestamp, key and value views and headers for
 * {@code rivvenReadDecode}.
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

    private static long progress(UnifiedLog log, long offset, long next) {
        if (next <= offset) {
            throw new IllegalStateException("fetch at offset " + offset + " of " + log + " returned no complete batch");
        }
        return next;
    }

    // rivvenRead(Params p, RivvenState s, Blackhole bh) and rivvenReadDecode(Params p, RivvenState s, Blackhole bh)
    // go here: see the class comment for what they must do to be comparable.
}
