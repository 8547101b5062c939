package io.rivven.api.index;

import io.rivven.api.Stable;

/** An index that maps timestamps to offsets (the built-in {@code time} index). */
@Stable
public interface TimeLookup {

    /**
     * The entry with the largest timestamp {@code <= timestamp}; when there is none, the
     * segment's base offset with timestamp -1. The caller scans forward from that offset for the
     * first record with a timestamp {@code >= timestamp}.
     */
    TimestampOffset lookupByTime(long timestamp);

    /** The last entry (the segment's largest timestamp so far), or base offset / -1 when empty. */
    TimestampOffset lastEntry();
}
