package io.rivven.cli.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The record values {@code rivven bench} appends: JSON-like text of exactly {@code recordSize}
 * bytes (ASCII), a web-shop event whose fields are drawn from small vocabularies and random numbers
 * and padded with free text, so that it compresses about as well as real JSON events (lz4 roughly
 * 2-3x). A value shorter than the event's fixed fields is the event's first {@code recordSize}
 * bytes.
 *
 * <p>A pool of distinct values is generated once (seeded: every run appends the same bytes) and
 * cycled through, so that generating data costs nothing during the measurement: up to 4,096 values
 * and at most 64 MiB, always more values than a batch of 100 holds at the default 1 KiB.
 *
 * <p>Thread-safe after construction (values are read-only views).
 */
public final class Workload {

    /** At most this many bytes of distinct values are generated. */
    static final long MAX_POOL_BYTES = 64L << 20;
    static final int MAX_POOL_VALUES = 4096;

    private static final String[] TYPES = {"page_view", "page_view", "search", "add_to_cart", "checkout", "purchase", "login"};
    private static final String[] CATEGORIES = {"garden", "kitchen", "books", "toys", "outdoor", "audio", "office", "bikes"};
    private static final String[] NOUNS = {"rain-barrel", "chef-knife", "sleeping-bag", "headphones", "desk-lamp", "bike-pump"};
    private static final String[] CITIES = {"Berlin", "Paris", "Seattle", "London", "Osaka", "Recife", "Pune", "Toronto"};
    private static final String[] BROWSERS = {"Chrome", "Firefox", "Safari", "Edge"};
    private static final String[] WORDS = ("the customer asked about delivery times for the order and wanted to know "
            + "whether express shipping was available before the weekend while comparing two similar models with "
            + "different colors sizes and prices then added a warranty but removed the accessory bundle").split(" ");

    private final ByteBuffer[] pool;
    private final int recordSize;

    /**
     * @param recordSize bytes per value (at least 1)
     * @param records    how many records will be appended (the pool is no larger)
     */
    public Workload(int recordSize, long records) {
        if (recordSize < 1) {
            throw new IllegalArgumentException("record size " + recordSize + " < 1");
        }
        this.recordSize = recordSize;
        long size = Math.min(Math.min(records, MAX_POOL_VALUES), Math.max(1, MAX_POOL_BYTES / recordSize));
        SplittableRandom random = new SplittableRandom(42);
        pool = new ByteBuffer[(int) Math.max(1, size)];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = ByteBuffer.wrap(event(random, i, recordSize)).asReadOnlyBuffer();
        }
    }

    /** The value of record {@code i}: a read-only buffer of {@link #recordSize()} bytes (shared: do not move its position). */
    public ByteBuffer value(long i) {
        return pool[(int) (i % pool.length)];
    }

    public int recordSize() {
        return recordSize;
    }

    /** Distinct values in the pool. */
    public int distinctValues() {
        return pool.length;
    }

    static byte[] event(SplittableRandom r, int index, int length) {
        StringBuilder sb = new StringBuilder(length + 64);
        sb.append("{\"event_id\":\"").append(Long.toHexString(r.nextLong())).append('"')
                .append(",\"ts\":").append(1_767_225_600_000L + index * 7L)
                .append(",\"type\":\"").append(pick(r, TYPES)).append('"')
                .append(",\"user\":\"user-").append(r.nextInt(100_000)).append('"')
                .append(",\"page\":\"/products/").append(pick(r, CATEGORIES)).append('/').append(pick(r, NOUNS))
                .append('-').append(r.nextInt(1000)).append('"')
                .append(",\"geo\":{\"city\":\"").append(pick(r, CITIES)).append("\",\"lat\":").append(r.nextInt(90))
                .append('.').append(r.nextInt(100)).append('}')
                .append(",\"browser\":\"").append(pick(r, BROWSERS)).append('"')
                .append(",\"amount\":").append(r.nextInt(100_000) / 100.0)
                .append(",\"note\":\"");
        String close = "\"}";
        if (sb.length() + close.length() <= length) {
            int room = length - close.length();
            while (sb.length() < room) {
                sb.append(pick(r, WORDS)).append(' ');
            }
            sb.setLength(room);
            sb.append(close);
        } else {
            sb.append(close);
            sb.setLength(length); // shorter than the event's fields: its first bytes
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String pick(SplittableRandom r, String[] from) {
        return from[r.nextInt(from.length)];
    }
}
