package io.rivven.api.index;

import io.rivven.api.Stable;

/**
 * A time index entry: up to {@code offset}, the largest timestamp seen is {@code timestamp}.
 *
 * @param timestamp ms since the epoch
 * @param offset    an absolute offset
 */
@Stable
public record TimestampOffset(long timestamp, long offset) {
}
