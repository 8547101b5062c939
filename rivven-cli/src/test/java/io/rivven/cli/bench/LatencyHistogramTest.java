package io.rivven.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(50, h.percentile(50));
        assertEquals(99, h.percentile(99));
        assertEquals(100, h.percentile(99.9));
        assertEquals(100, h.max());
        assertEquals(1, h.min());
        assertEquals(50.5, h.mean(), 1e-9);
        assertEquals(100, h.count());
    }

    @Test
    void percentilesAreWithinOneBucketOfTheExactValue() {
        SplittableRandom r = new SplittableRandom(7);
        long[] values = new long[100_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(r.nextDouble(2, 25)); // 7 ns .. 72 s, log-uniform
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {1, 50, 90, 99, 99.9, 100}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long got = h.percentile(p);
            assertTrue(got >= exact && got <= exact + exact / 64 + 1, "p" + p + ": " + got + " vs exact " + exact);
        }
        assertEquals(values[values.length - 1], h.max());
    }

    @Test
    void bucketsCoverEveryLongWithoutGaps() {
        long previousUpper = -1;
        for (int i = 0; i < 3776; i++) {
            long upper = LatencyHistogram.upperBound(i);
            assertEquals(i, LatencyHistogram.index(upper), "upper bound of bucket " + i);
            assertEquals(i, LatencyHistogram.index(previousUpper + 1), "lower bound of bucket " + i);
            previousUpper = upper;
            if (upper < 0 || upper == Long.MAX_VALUE) {
                break;
            }
        }
        assertEquals(Long.MAX_VALUE, LatencyHistogram.upperBound(LatencyHistogram.index(Long.MAX_VALUE)));
    }

    @Test
    void emptyIsZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(99));
        assertEquals(0, h.max());
        assertEquals(0, h.mean());
    }
}
