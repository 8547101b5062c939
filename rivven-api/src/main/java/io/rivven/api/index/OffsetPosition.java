package io.rivven.api.index;

import io.rivven.api.Stable;

/**
 * An offset index entry: the batch holding {@code offset} starts at byte {@code position} of the log.
 *
 * @param offset   an absolute offset
 * @param position a byte position in the segment's log file
 */
@Stable
public record OffsetPosition(long offset, long position) {
}
