package io.rivven.bench;

/**
 * The values of the storage benchmarks' {@code flush} parameter, named as Rivven's
 * {@code flush.mode}: {@code os} (page cache, no fsync while appending) and {@code interval}
 * (group commit by time). Stateless.
 */
public final class FlushMode {

    public static final String OS = "os";
    public static final String INTERVAL = "interval";

    private FlushMode() {
    }

    /** @throws IllegalArgumentException for any other value, naming the accepted ones */
    public static void check(String flush) {
        if (!OS.equals(flush) && !INTERVAL.equals(flush)) {
            throw new IllegalArgumentException("unknown flush mode '" + flush
                    + "' (benchmark parameter flush); accepted: interval, os");
        }
    }
}
