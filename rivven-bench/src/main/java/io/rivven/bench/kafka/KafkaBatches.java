package io.rivven.bench.kafka;

import io.rivven.bench.workload.Workload;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@link Workload} in Kafka's record classes (kafka-clients 4.3,
 * {@code org.apache.kafka.common.record.internal}): encoding with {@link MemoryRecordsBuilder} as
 * Kafka's producer does, and decoding as Kafka's consumer does.
 *
 * <p>Codecs use Kafka's defaults, which a Rivven twin must match to be comparable: gzip level 6
 * ({@code Deflater.DEFAULT_COMPRESSION}), lz4 level 9 (= lz4-java's fast compressor, 64 KiB
 * frame blocks), zstd level 3, snappy (xerial stream framing, no level).
 *
 * <p>An instance converts the workload's headers once; it is immutable and thread-safe except that
 * {@link #encode} writes into the caller's buffer.
 */
public final class KafkaBatches {

    private final Workload workload;
    private final String codec;
    private final Compression compression;
    private final Header[][] headers;

    public KafkaBatches(Workload workload, String codec) {
        this.workload = workload;
        this.codec = codec;
        this.compression = compression(codec);
        int n = workload.poolBatches() * workload.recordsPerBatch();
        headers = new Header[n][];
        for (int i = 0; i < n; i++) {
            Workload.Header[] hs = workload.headers(i);
            headers[i] = new Header[hs.length];
            for (int h = 0; h < hs.length; h++) {
                headers[i][h] = new RecordHeader(hs[h].key(), hs[h].value());
            }
        }
    }

    /**
     * Kafka's compression for a codec name with Kafka's default level.
     *
     * @throws IllegalArgumentException for a name that is not none, gzip, snappy, lz4 or zstd
     */
    public static Compression compression(String codec) {
        return switch (codec) {
            case "none" -> Compression.NONE;
            case "gzip" -> Compression.gzip().build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().build();
            case "zstd" -> Compression.zstd().build();
            default -> throw new IllegalArgumentException("unknown codec '" + codec
                    + "' (benchmark parameter codec); available: gzip, lz4, none, snappy, zstd");
        };
    }

    public Workload workload() {
        return workload;
    }

    public String codec() {
        return codec;
    }

    public Compression compression() {
        return compression;
    }

    /** A buffer capacity that holds one encoded batch of this workload, compressed or not, without growing. */
    public int batchBufferCapacity() {
        long records = workload.recordsPerBatch();
        return (int) (workload.batchPayloadBytes() + records * (32 + 8L * workload.headersPerRecord()) + 64 * 1024);
    }

    /**
     * Encodes batch {@code batch} of a pass as Kafka's producer does: one {@link MemoryRecordsBuilder}
     * (magic v2, CreateTime, base offset 0, no producer id) appending the batch's records, then
     * {@code build()} (which compresses and writes header and CRC). The batch is written at the
     * start of {@code buffer} (cleared first); the result is valid until the buffer is reused.
     */
    public MemoryRecords encode(long batch, ByteBuffer buffer) {
        buffer.clear();
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE, compression,
                TimestampType.CREATE_TIME, 0L);
        int records = workload.recordsPerBatch();
        for (int i = 0; i < records; i++) {
            int r = workload.poolRecord(batch, i);
            builder.append(workload.timestamp(batch, i), workload.key(r), workload.value(r), headers[r]);
        }
        return builder.build();
    }

    /** Batch {@code batch} of a pass encoded into a buffer of its own (for setups, not measured). */
    public MemoryRecords encodeCopy(long batch) {
        MemoryRecords records = encode(batch, ByteBuffer.allocate(batchBufferCapacity()));
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer()).flip();
        return MemoryRecords.readableRecords(copy);
    }

    /** The first {@code count} batches of a pass, each encoded into a buffer of its own. */
    public MemoryRecords[] encodeAll(int count) {
        MemoryRecords[] all = new MemoryRecords[count];
        for (int b = 0; b < count; b++) {
            all[b] = encodeCopy(b);
        }
        return all;
    }

    /**
     * Decodes one batch as Kafka's consumer does with {@code check.crcs=true}:
     * {@code ensureValid()} (size, magic and CRC-32C over the batch), then its
     * {@code streamingIterator} (decompressing through {@code supplier}'s cached buffers), giving
     * every record's offset, timestamp, key and value views and headers to {@code bh}. Payload
     * bytes are not copied here beyond what Kafka's iterator does itself (none for uncompressed
     * batches: key and value are slices of the batch buffer).
     *
     * @return the number of records read
     */
    public static int decode(RecordBatch batch, BufferSupplier supplier, Blackhole bh) {
        batch.ensureValid();
        int n = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(supplier)) {
            while (it.hasNext()) {
                Record r = it.next();
                bh.consume(r.offset());
                bh.consume(r.timestamp());
                bh.consume(r.key());
                bh.consume(r.value());
                bh.consume(r.headers());
                n++;
            }
        }
        return n;
    }
}
