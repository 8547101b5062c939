package io.rivven.bench;

import io.rivven.bench.kafka.KafkaBatches;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
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
 * Both cycle through the workload's 256 distinct batches, one per op.
 *
 * <p><b>Rivven twins</b> (to add here when rivven-core has the batch writer and reader, not
 * before: no stub that measures nothing): {@code rivvenEncode(Params, RivvenState)} encoding the
 * same pool records of batch {@code next++} (same timestamps via
 * {@link Workload#timestamp(long, int)}, base offset 0, no producer id, same codec and level) into a
 * reused buffer of the same kind, returning the encoded batch; and
 * {@code rivvenDecode(Params, RivvenState, Blackhole)} reading the batches Rivven's writer produced
 * for the pool (byte-identical in layout to Kafka's), validating size, magic and CRC, and giving
 * every record's offset, timestamp, key and value (views, not copies) and headers to the Blackhole.
 * {@code RivvenState} takes {@link Params} in its {@code @Setup}, like {@link KafkaState}, so both
 * run with the same parameter set and data.
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

        Workload workload;

        @Setup(Level.Trial)
        public void setup() {
            workload = Workload.standard(headers);
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

    // rivvenEncode(Params p, RivvenState s) and rivvenDecode(Params p, RivvenState s, Blackhole bh)
    // go here: see the class comment for what they must do to be comparable.
}
