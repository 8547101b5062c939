package io.rivven.bench;

import io.rivven.api.BufferAllocator;
import io.rivven.bench.kafka.KafkaBatches;
import io.rivven.bench.rivven.ReusingAllocator;
import io.rivven.bench.rivven.RivvenBatches;
import io.rivven.bench.workload.Workload;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.format.v2.RecordCursor;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
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
 * Issue 2: record-batch encode and decode throughput, in memory, one thread.
 *
 * <p><b>Unit:</b> {@code ops/s} where one op is one batch of 100 records of 1 KiB, i.e.
 * {@link Workload#batchPayloadBytes()} = 102,400 payload bytes; B/s = ops/s x 102,400
 * ({@code rivven-bench/run} prints that conversion in its summary table).
 *
 * <ul>
 *   <li>{@code kafkaEncode}: the records of one batch (byte arrays in memory) through Kafka's
 *       {@code MemoryRecordsBuilder} into a reused heap buffer: varint record encoding,
 *       compression with Kafka's default level, batch header and CRC-32C. See
 *       {@link KafkaBatches#encode}.</li>
 *   <li>{@code kafkaDecode}: one encoded batch (a heap buffer, as a consumer holds it after a fetch)
 *       through {@code MemoryRecords.readableRecords(..).batches()}, {@code ensureValid()} and the
 *       streaming record iterator, every record's offset, timestamp, key and value views and headers
 *       handed to a Blackhole. See {@link KafkaBatches#decode}.</li>
 * </ul>
 * Both cycle through the workload's distinct batches ({@code poolBatches}, 256 by default), one per op.
 *
 * <p><b>Rivven twins</b> ({@link RivvenState}, same {@link Params}, same data):
 * <ul>
 *   <li>{@code rivvenEncode}: the same pool records of batch {@code next++} (same timestamps via
 *       {@link Workload#timestamp(long, int)}), the workload's key and value arrays handed to a
 *       reused {@link RecordBatchWriter} over a heap buffer as Kafka's side hands them to its
 *       builder ({@link RecordBatchWriter#append(long, byte[], byte[])}; with headers, each record
 *       made a {@link io.rivven.core.record.Record} over the arrays, no copy): base offset 0, no
 *       producer id, the codec from the codec module with Kafka's default level (see
 *       {@link RivvenBatches}); returns the writer's view of the batch.</li>
 *   <li>{@code rivvenDecode}: the batches Rivven's writer produced for the pool (heap buffers),
 *       a reused {@link RecordBatch} flyweight, {@code ensureValid()} (size bounds, magic, CRC-32C,
 *       counts), then a reused {@link RecordCursor} over every record (decompressing once per
 *       batch into a reused buffer, as Kafka's cached {@code BufferSupplier}: see
 *       {@link ReusingAllocator}), every record's offset, timestamp, key and value views and
 *       headers handed to the Blackhole. See {@link RivvenBatches#decode}.</li>
 * </ul>
 *
 * <p><b>The floor</b> ({@code floorCopyCrc}, neither side): what any encoder of an uncompressed
 * batch must at least do, and nothing else: the batch's 100 keys and values copied one after the
 * other ({@code System.arraycopy}) into a reused heap array, then CRC-32C over the copy. No varints,
 * no batch header, headers not copied. It is the same whatever the {@code codec} parameter; run it
 * with {@code -p codec=none -p headers=0} beside the uncompressed encode to see how close both sides
 * are to the memory's limit on the machine at hand.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchCodecBench {

    /** The parameters and data every twin shares. */
    @State(Scope.Benchmark)
    public static class Params {
        /** Batch compression codec: none, lz4, zstd, snappy, gzip (Kafka's default levels). */
        @Param({"none", "lz4", "zstd", "snappy", "gzip"})
        public String codec;

        /** Headers per record (0 to 4); they count in the 1 KiB. */
        @Param({"0"})
        public int headers;

        /**
         * Distinct batches cycled through ({@link Workload#poolBatches()}). The default 256 (25 MiB)
         * is more than the CPU caches hold, so every op reads its records from memory, as an encoder
         * of records made long before would; a few batches (8 = 800 KiB) stay in the caches, as the
         * records a producer encodes right after the application made them.
         */
        @Param({"256"})
        public int poolBatches;

        Workload workload;

        @Setup(Level.Trial)
        public void setup() {
            workload = Workload.create(Workload.DEFAULT_RECORD_BYTES, Workload.DEFAULT_RECORDS_PER_BATCH, poolBatches,
                    headers, Workload.DEFAULT_SEED);
        }
    }

    /** Kafka's side: the workload in Kafka's record classes. */
    @State(Scope.Thread)
    public static class KafkaState {
        KafkaBatches batches;
        ByteBuffer buffer;
        ByteBuffer[] encoded;
        BufferSupplier supplier;
        long next;

        @Setup(Level.Trial)
        public void setup(Params p) {
            batches = new KafkaBatches(p.workload, p.codec);
            buffer = ByteBuffer.allocate(batches.batchBufferCapacity());
            MemoryRecords[] all = batches.encodeAll(p.workload.poolBatches());
            encoded = new ByteBuffer[all.length];
            for (int i = 0; i < all.length; i++) {
                encoded[i] = all[i].buffer();
            }
            supplier = BufferSupplier.create();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            supplier.close();
        }
    }

    @Benchmark
    public MemoryRecords kafkaEncode(KafkaState s) {
        return s.batches.encode(s.next++, s.buffer);
    }

    @Benchmark
    public int kafkaDecode(KafkaState s, Blackhole bh) {
        ByteBuffer batch = s.encoded[(int) (s.next++ % s.encoded.length)].duplicate();
        int records = 0;
        for (MutableRecordBatch b : MemoryRecords.readableRecords(batch).batches()) {
            records += KafkaBatches.decode(b, s.supplier, bh);
        }
        return records;
    }

    /** Rivven's side: the workload in Rivven's record classes, a reused writer, flyweight and cursor. */
    @State(Scope.Thread)
    public static class RivvenState {
        RivvenBatches batches;
        RecordBatchWriter writer;
        ByteBuffer[] encoded;
        RecordBatch view;
        RecordCursor cursor;
        long next;

        @Setup(Level.Trial)
        public void setup(Params p) {
            batches = new RivvenBatches(p.workload, p.codec);
            writer = new RecordBatchWriter(BufferAllocator.HEAP, batches.batchBufferCapacity());
            encoded = batches.encodeAll(p.workload.poolBatches());
            view = new RecordBatch();
            cursor = RivvenBatches.cursor(new ReusingAllocator());
            KafkaBatches kafka = new KafkaBatches(p.workload, p.codec);
            int identical = 0;
            long rivvenBytes = 0;
            long kafkaBytes = 0;
            for (int b = 0; b < encoded.length; b++) {
                RivvenBatches.check(view.wrap(encoded[b], 0), cursor, p.workload.recordsPerBatch());
                ByteBuffer k = kafka.encodeCopy(b).buffer();
                identical += k.equals(encoded[b]) ? 1 : 0;
                rivvenBytes += encoded[b].remaining();
                kafkaBytes += k.remaining();
            }
            System.out.println("# " + p.codec + ": " + identical + " of " + encoded.length
                    + " Rivven batches byte-identical to Kafka's; " + rivvenBytes + " bytes, Kafka's " + kafkaBytes);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            writer.close();
            cursor.close();
        }
    }

    /** The floor's reused copy target and checksum. */
    @State(Scope.Thread)
    public static class FloorState {
        byte[] buffer;
        final CRC32C crc = new CRC32C();
        long next;

        @Setup(Level.Trial)
        public void setup(Params p) {
            buffer = new byte[(int) p.workload.batchPayloadBytes()];
        }
    }

    @Benchmark
    public long floorCopyCrc(Params p, FloorState s) {
        Workload w = p.workload;
        long batch = s.next++;
        byte[] b = s.buffer;
        int pos = 0;
        for (int i = 0, n = w.recordsPerBatch(); i < n; i++) {
            int r = w.poolRecord(batch, i);
            byte[] key = w.key(r);
            byte[] value = w.value(r);
            System.arraycopy(key, 0, b, pos, key.length);
            pos += key.length;
            System.arraycopy(value, 0, b, pos, value.length);
            pos += value.length;
        }
        s.crc.reset();
        s.crc.update(b, 0, pos);
        return s.crc.getValue();
    }

    @Benchmark
    public ByteBuffer rivvenEncode(RivvenState s) {
        return s.batches.encode(s.next++, s.writer);
    }

    @Benchmark
    public int rivvenDecode(RivvenState s, Blackhole bh) {
        ByteBuffer batch = s.encoded[(int) (s.next++ % s.encoded.length)];
        return RivvenBatches.decode(s.view.wrap(batch, 0), s.cursor, bh);
    }
}
