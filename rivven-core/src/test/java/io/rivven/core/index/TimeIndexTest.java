package io.rivven.core.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.TimestampOffset;
import io.rivven.testkit.IndexContract;
import io.rivven.testkit.SimpleBatchInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeIndexTest extends IndexContract {

    private static final long BASE = 7_000L;

    @Override
    protected IndexProvider provider() {
        return new TimeIndexProvider();
    }

    private IndexContext ctx(boolean writable, int maxFileBytes, int interval) {
        return new IndexContext("t", 0, BASE, file(), writable, maxFileBytes, interval);
    }

    private static TimeIndex open(IndexContext context) throws IOException {
        return new TimeIndexProvider().create(context, PluginConfig.empty("test"));
    }

    private static List<TimestampOffset> entries(TimeIndex index) {
        List<TimestampOffset> out = new ArrayList<>();
        for (int i = 0; i < index.entryCount(); i++) {
            out.add(index.entryAt(i));
        }
        return out;
    }

    /** Kafka's LogSegment.append + TimeIndex.maybeAppend, and the entry written when the segment rolls. */
    private static List<TimestampOffset> kafkaEntries(List<SimpleBatchInfo> batches, int interval, boolean rolled) {
        List<TimestampOffset> expected = new ArrayList<>();
        long maxTimestampSoFar = -1;
        long offsetOfMaxTimestampSoFar = BASE;
        long lastEntryTimestamp = -1;
        long bytesSinceLastIndexEntry = 0;
        for (SimpleBatchInfo b : batches) {
            if (b.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = b.maxTimestamp();
                offsetOfMaxTimestampSoFar = b.lastOffset();
            }
            if (bytesSinceLastIndexEntry > interval) {
                if (maxTimestampSoFar > lastEntryTimestamp) {
                    expected.add(new TimestampOffset(maxTimestampSoFar, offsetOfMaxTimestampSoFar));
                    lastEntryTimestamp = maxTimestampSoFar;
                }
                bytesSinceLastIndexEntry = 0;
            }
            bytesSinceLastIndexEntry += b.sizeInBytes();
        }
        if (rolled && maxTimestampSoFar > lastEntryTimestamp) {
            expected.add(new TimestampOffset(maxTimestampSoFar, offsetOfMaxTimestampSoFar));
        }
        return expected;
    }

    @Test
    void entriesFollowKafkasRules() throws IOException {
        for (int interval : new int[] {1, 100, 4096, 50_000}) {
            List<SimpleBatchInfo> batches = batches(new Random(interval), BASE, 0, 1_000_000, 3_000);
            Files.deleteIfExists(file());
            try (TimeIndex index = open(ctx(true, 1 << 20, interval))) {
                for (SimpleBatchInfo b : batches) {
                    index.append(b);
                }
                assertEquals(kafkaEntries(batches, interval, false), entries(index), "interval " + interval);
                index.seal();
                List<TimestampOffset> sealed = kafkaEntries(batches, interval, true);
                assertEquals(sealed, entries(index), "interval " + interval + ", sealed");
                assertEquals(sealed.getLast(), index.lastEntry());
            }
        }
    }

    @Test
    void entriesAreBigEndianTimestampAndRelativeOffset() throws IOException {
        try (TimeIndex index = open(ctx(true, 1024, 100))) {
            index.append(SimpleBatchInfo.of(BASE, 10, 1_000, 0, 150));       // first batch: never an entry
            index.append(SimpleBatchInfo.of(BASE + 10, 40, 900, 150, 90));   // due: max so far (1000, 7009)
            index.append(SimpleBatchInfo.of(BASE + 50, 5, 2_000, 240, 300)); // not due; max grows to (2000, 7054)
            index.append(SimpleBatchInfo.of(BASE + 55, 1, 1_500, 540, 70));  // due: (2000, 7054)
            index.append(SimpleBatchInfo.of(BASE + 56, 1, 3_000, 610, 70));  // not due; max (3000, 7056)
            assertEquals(new TimestampOffset(3_000, BASE + 56), index.lastEntry());
            index.seal();                                                     // roll: (3000, 7056)
        }
        byte[] expected = ByteBuffer.allocate(36).putLong(1_000).putInt(9).putLong(2_000).putInt(54)
                .putLong(3_000).putInt(56).array();
        assertArrayEquals(expected, Files.readAllBytes(file()));
        try (TimeIndex index = open(ctx(false, 1024, 100))) {
            index.sanityCheck();
            assertEquals(new TimestampOffset(-1, BASE), index.lookupByTime(999));
            assertEquals(new TimestampOffset(1_000, BASE + 9), index.lookupByTime(1_000));
            assertEquals(new TimestampOffset(1_000, BASE + 9), index.lookupByTime(1_999));
            assertEquals(new TimestampOffset(2_000, BASE + 54), index.lookupByTime(2_999));
            assertEquals(new TimestampOffset(3_000, BASE + 56), index.lookupByTime(Long.MAX_VALUE));
            assertEquals(new TimestampOffset(3_000, BASE + 56), index.lastEntry());
        }
    }

    @Test
    void warmSectionSearchEqualsLinearScanOnRandomData() throws IOException {
        Random random = new Random(43);
        List<SimpleBatchInfo> batches = new ArrayList<>();
        long offset = BASE;
        long timestamp = 1_000;
        for (int i = 0; i < 5_000; i++) {
            int records = 1 + random.nextInt(20);
            timestamp += 1 + random.nextInt(random.nextBoolean() ? 3 : 100_000);
            batches.add(SimpleBatchInfo.of(offset, records, timestamp, 10L * i, 10));
            offset += records;
        }
        try (TimeIndex index = open(ctx(true, 1 << 20, 1))) {
            for (SimpleBatchInfo b : batches) {
                index.append(b);
            }
            assertEquals(batches.size() - 1, index.entryCount());
            compareWithLinearScan(index, random, timestamp);
            index.seal();
            assertEquals(batches.size() - 1, index.entryCount(), "the last batch already has an entry: no roll entry");
            compareWithLinearScan(index, random, timestamp);
        }
        try (TimeIndex index = open(ctx(false, 1 << 20, 1))) {
            compareWithLinearScan(index, random, timestamp);
        }
    }

    private static void compareWithLinearScan(TimeIndex index, Random random, long end) {
        List<TimestampOffset> all = entries(index);
        long[] timestamps = all.stream().mapToLong(TimestampOffset::timestamp).toArray();
        List<Long> targets = new ArrayList<>(List.of(Long.MIN_VALUE, -1L, 0L, end, end + 1, Long.MAX_VALUE));
        for (long t : timestamps) {
            targets.add(t - 1);
            targets.add(t);
            targets.add(t + 1);
        }
        for (int i = 0; i < 5_000; i++) {
            targets.add((long) (random.nextDouble() * (end + 10)));
        }
        for (long target : targets) {
            int found = -1;
            for (int i = 0; i < timestamps.length && timestamps[i] <= target; i++) {
                found = i;
            }
            TimestampOffset linear = found < 0 ? new TimestampOffset(-1, BASE) : all.get(found);
            assertEquals(linear, index.lookupByTime(target), "lookupByTime(" + target + ")");
        }
    }

    @Test
    void oneSlotIsReservedForTheRollEntry() throws IOException {
        try (TimeIndex index = open(ctx(true, 36, 1))) {
            assertEquals(3, index.maxEntries());
            index.append(SimpleBatchInfo.of(BASE, 1, 10, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 1, 1, 20, 10, 10));
            assertFalse(index.isFull());
            index.append(SimpleBatchInfo.of(BASE + 2, 1, 30, 20, 10));
            assertTrue(index.isFull(), "full with one slot left");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + 3, 1, 40, 30, 10)));
            assertTrue(e.getMessage().contains("index is full"), e.getMessage());
            index.seal();
            assertEquals(List.of(new TimestampOffset(20, BASE + 1), new TimestampOffset(30, BASE + 2),
                    new TimestampOffset(40, BASE + 3)), entries(index), "the refused batch still counts for the max");
        }
        assertEquals(36, Files.size(file()));
        // Reopened writable with every slot used, the roll entry grows the file by one entry.
        try (TimeIndex index = open(ctx(true, 36, 1))) {
            assertTrue(index.isFull());
            index.append(SimpleBatchInfo.of(BASE + 4, 1, 50, 40, 10));   // first batch after reopen: no entry
            index.seal();
            assertEquals(new TimestampOffset(50, BASE + 4), index.entryAt(3));
        }
        assertEquals(48, Files.size(file()));
    }

    /**
     * Reopened writable, the index cannot tell where the interval stood (its entries hold no
     * position) and starts it over with the first batch; told where it stood
     * ({@code resumeIntervalFrom}, what the engine does with the offset index's last entry), it
     * takes its next entry at the batch a run that never closed would.
     */
    @Test
    void aResumedIntervalGivesTheEntriesOfARunThatNeverClosed() throws IOException {
        try (TimeIndex index = open(ctx(true, 1024, 100))) {
            index.append(SimpleBatchInfo.of(BASE, 1, 10, 0, 150));       // first batch: no entry
            index.append(SimpleBatchInfo.of(BASE + 1, 1, 20, 150, 60));  // 150 > 100: entry; the interval counts from 150
        } // the close writes nothing: no timestamp above the last entry's
        try (TimeIndex index = open(ctx(true, 1024, 100))) {
            index.resumeIntervalFrom(150);
            index.append(SimpleBatchInfo.of(BASE + 2, 1, 30, 210, 60));  // 60 <= 100: none
            index.append(SimpleBatchInfo.of(BASE + 3, 1, 40, 270, 60));  // 120 > 100: entry (without the resume: 60, none)
            assertEquals(List.of(new TimestampOffset(20, BASE + 1), new TimestampOffset(40, BASE + 3)), entries(index));
            assertThrows(IllegalArgumentException.class, () -> index.resumeIntervalFrom(-1));
            index.seal();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> index.resumeIntervalFrom(0));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void closeWritesTheLargestTimestampSoItSurvivesARestart() throws IOException {
        try (TimeIndex index = open(ctx(true, 1024, 1 << 20))) {
            index.append(SimpleBatchInfo.of(BASE, 3, 500, 0, 100));
            index.append(SimpleBatchInfo.of(BASE + 3, 3, 700, 100, 100));
            index.append(SimpleBatchInfo.of(BASE + 6, 3, 600, 200, 100));
            assertEquals(0, index.entryCount(), "no batch was due for an entry");
            assertEquals(new TimestampOffset(700, BASE + 5), index.lastEntry());
        }
        assertEquals(12, Files.size(file()));
        TimeIndex reopened = open(ctx(true, 1024, 1 << 20));
        try {
            assertEquals(new TimestampOffset(700, BASE + 5), reopened.lastEntry());
            reopened.append(SimpleBatchInfo.of(BASE + 9, 1, 650, 300, 100));
        } finally {
            reopened.close();
        }
        reopened.close();
        try (TimeIndex index = open(ctx(false, 1024, 1 << 20))) {
            assertEquals(List.of(new TimestampOffset(700, BASE + 5)), entries(index), "no smaller entry appended");
        }
    }

    @Test
    void truncatingAwayTheMaximumKeepsItAsAnUpperBound() throws IOException {
        try (TimeIndex index = open(ctx(true, 1024, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 10, 100, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 10, 10, 300, 10, 10));   // entry (300, 7019)
            index.append(SimpleBatchInfo.of(BASE + 20, 10, 900, 20, 10));   // entry (900, 7029)
            index.append(SimpleBatchInfo.of(BASE + 30, 10, 200, 30, 10));   // no entry: max stays 900
            index.truncateTo(BASE + 30);
            assertEquals(new TimestampOffset(900, BASE + 29), index.lastEntry(), "exact: the max survived");
            index.truncateTo(BASE + 20);
            assertEquals(List.of(new TimestampOffset(300, BASE + 19)), entries(index));
            // The batch holding 900 is gone; the remaining max (300) is not known to be the max of the
            // log's remaining batches in general, so 900 stays as an upper bound at the last offset kept.
            assertEquals(new TimestampOffset(900, BASE + 19), index.lastEntry());
            index.append(SimpleBatchInfo.of(BASE + 20, 10, 400, 20, 10));  // anchors the interval: no entry
            index.append(SimpleBatchInfo.of(BASE + 30, 10, 800, 30, 10));  // due: the bound (900, 7019) is written
            index.append(SimpleBatchInfo.of(BASE + 40, 10, 950, 40, 10));  // due and above: entry (950, 7049)
            assertEquals(List.of(new TimestampOffset(300, BASE + 19), new TimestampOffset(900, BASE + 19),
                    new TimestampOffset(950, BASE + 49)), entries(index));
            assertEquals(new TimestampOffset(300, BASE + 19), index.lookupByTime(800),
                    "a scan from 7019 finds the record at 800");
            assertEquals(new TimestampOffset(900, BASE + 19), index.lookupByTime(900),
                    "true: nothing up to 7019 is above 900");
            index.sanityCheck();
            index.truncateTo(BASE);
            assertEquals(new TimestampOffset(-1, BASE), index.lastEntry());
            assertEquals(0, index.entryCount());
        }
    }

    /**
     * Cutting just the last batch appended (the engine rolls an append back when another index
     * refuses the batch) restores the exact maximum from before it: the cut batch's timestamp is
     * neither kept as an upper bound nor written at the roll.
     */
    @Test
    void truncatingAwayTheLastBatchRestoresTheMaximumBeforeIt() throws IOException {
        try (TimeIndex index = open(ctx(true, 1024, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 10, 100, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 10, 10, 300, 10, 10));   // entry (300, 7019)
            index.append(SimpleBatchInfo.of(BASE + 20, 10, 9_000, 20, 10)); // entry (9000, 7029)
            index.truncateTo(BASE + 20);
            assertEquals(new TimestampOffset(300, BASE + 19), index.lastEntry());
            index.append(SimpleBatchInfo.of(BASE + 20, 10, 400, 20, 10));  // anchors the interval: no entry
            index.seal();
            assertEquals(List.of(new TimestampOffset(300, BASE + 19), new TimestampOffset(400, BASE + 29)), entries(index));
        }
    }

    @Test
    void sanityCheckNamesEntryExpectedAndActual() throws IOException {
        Files.write(file(), ByteBuffer.allocate(36).putLong(10).putInt(1).putLong(20).putInt(2).putLong(20).putInt(3).array());
        try (TimeIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertEquals(file().toAbsolutePath() + ": entry 2 (byte 24): timestamp 20 does not increase: expected > 20"
                    + " (entry 1); the index must be rebuilt from the log (delete the file)", e.getMessage());
        }
        Files.write(file(), ByteBuffer.allocate(24).putLong(10).putInt(5).putLong(20).putInt(4).array());
        try (TimeIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().contains("entry 1 (byte 12): offset 7004 decreases: expected >= 7005"),
                    e.getMessage());
        }
        Files.write(file(), new byte[12 * 50]);
        try (TimeIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().contains("entry 1 (byte 12): timestamp 0 does not increase"), e.getMessage());
        }
        Files.write(file(), new byte[25]);
        try (TimeIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().contains("length 25 bytes is not a multiple of the 12-byte entry size"),
                    e.getMessage());
        }
    }

    @Test
    void fileTooSmallForTwoEntriesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(ctx(true, 23, 1)));
        assertTrue(e.getMessage().contains("maxFileBytes 23 is too small: it must be at least 24 (2 entries of 12 bytes)"),
                e.getMessage());
    }
}
