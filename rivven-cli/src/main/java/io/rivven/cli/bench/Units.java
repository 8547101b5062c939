package io.rivven.cli.bench;

import java.util.Locale;

/** How {@code rivven bench} prints numbers: grouped integers, durations with a fitting unit, MB = 10^6 bytes. Stateless. */
public final class Units {

    private Units() {
    }

    /** {@code 1,234,567}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 812 ns}, {@code 105.2 µs}, {@code 2.10 ms}, {@code 1.05 s}. */
    public static String nanos(double ns) {
        if (ns < 1_000) {
            return String.format(Locale.ROOT, "%.0f ns", ns);
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }

    /** {@code 1,024.0 MB} (10^6 bytes). */
    public static String mb(double bytes) {
        return String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }

    /** Bytes per second as {@code 812.3 MB/s}. */
    public static String mbPerSecond(double bytes, long nanos) {
        return String.format(Locale.ROOT, "%,.1f MB/s", nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9));
    }

    /** Items per second as {@code 813,008}. */
    public static String perSecond(long n, long nanos) {
        return String.format(Locale.ROOT, "%,.0f", nanos <= 0 ? 0 : n / (nanos / 1e9));
    }

    /** {@code 1.234 s}. */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }
}
