package io.rivven.cli.bench;

/**
 * Latencies in nanoseconds, recorded into log-linear buckets (as HdrHistogram does, with two
 * significant binary digits more): values below 128 are exact, larger ones fall into one of 64
 * buckets per power of two, so a reported percentile is at most 1/64 (1.6 %) above the true value
 * (it reports the bucket's upper bound, capped at the exact maximum). Fixed memory (about 30 KiB)
 * however many values are recorded.
 *
 * <p>Not thread-safe: one recording thread.
 */
public final class LatencyHistogram {

    private static final int EXACT = 128;
    private static final int SUB_BUCKETS = 64;
    private static final int SUB_BITS = 6;
    private static final int BUCKETS = EXACT + (63 - SUB_BITS) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long max;
    private long min = Long.MAX_VALUE;
    private double sum;

    /** Records one value (negative values count as 0). */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        count++;
        sum += v;
        max = Math.max(max, v);
        min = Math.min(min, v);
    }

    static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);  // >= 7
        int shift = msb - SUB_BITS;                    // >= 1
        int top = (int) (v >>> shift);                 // 64..127
        return EXACT + (shift - 1) * SUB_BUCKETS + (top - SUB_BUCKETS);
    }

    /** The largest value that falls into bucket {@code i}. */
    static long upperBound(int i) {
        if (i < EXACT) {
            return i;
        }
        int shift = (i - EXACT) / SUB_BUCKETS + 1;
        long top = SUB_BUCKETS + (i - EXACT) % SUB_BUCKETS;
        return ((top + 1) << shift) - 1;
    }

    public long count() {
        return count;
    }

    public long max() {
        return count == 0 ? 0 : max;
    }

    public long min() {
        return count == 0 ? 0 : min;
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /**
     * The value at {@code percentile} (0..100): the smallest recorded value such that at least that
     * share of the values are at or below it, to the bucket's precision.
     */
    public long percentile(double percentile) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
