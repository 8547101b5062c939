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
import io.rivven.api.index.OffsetPosition;
import io.rivven.testkit.IndexContract;
import io.rivven.testkit.SimpleBatchInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetIndexTest extends IndexContract {

    private static final long BASE = 7_000L;

    @Override
    protected IndexProvider provider() {
        return new OffsetIndexProvider();
    }

    private IndexContext ctx(boolean writable, int maxFileBytes, int interval) {
        return new IndexContext("t", 0, BASE, file(), writable, maxFileBytes, interval);
    }

    private static OffsetIndex open(IndexContext context) throws IOException {
        return new OffsetIndexProvider().create(context, PluginConfig.empty("test"));
    }

    private static List<OffsetPosition> entries(OffsetIndex index) {
        List<OffsetPosition> out = new ArrayList<>();
        for (int i = 0; i < index.entryCount(); i++) {
            out.add(index.entryAt(i));
        }
        return out;
    }

    /** Kafka's LogSegment.append, as written there: a byte counter compared before adding the batch. */
    private static List<OffsetPosition> kafkaEntries(List<SimpleBatchInfo> batches, int interval) {
        List<OffsetPosition> expected = new ArrayList<>();
        long bytesSinceLastIndexEntry = 0;
        for (SimpleBatchInfo b : batches) {
            if (bytesSinceLastIndexEntry > interval) {
                expected.add(new OffsetPosition(b.lastOffset(), b.position()));
                bytesSinceLastIndexEntry = 0;
            }
            bytesSinceLastIndexEntry += b.sizeInBytes();
        }
        return expected;
    }

    /**
     * An active segment reopened for every batch (a program that opens the engine, appends one
     * batch and closes it, as {@code rivven produce} per line) still gets an entry every
     * {@code indexIntervalBytes}: the interval goes on from the last entry (or the segment's start)
     * instead of starting over with the first batch after each open, which never got one.
     */
    @Test
    void reopeningBeforeEveryBatchStillIndexesEveryInterval() throws IOException {
        int interval = 300;
        List<SimpleBatchInfo> batches = batches(new Random(11), BASE, 0, 0, 200);
        for (SimpleBatchInfo b : batches) {
            try (OffsetIndex index = open(ctx(true, 1 << 20, interval))) {
                index.append(b);
            }
        }
        try (OffsetIndex index = open(ctx(false, 1 << 20, interval))) {
            assertEquals(kafkaEntries(batches, interval), entries(index));
        }
    }

    @Test
    void sparseEntriesFollowKafkasIntervalRule() throws IOException {
        for (int interval : new int[] {1, 100, 4096, 50_000}) {
            List<SimpleBatchInfo> batches = batches(new Random(interval), BASE, 0, 0, 3_000);
            Files.deleteIfExists(file());
            try (OffsetIndex index = open(ctx(true, 1 << 20, interval))) {
                for (SimpleBatchInfo b : batches) {
                    index.append(b);
                }
                List<OffsetPosition> expected = kafkaEntries(batches, interval);
                assertEquals(expected, entries(index), "interval " + interval);
                if (!expected.isEmpty()) {
                    assertEquals(expected.getLast(), index.lastEntry());
                }
            }
        }
    }

    @Test
    void entriesAreBigEndianRelativeOffsetAndPosition() throws IOException {
        try (OffsetIndex index = open(ctx(true, 1024, 100))) {
            index.append(SimpleBatchInfo.of(BASE, 10, 1, 0, 150));        // first batch: never indexed
            index.append(SimpleBatchInfo.of(BASE + 10, 40, 1, 150, 90));   // 150 > 100: entry (7049, 150)
            index.append(SimpleBatchInfo.of(BASE + 50, 5, 1, 240, 300));   // 90 <= 100: none
            index.append(SimpleBatchInfo.of(BASE + 55, 1, 1, 540, 70));    // 390 > 100: entry (7055, 540)
            index.seal();
        }
        byte[] expected = ByteBuffer.allocate(16).putInt(49).putInt(150).putInt(55).putInt(540).array();
        assertArrayEquals(expected, Files.readAllBytes(file()));
        try (OffsetIndex index = open(ctx(false, 1024, 100))) {
            assertEquals(new OffsetPosition(BASE, 0), index.lookup(BASE + 48));
            assertEquals(new OffsetPosition(BASE + 49, 150), index.lookup(BASE + 49));
            assertEquals(new OffsetPosition(BASE + 49, 150), index.lookup(BASE + 54));
            assertEquals(new OffsetPosition(BASE + 55, 540), index.lookup(BASE + 55));
            assertEquals(new OffsetPosition(BASE + 55, 540), index.lookup(Long.MAX_VALUE));
        }
    }

    @Test
    void warmSectionSearchEqualsLinearScanOnRandomData() throws IOException {
        Random random = new Random(42);
        // ~6,000 entries with random offset gaps: far more than the ~1,000-entry warm section.
        List<SimpleBatchInfo> batches = new ArrayList<>();
        long offset = BASE;
        long position = 0;
        for (int i = 0; i < 6_000; i++) {
            int records = 1 + random.nextInt(random.nextBoolean() ? 3 : 500);
            int size = 2 + random.nextInt(4_000);
            batches.add(SimpleBatchInfo.of(offset, records, i, position, size));
            offset += records;
            position += size;
        }
        try (OffsetIndex index = open(ctx(true, 1 << 20, 1))) {
            for (SimpleBatchInfo b : batches) {
                index.append(b);
            }
            assertEquals(batches.size() - 1, index.entryCount());
            compareWithLinearScan(index, random, offset);
            index.seal();
            compareWithLinearScan(index, random, offset);
        }
        try (OffsetIndex index = open(ctx(false, 1 << 20, 1))) {
            compareWithLinearScan(index, random, offset);
        }
    }

    private static void compareWithLinearScan(OffsetIndex index, Random random, long end) {
        List<OffsetPosition> all = entries(index);
        long[] offsets = all.stream().mapToLong(OffsetPosition::offset).toArray();
        List<Long> targets = new ArrayList<>(List.of(Long.MIN_VALUE, BASE - 1, BASE, end, end + 1, Long.MAX_VALUE));
        for (long o : offsets) {
            targets.add(o - 1);
            targets.add(o);
            targets.add(o + 1);
        }
        for (int i = 0; i < 5_000; i++) {
            targets.add(BASE + (long) (random.nextDouble() * (end - BASE + 10)));
        }
        OffsetPosition none = new OffsetPosition(BASE, 0);
        for (long target : targets) {
            int found = -1;
            for (int i = 0; i < offsets.length && offsets[i] <= target; i++) {
                found = i;
            }
            OffsetPosition linear = found < 0 ? none : all.get(found);
            assertEquals(linear, index.lookup(target), "lookup(" + target + ")");
            int above = found < 0 || offsets[found] < target ? found + 1 : found;
            assertEquals(above < offsets.length ? all.get(above) : none, index.lookupAtOrAbove(target),
                    "lookupAtOrAbove(" + target + ")");
        }
        long[] positions = all.stream().mapToLong(OffsetPosition::position).toArray();
        long endPosition = positions.length == 0 ? 0 : positions[positions.length - 1] + 10_000;
        List<Long> byPosition = new ArrayList<>(List.of(Long.MIN_VALUE, -1L, 0L, endPosition, Long.MAX_VALUE));
        for (long p : positions) {
            byPosition.add(p - 1);
            byPosition.add(p);
            byPosition.add(p + 1);
        }
        for (int i = 0; i < 5_000; i++) {
            byPosition.add((long) (random.nextDouble() * endPosition));
        }
        for (long position : byPosition) {
            int found = -1;
            for (int i = 0; i < positions.length && positions[i] <= position; i++) {
                found = i;
            }
            assertEquals(found < 0 ? none : all.get(found), index.lookupByPosition(position),
                    "lookupByPosition(" + position + ")");
        }
    }

    /** The position lookup (fetches: where whole batches end below a byte limit) on every kind of index state. */
    @Test
    void lookupByPositionFindsTheLastEntryAtOrBelow() throws IOException {
        OffsetPosition none = new OffsetPosition(BASE, 0);
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            assertEquals(none, index.lookupByPosition(0), "empty index");
            assertEquals(none, index.lookupByPosition(Long.MAX_VALUE), "empty index");
            for (int i = 0; i < 6; i++) {
                index.append(SimpleBatchInfo.of(BASE + 10L * i, 10, 1, 100L * i, 100));
            }
            // entries: (7019,100) (7029,200) (7039,300) (7049,400) (7059,500); the first batch has none
            assertEquals(none, index.lookupByPosition(0), "before the first entry");
            assertEquals(none, index.lookupByPosition(99), "before the first entry");
            assertEquals(none, index.lookupByPosition(-1));
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupByPosition(100), "exact");
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupByPosition(199), "between");
            assertEquals(new OffsetPosition(BASE + 39, 300), index.lookupByPosition(300), "exact");
            assertEquals(new OffsetPosition(BASE + 39, 300), index.lookupByPosition(301), "between");
            assertEquals(new OffsetPosition(BASE + 59, 500), index.lookupByPosition(500), "exact, last");
            assertEquals(new OffsetPosition(BASE + 59, 500), index.lookupByPosition(10_000), "past the end");
            assertEquals(new OffsetPosition(BASE + 59, 500), index.lookupByPosition(Long.MAX_VALUE), "past the end");

            index.truncateTo(BASE + 39);
            assertEquals(new OffsetPosition(BASE + 29, 200), index.lookupByPosition(300), "the cut entry is gone");
            assertEquals(new OffsetPosition(BASE + 29, 200), index.lookupByPosition(Long.MAX_VALUE));
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupByPosition(150));
            // Appends resume after the cut: the first batch anchors a new interval without an entry.
            index.append(SimpleBatchInfo.of(BASE + 30, 10, 1, 300, 40));
            index.append(SimpleBatchInfo.of(BASE + 40, 10, 1, 340, 100));
            assertEquals(new OffsetPosition(BASE + 29, 200), index.lookupByPosition(339));
            assertEquals(new OffsetPosition(BASE + 49, 340), index.lookupByPosition(340));

            index.seal();
            assertEquals(new OffsetPosition(BASE + 49, 340), index.lookupByPosition(Long.MAX_VALUE), "after seal");
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupByPosition(199), "after seal");
            assertEquals(none, index.lookupByPosition(99), "after seal");
        }
        try (OffsetIndex index = open(ctx(false, 1024, 1))) {
            assertEquals(new OffsetPosition(BASE + 29, 200), index.lookupByPosition(339), "reopened read-only");
            assertEquals(new OffsetPosition(BASE + 49, 340), index.lookupByPosition(340), "reopened read-only");
        }
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            index.truncateTo(BASE);
            assertEquals(none, index.lookupByPosition(Long.MAX_VALUE), "truncated to nothing");
        }
    }

    /** The entry of the batch that may hold an offset: the smallest offset at or above it. */
    @Test
    void lookupAtOrAboveFindsTheFirstEntryReachingTheOffset() throws IOException {
        OffsetPosition none = new OffsetPosition(BASE, 0);
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            assertEquals(none, index.lookupAtOrAbove(BASE), "empty index");
            for (int i = 0; i < 4; i++) {
                index.append(SimpleBatchInfo.of(BASE + 10L * i, 10, 1, 100L * i, 100));
            }
            // entries: (7019,100) (7029,200) (7039,300)
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupAtOrAbove(Long.MIN_VALUE));
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupAtOrAbove(BASE), "in the unindexed first batch");
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupAtOrAbove(BASE + 10), "base of an indexed batch");
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupAtOrAbove(BASE + 19), "exact");
            assertEquals(new OffsetPosition(BASE + 29, 200), index.lookupAtOrAbove(BASE + 20), "between");
            assertEquals(new OffsetPosition(BASE + 39, 300), index.lookupAtOrAbove(BASE + 39), "exact, last");
            assertEquals(none, index.lookupAtOrAbove(BASE + 40), "past the end");
            assertEquals(none, index.lookupAtOrAbove(Long.MAX_VALUE), "past the end");
            index.truncateTo(BASE + 29);
            assertEquals(none, index.lookupAtOrAbove(BASE + 29), "the cut entry is gone");
            index.seal();
            assertEquals(new OffsetPosition(BASE + 19, 100), index.lookupAtOrAbove(BASE + 11), "after seal");
        }
    }

    @Test
    void zeroedFileFailsTheSanityCheckAndIsRebuiltAfterReset() throws IOException {
        Files.write(file(), new byte[800]);
        try (OffsetIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().startsWith(file().toAbsolutePath() + ": entry 1 (byte 8): offset 7000 does not"
                    + " increase: expected > 7000 (entry 0)"), e.getMessage());
        }
        // An active index after a crash: preallocated, zero tail. Reopened writable, the zeros count as entries.
        Files.write(file(), new byte[4096]);
        try (OffsetIndex index = open(ctx(true, 4096, 1))) {
            assertEquals(512, index.entryCount());
            assertThrows(CorruptIndexException.class, index::sanityCheck);
            index.reset();
            index.sanityCheck();
            List<SimpleBatchInfo> batches = batches(new Random(9), BASE, 0, 0, 100);
            for (SimpleBatchInfo b : batches) {
                index.append(b);
            }
            assertEquals(kafkaEntries(batches, 1), entries(index));
        }
    }

    @Test
    void sanityCheckNamesLengthExpectedAndActual() throws IOException {
        Files.write(file(), ByteBuffer.allocate(20).putInt(1).putInt(10).putInt(2).putInt(20).putInt(3).array());
        try (OffsetIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertEquals(file().toAbsolutePath() + ": length 20 bytes is not a multiple of the 8-byte entry size"
                    + " (2 entries and 4 stray bytes); the index must be rebuilt from the log (delete the file)",
                    e.getMessage());
        }
        Files.write(file(), ByteBuffer.allocate(24).putInt(1).putInt(10).putInt(2).putInt(30).putInt(3).putInt(20).array());
        try (OffsetIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().contains("entry 2 (byte 16): position 20 does not increase: expected > 30"),
                    e.getMessage());
        }
        Files.write(file(), ByteBuffer.allocate(8).putInt(-5).putInt(10).array());
        try (OffsetIndex index = open(ctx(false, 1024, 1))) {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
            assertTrue(e.getMessage().contains("entry 0 (byte 0): offset 6995 is below the base offset 7000"),
                    e.getMessage());
        }
    }

    @Test
    void missingFileFailsReadOnlyAndIsCreatedWritable() throws IOException {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> open(ctx(false, 1024, 1)));
        assertTrue(e.getMessage().contains(file().toAbsolutePath().toString()), e.getMessage());
        try (OffsetIndex index = open(ctx(true, 1000, 1))) {
            assertEquals(1000, Files.size(file()), "preallocated to maxFileBytes (a multiple of 8)");
            assertEquals(125, index.maxEntries());
            assertEquals(0, index.entryCount());
        }
        assertEquals(0, Files.size(file()), "trimmed on close");
        try (OffsetIndex index = open(ctx(true, 1001, 1))) {
            assertEquals(1000, Files.size(file()), "maxFileBytes rounded down to whole entries");
            assertEquals(125, index.maxEntries());
        }
    }

    @Test
    void fullIndexRefusesAnotherEntry() throws IOException {
        try (OffsetIndex index = open(ctx(true, 16, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 1, 1, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 1, 1, 1, 10, 10));
            assertFalse(index.isFull());
            index.append(SimpleBatchInfo.of(BASE + 2, 1, 1, 20, 10));
            assertTrue(index.isFull());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + 3, 1, 1, 30, 10)));
            assertTrue(e.getMessage().contains("index is full (2 entries"), e.getMessage());
        }
    }

    @Test
    void appendRejectsWhatCannotBeIndexed() throws IOException {
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 5, 1, 0, 10));
            IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + 2, 1, 1, 10, 10)));
            assertTrue(order.getMessage().contains("offset order, got last offset 7002 after 7004"), order.getMessage());
            IllegalArgumentException tooFar = assertThrows(IllegalArgumentException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + Integer.MAX_VALUE, 2, 1, 10, 10)));
            assertTrue(tooFar.getMessage().contains("roll the segment"), tooFar.getMessage());
            IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE - 10, 1, 1, 10, 10)));
            assertTrue(below.getMessage().contains("base offset 7000"), below.getMessage());
            IllegalArgumentException position = assertThrows(IllegalArgumentException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + 5, 1, 1, 1L << 31, 10)));
            assertTrue(position.getMessage().contains("4-byte position"), position.getMessage());
        }
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> open(ctx(true, 7, 1)));
        assertTrue(small.getMessage().contains("maxFileBytes 7"), small.getMessage());
    }

    @Test
    void sealedOrReadOnlyIndexRefusesChanges() throws IOException {
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 5, 1, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 5, 5, 1, 10, 10));
            index.seal();
            index.seal();
            assertFalse(index.isWritable());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> index.append(SimpleBatchInfo.of(BASE + 10, 1, 1, 20, 10)));
            assertTrue(e.getMessage().contains("read-only index"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> index.truncateTo(BASE));
            assertThrows(IllegalStateException.class, index::reset);
            assertEquals(new OffsetPosition(BASE + 9, 10), index.lookup(BASE + 100));
        }
        OffsetIndex closed = open(ctx(false, 1024, 1));
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> closed.lookup(BASE));
        assertTrue(e.getMessage().endsWith("index is closed"), e.getMessage());
    }

    @Test
    void truncateToKeepsEntriesBelowTheOffset() throws IOException {
        try (OffsetIndex index = open(ctx(true, 1024, 1))) {
            for (int i = 0; i < 6; i++) {
                index.append(SimpleBatchInfo.of(BASE + 10L * i, 10, 1, 100L * i, 100));
            }
            // entries: (7019,100) (7029,200) (7039,300) (7049,400) (7059,500)
            index.truncateTo(BASE + 39);
            assertEquals(List.of(new OffsetPosition(BASE + 19, 100), new OffsetPosition(BASE + 29, 200)), entries(index));
            index.truncateTo(BASE + 30);
            assertEquals(2, index.entryCount());
            index.truncateTo(BASE + 29);
            assertEquals(1, index.entryCount());
            // Appends resume from the cut: the first batch after truncation anchors the interval.
            index.append(SimpleBatchInfo.of(BASE + 20, 10, 1, 200, 100));
            index.append(SimpleBatchInfo.of(BASE + 30, 10, 1, 300, 100));
            assertEquals(List.of(new OffsetPosition(BASE + 19, 100), new OffsetPosition(BASE + 39, 300)), entries(index));
        }
    }

    @Test
    void flushAfterSealSyncsTheTrimmedFile() throws IOException {
        Path f = file();
        try (OffsetIndex index = open(ctx(true, 1 << 16, 1))) {
            index.append(SimpleBatchInfo.of(BASE, 1, 1, 0, 10));
            index.append(SimpleBatchInfo.of(BASE + 1, 1, 1, 10, 10));
            index.flush();
            index.seal();
            index.flush();
            index.flush();
            assertEquals(8, Files.size(f));
        }
    }
}
