package io.rivven.api.index;

import io.rivven.api.Stable;

/** An index that maps offsets to log positions (the built-in {@code offset} index). */
@Stable
public interface OffsetLookup {

    /**
     * The entry with the largest offset {@code <= target}; when there is none, the segment's base
     * offset at position 0. The caller scans forward from the returned position.
     */
    OffsetPosition lookup(long target);
}
