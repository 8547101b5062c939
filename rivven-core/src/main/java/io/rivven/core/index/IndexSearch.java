package io.rivven.core.index;

import java.lang.foreign.MemorySegment;

/**
 * The searches over the mapped entries of an {@link AbstractIndex}: the largest entry whose key is
 * {@code <=} a target, searching Kafka's "warm section" first ({@link #largestLowerBound}), and the
 * count of entries below an offset, for truncation ({@link #countBelow}). Keys and offsets are read
 * through the index's template ({@link AbstractIndex#searchKey}, {@link AbstractIndex#entryOffset}).
 *
 * <p>Stateless: safe from any thread. The caller passes the mapping and the entry count {@code n}
 * it read (at most the entries that fit the mapping), and guards against a concurrent remap or
 * truncation as {@link AbstractIndex} does (optimistic stamp or lock); these methods only read
 * slots {@code [0, n)}. Errors: none of their own; what the mapping throws when it is read after
 * being unmapped ({@link IllegalStateException}) propagates.
 */
final class IndexSearch {

    /** Size of the warm section searched first (see {@link #largestLowerBound}). */
    static final int WARM_SECTION_BYTES = 8192;

    private IndexSearch() {
    }

    /*
     * Why the search looks at the tail first (Kafka's "warm section", AbstractIndex).
     *
     * The mapping lives in the OS page cache, and almost every lookup targets the newest entries:
     * consumers and the tail of the log read near the end. A plain binary search over n entries
     * visits slots n/2, 3n/4, 7n/8, ... whatever the target, and those slots move to different
     * pages as the index grows. With 4 KiB pages and an index of 13 pages, a lookup in the last
     * page touches pages 0, 6, 9, 11 and 12; once page 13 starts, the same lookup touches pages
     * 0, 7, 10, 12 and 13, and pages 7 and 10 may not have been read for hours: they are cold,
     * and the lookup blocks on disk reads (Kafka saw produce latency jump to about a second).
     *
     * So the last WARM_SECTION_BYTES of entries (8 KiB: at most 3 pages, all of which every tail
     * lookup touches via its first probes, so they stay hot) are searched on their own whenever
     * the target lies inside them; only targets older than the warm section search the rest.
     * 8 KiB of entries covers the last ~1,000 offset entries, i.e. several MB of log at the
     * default interval. Both halves are ordinary binary searches, so the result is exactly the
     * one a plain binary search gives. Any key that increases from slot to slot works the same
     * way (the offset index is also searched by position: fetches read near the tail too).
     */

    /**
     * The largest slot in {@code [0, n)} whose {@code key} is {@code <= target}, or -1 when there
     * is none; {@code warmEntries} is the size of the warm section in entries.
     */
    static int largestLowerBound(AbstractIndex<?> index, MemorySegment segment, int n, int key, long target,
                                 int warmEntries) {
        if (n == 0) {
            return -1;
        }
        int firstWarm = Math.max(0, n - 1 - warmEntries);
        if (index.searchKey(segment, firstWarm, key) < target) {
            return binarySearch(index, segment, key, target, firstWarm, n - 1);
        }
        if (index.searchKey(segment, 0, key) > target) {
            return -1;
        }
        return binarySearch(index, segment, key, target, 0, firstWarm);
    }

    /** The largest slot in [lo, hi] whose {@code key} is {@code <= target}, given that the one of lo is. */
    private static int binarySearch(AbstractIndex<?> index, MemorySegment segment, int key, long target, int lo, int hi) {
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            long value = index.searchKey(segment, mid, key);
            if (value > target) {
                hi = mid - 1;
            } else if (value < target) {
                lo = mid;
            } else {
                return mid;
            }
        }
        return lo;
    }

    /** The number of leading entries whose offset is {@code < offset} (offsets are non-decreasing). */
    static int countBelow(AbstractIndex<?> index, MemorySegment segment, int n, long offset) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (index.entryOffset(segment, mid) < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
