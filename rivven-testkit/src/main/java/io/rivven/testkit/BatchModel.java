package io.rivven.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.index.KeyLookup;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.TimeLookup;
import io.rivven.api.index.TimestampOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A brute-force model of the batches appended to an index, and the checks {@link IndexContract}
 * runs against it.
 */
final class BatchModel {

    /** A timestamp inside the generated range, for lookups in an empty index. */
    static final long SOME_TIMESTAMP = 1_700_000_000_000L;

    private final List<SimpleBatchInfo> batches;
    private final long baseOffset;
    private final long[] lastOffsets;
    /** prefixMax[i]: the largest timestamp of batches 0..i-1 (Long.MIN_VALUE for none). */
    private final long[] prefixMax;
    private final Map<Long, SimpleBatchInfo> byPosition = new HashMap<>();
    final long maxBatchSize;
    private final long maxTimestamp;

    BatchModel(List<SimpleBatchInfo> batches, long baseOffset) {
        this.batches = List.copyOf(batches);
        this.baseOffset = baseOffset;
        this.lastOffsets = new long[batches.size()];
        this.prefixMax = new long[batches.size() + 1];
        long largest = Long.MIN_VALUE;
        long size = 0;
        for (int i = 0; i < batches.size(); i++) {
            SimpleBatchInfo b = batches.get(i);
            lastOffsets[i] = b.lastOffset();
            prefixMax[i] = largest;
            largest = Math.max(largest, b.maxTimestamp());
            size = Math.max(size, b.sizeInBytes());
            byPosition.put(b.position(), b);
        }
        prefixMax[batches.size()] = largest;
        this.maxBatchSize = size;
        this.maxTimestamp = largest;
    }

    /** The index of the batch holding {@code offset} (the first whose last offset is >= it), or -1. */
    int batchHolding(long offset) {
        int i = Arrays.binarySearch(lastOffsets, offset);
        if (i < 0) {
            i = -i - 1;
        }
        return i < batches.size() && batches.get(i).baseOffset() <= offset ? i : -1;
    }

    void checkOffsetLookup(OffsetLookup lookup, String when, long maxDistance) {
        OffsetPosition start = new OffsetPosition(baseOffset, 0);
        assertEquals(start, lookup.lookup(Long.MIN_VALUE), when + ": lookup(Long.MIN_VALUE)");
        if (baseOffset > 0) {
            assertEquals(start, lookup.lookup(baseOffset - 1), when + ": lookup below the base offset");
        }
        checkOffsetResult(Long.MAX_VALUE, lookup.lookup(Long.MAX_VALUE), when, maxDistance);
        if (batches.isEmpty()) {
            assertEquals(start, lookup.lookup(baseOffset), when + ": lookup in an empty index");
            assertEquals(start, lookup.lookup(baseOffset + 1_000_000), when + ": lookup in an empty index");
            return;
        }
        OffsetPosition previous = start;
        long end = batches.getLast().lastOffset() + 2;
        for (long target = baseOffset; target <= end; target++) {
            OffsetPosition result = lookup.lookup(target);
            checkOffsetResult(target, result, when, maxDistance);
            assertTrue(result.position() >= previous.position() && result.offset() >= previous.offset(),
                    when + ": lookup(" + target + ") = " + result + " went back from " + previous);
            previous = result;
        }
    }

    void checkOffsetResult(long target, OffsetPosition result, String when, long maxDistance) {
        String at = when + ": lookup(" + target + ") = " + result;
        if (result.offset() == baseOffset && result.position() == 0) {
            return;
        }
        assertTrue(result.offset() <= target, at + ": offset above the target");
        SimpleBatchInfo batch = byPosition.get(result.position());
        assertNotNull(batch, at + ": the position is not where an appended batch starts");
        assertTrue(batch.baseOffset() <= result.offset() && result.offset() <= batch.lastOffset(),
                at + ": the offset is not in the batch at that position, " + batch);
        int holding = batchHolding(target);
        if (holding >= 0) {
            SimpleBatchInfo wanted = batches.get(holding);
            assertTrue(result.position() <= wanted.position(),
                    at + ": past the batch holding the target, " + wanted);
            assertTrue(wanted.position() - result.position() <= maxDistance, at + ": the batch holding the target, "
                    + wanted + ", is further than " + maxDistance + " bytes: the index is too sparse");
        }
    }

    void checkTimeLookup(TimeLookup lookup, String when, boolean exactLastEntry) {
        TimestampOffset none = new TimestampOffset(-1, baseOffset);
        if (batches.isEmpty()) {
            assertEquals(none, lookup.lookupByTime(SOME_TIMESTAMP), when + ": lookupByTime in an empty index");
            assertEquals(none, lookup.lookupByTime(Long.MAX_VALUE), when + ": lookupByTime in an empty index");
            assertEquals(none, lookup.lastEntry(), when + ": lastEntry() of an empty index");
            return;
        }
        List<Long> targets = new ArrayList<>(List.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE, maxTimestamp + 1));
        for (SimpleBatchInfo b : batches) {
            targets.add(b.maxTimestamp() - 1);
            targets.add(b.maxTimestamp());
            targets.add(b.maxTimestamp() + 1);
        }
        for (long target : targets) {
            checkTimeResult(target, lookup.lookupByTime(target), when);
        }
        TimestampOffset last = lookup.lastEntry();
        int holding = batchHolding(last.offset());
        assertTrue(holding >= 0, when + ": lastEntry() " + last + " is not an appended offset");
        if (exactLastEntry) {
            assertEquals(maxTimestamp, last.timestamp(), when + ": lastEntry() " + last + " is the largest timestamp");
            assertEquals(maxTimestamp, batches.get(holding).maxTimestamp(),
                    when + ": lastEntry() " + last + " is in the batch with the largest timestamp");
            assertTrue(prefixMax[holding] < maxTimestamp,
                    when + ": lastEntry() " + last + " is the first batch that reached the largest timestamp");
        } else {
            assertTrue(last.timestamp() >= maxTimestamp, when + ": lastEntry() " + last
                    + " is at least the largest timestamp appended, " + maxTimestamp);
        }
    }

    void checkTimeResult(long target, TimestampOffset result, String when) {
        String at = when + ": lookupByTime(" + target + ") = " + result;
        if (result.timestamp() == -1) {
            assertEquals(baseOffset, result.offset(), at + ": no entry must mean the base offset");
            return;
        }
        assertTrue(result.timestamp() <= target, at + ": timestamp above the target");
        int holding = batchHolding(result.offset());
        assertTrue(holding >= 0, at + ": the offset is not an appended offset");
        assertTrue(prefixMax[holding + 1] <= result.timestamp(), at + ": a batch up to that offset has timestamp "
                + prefixMax[holding + 1] + ", above the entry's");
        assertTrue(prefixMax[holding] < target, at + ": a batch before " + batches.get(holding)
                + " already reaches the target; scanning from the entry would miss it");
    }

    void checkKeys(KeyLookup lookup, String when) {
        for (SimpleBatchInfo b : batches) {
            for (byte[] key : b.keys()) {
                if (key == null) {
                    continue;
                }
                ByteBuffer buffer = ByteBuffer.wrap(key);
                if (!lookup.mightContain(buffer)) {
                    fail(when + ": mightContain is false for key '" + new String(key, StandardCharsets.UTF_8)
                            + "' of " + b);
                }
                assertEquals(0, buffer.position(), when + ": mightContain moved the key's position");
            }
        }
    }
}
