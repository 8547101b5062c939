package io.rivven.bench.rivven;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.bench.workload.Workload;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@link Workload} in Rivven's record classes: records as {@link Record}s, encoded with
 * {@link RecordBatchWriter} and decoded with {@link RecordBatch#ensureValid()} and a
 * {@link RecordCursor}: the counterpart of {@link io.rivven.bench.kafka.KafkaBatches}.
 *
 * <p>Codecs come from the codec modules on the class path, found as the engine finds them
 * ({@link PluginLoader}: {@code ServiceLoader} over {@code io.rivven.api.codec.CodecProvider}), with
 * their default options, which are Kafka's defaults: gzip level 6, lz4 level 9 (lz4-java's fast
 * compressor, 64 KiB blocks), zstd level 3, snappy (xerial framing). {@code none} encodes
 * uncompressed.
 *
 * <p>Encoding takes the workload's byte arrays per op, as Kafka's side does: Kafka's
 * {@code MemoryRecordsBuilder.append(timestamp, key, value, headers)} takes the arrays (and wraps
 * them in {@code ByteBuffer}s), Rivven's twin {@link RecordBatchWriter#append(long, byte[], byte[])}
 * takes them as they are. Records with headers go through {@link Record}s made per op over the same
 * arrays ({@link Record#of(long, ByteBuffer, ByteBuffer, List)}: no copy). Headers are converted
 * once (as Kafka's side converts them once to {@code RecordHeader}s). The engine's appends
 * ({@link #records}) always hand it {@link Record}s.
 *
 * <p>Immutable and thread-safe except for the writer, cursor and list the caller passes in.
 */
public final class RivvenBatches {

    private static volatile Plugins plugins;

    private final Workload workload;
    private final String codecName;
    private final Codec codec; // null for none
    private final List<List<Header>> headers;

    /**
     * @throws io.rivven.core.plugin.PluginNotFoundException for a codec that no module on the class path provides
     */
    public RivvenBatches(Workload workload, String codec) {
        this.workload = workload;
        this.codecName = codec;
        this.codec = codec(codec);
        int n = workload.poolBatches() * workload.recordsPerBatch();
        headers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Workload.Header[] hs = workload.headers(i);
            List<Header> list = new ArrayList<>(hs.length);
            for (Workload.Header h : hs) {
                list.add(Header.of(h.key(), h.value()));
            }
            headers.add(List.copyOf(list));
        }
    }

    /** Every provider on the class path, loaded once per JVM (as the engine loads them). */
    public static Plugins plugins() {
        Plugins p = plugins;
        if (p == null) {
            synchronized (RivvenBatches.class) {
                p = plugins;
                if (p == null) {
                    p = PluginLoader.create().load();
                    plugins = p;
                }
            }
        }
        return p;
    }

    /**
     * The codec named {@code name} with its default options (Kafka's default levels), or null for
     * {@code none}.
     */
    public static Codec codec(String name) {
        Codec c = plugins().codecs().create(PluginSpec.of(name, "rivven-bench codec parameter"));
        return c.id() == 0 ? null : c;
    }

    /** Decompresses batches by the codec id in their attributes, with every codec on the class path. */
    public static CodecResolver codecResolver() {
        return plugins().codecs()::forId;
    }

    public Workload workload() {
        return workload;
    }

    public String codecName() {
        return codecName;
    }

    /** The codec, or null for none. */
    public Codec codec() {
        return codec;
    }

    /** A buffer capacity that holds one encoded batch, compressed or not, without growing. */
    public int batchBufferCapacity() {
        long records = workload.recordsPerBatch();
        return (int) (workload.batchPayloadBytes() + records * (32 + 8L * workload.headersPerRecord()) + 64 * 1024);
    }

    /** Record {@code i} of batch {@code batch} of a pass: views of the pool's arrays, its own timestamp. */
    public Record record(long batch, int i) {
        int r = workload.poolRecord(batch, i);
        long ts = workload.timestamp(batch, i);
        if (workload.headersPerRecord() == 0) {
            return Record.of(ts, workload.key(r), workload.value(r));
        }
        return Record.of(ts, ByteBuffer.wrap(workload.key(r)), ByteBuffer.wrap(workload.value(r)), headers.get(r));
    }

    /** The records of batch {@code batch} of a pass, in {@code reuse} (cleared first), which is returned. */
    public List<Record> records(long batch, List<Record> reuse) {
        reuse.clear();
        int n = workload.recordsPerBatch();
        for (int i = 0; i < n; i++) {
            reuse.add(record(batch, i));
        }
        return reuse;
    }

    /**
     * Encodes batch {@code batch} of a pass with {@code writer} (reset first): base offset 0, no
     * producer id, create time, this codec. The result is the writer's view, valid until its next reset.
     */
    public ByteBuffer encode(long batch, RecordBatchWriter writer) {
        writer.reset(0, codec);
        int n = workload.recordsPerBatch();
        if (workload.headersPerRecord() == 0) {
            for (int i = 0; i < n; i++) { // the arrays themselves, as Kafka's side hands them to its builder
                int r = workload.poolRecord(batch, i);
                writer.append(workload.timestamp(batch, i), workload.key(r), workload.value(r));
            }
        } else {
            for (int i = 0; i < n; i++) {
                writer.append(record(batch, i));
            }
        }
        return writer.build();
    }

    /** Batch {@code batch} of a pass in a heap buffer of its own, exactly its size (setup helper). */
    public ByteBuffer encodeCopy(long batch) {
        try (RecordBatchWriter w = new RecordBatchWriter(BufferAllocator.HEAP, batchBufferCapacity())) {
            ByteBuffer b = encode(batch, w);
            ByteBuffer copy = ByteBuffer.allocate(b.remaining());
            copy.put(b).flip();
            return copy;
        }
    }

    /** The first {@code count} batches of a pass, each in a buffer of its own. */
    public ByteBuffer[] encodeAll(int count) {
        ByteBuffer[] all = new ByteBuffer[count];
        for (int b = 0; b < count; b++) {
            all[b] = encodeCopy(b);
        }
        return all;
    }

    /** A cursor that decompresses with every codec on the class path into buffers from {@code allocator}. */
    public static RecordCursor cursor(BufferAllocator allocator) {
        return new RecordCursor(codecResolver(), allocator);
    }

    /**
     * Decodes one batch as {@link io.rivven.bench.kafka.KafkaBatches#decode} does on Kafka's side:
     * {@link RecordBatch#ensureValid()} (size bounds, magic, CRC-32C, counts), then every record
     * through {@code cursor} (decompressing once into the cursor's allocator when compressed),
     * giving every record's offset, timestamp, key and value views and headers to {@code bh}.
     *
     * @return the number of records read
     */
    public static int decode(RecordBatch batch, RecordCursor cursor, Blackhole bh) {
        batch.ensureValid();
        int n = 0;
        cursor.reset(batch);
        while (cursor.next()) {
            bh.consume(cursor.offset());
            bh.consume(cursor.timestamp());
            bh.consume(cursor.key());
            bh.consume(cursor.value());
            bh.consume(cursor.headers());
            n++;
        }
        return n;
    }

    /**
     * Setup check: {@code batch} is valid and decodes to {@code records} records with keys and values.
     *
     * @throws IllegalStateException if not
     */
    public static void check(RecordBatch batch, RecordCursor cursor, int records) {
        batch.ensureValid();
        int n = 0;
        cursor.reset(batch);
        while (cursor.next()) {
            if (!cursor.hasKey() || !cursor.hasValue()) {
                throw new IllegalStateException("record " + n + " of " + batch + " has no key or value");
            }
            n++;
        }
        if (n != records) {
            throw new IllegalStateException(batch + " decoded to " + n + " records, expected " + records);
        }
    }
}
