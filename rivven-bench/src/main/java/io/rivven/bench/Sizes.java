package io.rivven.bench;

/** Size parameters in MiB turned into bytes, the same way for every twin. Stateless. */
public final class Sizes {

    private Sizes() {
    }

    /** {@code mib} MiB in bytes. */
    public static long mib(int mib) {
        return (long) mib << 20;
    }

    /** A segment size parameter in bytes, capped at {@code Integer.MAX_VALUE} (Kafka's limit). */
    public static int segmentBytes(int segmentMiB) {
        return (int) Math.min(mib(segmentMiB), Integer.MAX_VALUE);
    }
}
