package io.rivven.core.config;

/**
 * The bounds of one storage tier: {@code "hot": {"maxBytes": …, "maxAgeMs": …}} (or {@code "warm"}).
 * Data beyond either bound moves to the next tier.
 *
 * @param maxBytes the tier's size limit in bytes; {@value #UNLIMITED} = none (warm tier only)
 * @param maxAgeMs the age after which data leaves the tier; {@value #UNLIMITED} = none (warm tier only)
 */
public record TierLimits(long maxBytes, long maxAgeMs) {

    /** No limit. */
    public static final long UNLIMITED = -1;

    public TierLimits {
        if (maxBytes < UNLIMITED || maxAgeMs < UNLIMITED) {
            throw new IllegalArgumentException("invalid tier limits: " + maxBytes + " bytes, " + maxAgeMs + " ms");
        }
    }
}
