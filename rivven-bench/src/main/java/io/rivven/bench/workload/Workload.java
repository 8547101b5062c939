package io.rivven.bench.workload;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The one workload every benchmark uses, Kafka's side and Rivven's alike: deterministic
 * JSON-like records of exactly {@link #recordBytes()} bytes each (key + value + headers),
 * grouped in batches of {@link #recordsPerBatch()} records.
 *
 * <h2>Records</h2>
 * A record's key is {@code "user-<n>"} (skewed towards small {@code n}, so keys repeat as in a
 * real topic); its value is a JSON object describing a web-shop event (ids, a timestamp, page,
 * device, geo position, a cart with prices, tags and a free-text note) whose field values vary
 * from record to record, so codecs see realistic redundancy rather than a constant or random
 * bytes. The note is cut so that key + value + header keys + header values is exactly
 * {@code recordBytes}. The first record of the standard workload (shortened):
 * <pre>
 * key   user-45457
 * value {"event_id":"a2a9fecbdee6957e","ts":1767225600005,"type":"checkout","user":"user-45457",
 *        "session":"30e9b0ed-d384","page":"/search/fashion/jacket-628", ... ,"note":"available to ..."}
 * </pre>
 *
 * <h2>Pool and passes</h2>
 * Generating JSON is not what is measured, so the workload generates a pool of
 * {@link #poolBatches()} distinct batches once (256 batches = 25 MiB by default: more than the CPU
 * caches hold) and a pass over {@code totalBytes} cycles through the pool: batch {@code b} of a
 * pass uses pool batch {@code b % poolBatches}. Timestamps are not pooled:
 * {@link #timestamp(long, int)} gives record {@code i} of batch {@code b} the timestamp
 * {@code BASE_TIMESTAMP + b * recordsPerBatch + i}, so a log written batch after batch in pass
 * order has strictly increasing timestamps (one millisecond per record) and timestamp lookups
 * have a well-defined answer.
 *
 * <h2>Bytes</h2>
 * Throughput everywhere in rivven-bench is counted in <em>payload bytes</em>: key + value +
 * header bytes, before any batch framing or compression. A batch is therefore exactly
 * {@link #batchPayloadBytes()} bytes (102,400 by default) whatever the codec or the format.
 *
 * <p>Immutable after construction and safe to share between threads; the returned arrays are the
 * workload's own and must not be modified.
 */
public final class Workload {

    /** Payload bytes per record (key + value + headers): 1 KiB. */
    public static final int DEFAULT_RECORD_BYTES = 1024;
    /** Records per batch. */
    public static final int DEFAULT_RECORDS_PER_BATCH = 100;
    /** Distinct batches generated (25 MiB with the defaults). */
    public static final int DEFAULT_POOL_BATCHES = 256;
    /** Timestamp of the first record of a pass: 2026-01-01T00:00:00Z. */
    public static final long BASE_TIMESTAMP = 1_767_225_600_000L;
    /** The seed of the standard workload; changing it changes every benchmark's data. */
    public static final long DEFAULT_SEED = 0x5217_7E4D_0001L;
    /** Smallest record the JSON generator can fill exactly. */
    public static final int MIN_RECORD_BYTES = 512;
    /** Distinct user ids keys are drawn from. */
    public static final int USERS = 100_000;

    /** A record header: a string key and a byte value, as Kafka's and Rivven's records have. */
    public record Header(String key, byte[] value) {
        public Header {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    private static final Header[] NO_HEADERS = new Header[0];

    private final int recordBytes;
    private final int recordsPerBatch;
    private final int poolBatches;
    private final int headersPerRecord;
    private final byte[][] keys;
    private final byte[][] values;
    private final Header[][] headers;

    private Workload(int recordBytes, int recordsPerBatch, int poolBatches, int headersPerRecord, long seed) {
        this.recordBytes = recordBytes;
        this.recordsPerBatch = recordsPerBatch;
        this.poolBatches = poolBatches;
        this.headersPerRecord = headersPerRecord;
        int n = Math.multiplyExact(poolBatches, recordsPerBatch);
        keys = new byte[n][];
        values = new byte[n][];
        headers = new Header[n][];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int user = (int) (USERS * Math.pow(random.nextDouble(), 2.0));
            keys[i] = ("user-" + user).getBytes(StandardCharsets.UTF_8);
            headers[i] = headers(random, headersPerRecord);
            int valueBytes = recordBytes - keys[i].length - headerBytes(headers[i]);
            values[i] = JsonEvents.event(random, i, user, valueBytes);
        }
    }

    /**
     * The standard workload: 1 KiB records, 100 per batch, a pool of 256 batches, the standard seed.
     *
     * @param headersPerRecord 0 to 4 headers per record (trace id, source, content type, schema version)
     */
    public static Workload standard(int headersPerRecord) {
        return create(DEFAULT_RECORD_BYTES, DEFAULT_RECORDS_PER_BATCH, DEFAULT_POOL_BATCHES, headersPerRecord,
                DEFAULT_SEED);
    }

    /**
     * A workload with other dimensions.
     *
     * @throws IllegalArgumentException when a dimension is out of range (the message names it and the range)
     */
    public static Workload create(int recordBytes, int recordsPerBatch, int poolBatches, int headersPerRecord,
                                  long seed) {
        check("recordBytes", recordBytes, MIN_RECORD_BYTES, 1 << 20);
        check("recordsPerBatch", recordsPerBatch, 1, 100_000);
        check("poolBatches", poolBatches, 1, 1 << 16);
        check("headersPerRecord", headersPerRecord, 0, HEADER_KEYS.length);
        return new Workload(recordBytes, recordsPerBatch, poolBatches, headersPerRecord, seed);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("workload " + name + " must be between " + min + " and " + max
                    + ", got " + value);
        }
    }

    public int recordBytes() {
        return recordBytes;
    }

    public int recordsPerBatch() {
        return recordsPerBatch;
    }

    public int poolBatches() {
        return poolBatches;
    }

    public int headersPerRecord() {
        return headersPerRecord;
    }

    /** Payload bytes of one batch: {@code recordBytes * recordsPerBatch}. */
    public long batchPayloadBytes() {
        return (long) recordBytes * recordsPerBatch;
    }

    /** Batches in a pass over at least {@code totalBytes} payload bytes (rounded up to whole batches). */
    public long batchesPerPass(long totalBytes) {
        if (totalBytes <= 0) {
            throw new IllegalArgumentException("totalBytes must be > 0, got " + totalBytes);
        }
        return (totalBytes + batchPayloadBytes() - 1) / batchPayloadBytes();
    }

    /** Payload bytes of a pass over {@code totalBytes}: whole batches, so slightly more than asked. */
    public long passPayloadBytes(long totalBytes) {
        return batchesPerPass(totalBytes) * batchPayloadBytes();
    }

    /** Index into the pool ({@link #key(int)} etc.) of record {@code i} of batch {@code batch} of a pass. */
    public int poolRecord(long batch, int i) {
        return (int) (batch % poolBatches) * recordsPerBatch + i;
    }

    /** Timestamp of record {@code i} of batch {@code batch} of a pass: strictly increasing in pass order. */
    public long timestamp(long batch, int i) {
        return BASE_TIMESTAMP + batch * recordsPerBatch + i;
    }

    /** Timestamp of the first record of batch {@code batch} of a pass. */
    public long firstTimestamp(long batch) {
        return timestamp(batch, 0);
    }

    public byte[] key(int poolRecord) {
        return keys[poolRecord];
    }

    public byte[] value(int poolRecord) {
        return values[poolRecord];
    }

    /** The record's headers; an empty array when {@link #headersPerRecord()} is 0. */
    public Header[] headers(int poolRecord) {
        return headers[poolRecord];
    }

    // ---------------------------------------------------------------------------------------------

    private static final String[] HEADER_KEYS = {"trace-id", "source", "content-type", "schema-version"};
    private static final String[] SOURCES = {"web", "ios", "android", "partner-api"};

    private static Header[] headers(SplittableRandom random, int count) {
        if (count == 0) {
            return NO_HEADERS;
        }
        Header[] result = new Header[count];
        for (int h = 0; h < count; h++) {
            String value = switch (h) {
                case 0 -> JsonEvents.hex(random, 32);
                case 1 -> SOURCES[random.nextInt(SOURCES.length)];
                case 2 -> "application/json";
                default -> "3";
            };
            result[h] = new Header(HEADER_KEYS[h], value.getBytes(StandardCharsets.UTF_8));
        }
        return result;
    }

    private static int headerBytes(Header[] headers) {
        int n = 0;
        for (Header h : headers) {
            n += h.key().getBytes(StandardCharsets.UTF_8).length + h.value().length;
        }
        return n;
    }

    /** Prints the workload's shape and a sample record: {@code java ... io.rivven.bench.workload.Workload [headers]}. */
    public static void main(String[] args) {
        Workload w = standard(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.printf("records of %d B in batches of %d (%d B payload per batch), pool of %d batches (%.1f MiB)%n",
                w.recordBytes(), w.recordsPerBatch(), w.batchPayloadBytes(), w.poolBatches(),
                w.poolBatches() * w.batchPayloadBytes() / 1048576.0);
        System.out.println("key     " + new String(w.key(0), StandardCharsets.UTF_8));
        for (Header h : w.headers(0)) {
            System.out.println("header  " + h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
        }
        System.out.println("value   " + new String(w.value(0), StandardCharsets.UTF_8));
    }
}
