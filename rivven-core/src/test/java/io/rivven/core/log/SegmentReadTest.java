package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The read path's two walks over a segment, {@link Segment#positionOf} and
 * {@link Segment#endOfBatches}, which use the offset index to skip batch headers. Their results
 * must equal a plain walk over every header (kept here as the reference) whatever the batch
 * sizes, the index interval, the segment's state (active, sealed, reopened), damaged index
 * entries or appends racing the reads; and a fetch of many batches must read a few headers, not
 * one per batch.
 */
class SegmentReadTest {

    @TempDir
    Path dir;

    private static EngineFixture fixture(Path dataDir, int segmentBytes, int intervalBytes) {
        return new EngineFixture(dataDir).defaults("\"segment\": {\"bytes\": " + segmentBytes + ", \"indexIntervalBytes\": "
                + intervalBytes + ", \"indexMaxBytes\": 65536}, \"flush\": {\"mode\": \"os\"}");
    }

    // ---------------------------------------------------------------- the reference walks

    /** {@code endOfBatches} as it was before it used the index: every header from {@code position} on. */
    static long walkEnd(ByteBuffer log, long position, int maxBytes, long maxPosition) {
        long pos = position;
        while (pos < maxPosition) {
            int length = log.getInt((int) pos + RecordBatchLayout.BATCH_LENGTH_OFFSET);
            long next = pos + RecordBatchLayout.LOG_OVERHEAD + length;
            if (length < RecordBatchLayout.MIN_BATCH_LENGTH || next > maxPosition) {
                assertTrue(pos > position, "reference walk: no batch at " + position);
                break;
            }
            if (next - position > maxBytes && pos > position) {
                break;
            }
            pos = next;
        }
        return pos;
    }

    /** The first batch whose last offset is {@code >= target}, walking every header from 0; -1 when none. */
    static long walkPosition(ByteBuffer log, long target, long maxPosition) {
        for (long pos = 0; pos < maxPosition; ) {
            if (lastOffsetAt(log, pos) >= target) {
                return pos;
            }
            pos += RecordBatchLayout.LOG_OVERHEAD + log.getInt((int) pos + RecordBatchLayout.BATCH_LENGTH_OFFSET);
        }
        return -1;
    }

    private static long lastOffsetAt(ByteBuffer log, long pos) {
        return log.getLong((int) pos + RecordBatchLayout.BASE_OFFSET_OFFSET)
                + log.getInt((int) pos + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
    }

    /** The batch starts below {@code maxPosition}, then {@code maxPosition}. */
    private static List<Long> boundaries(ByteBuffer log, long maxPosition) {
        List<Long> out = new ArrayList<>();
        for (long pos = 0; pos < maxPosition; ) {
            out.add(pos);
            pos += RecordBatchLayout.LOG_OVERHEAD + log.getInt((int) pos + RecordBatchLayout.BATCH_LENGTH_OFFSET);
        }
        out.add(maxPosition);
        return out;
    }

    private static ByteBuffer snapshot(Segment s, long maxPosition) throws IOException {
        byte[] all = Files.readAllBytes(s.logFile());
        return ByteBuffer.wrap(Arrays.copyOf(all, (int) maxPosition));
    }

    /**
     * Compares both walks with the reference: {@code endOfBatches} for {@code checks} random
     * (position, maxBytes) pairs, many of them limits that fall exactly on (or next to) a batch
     * boundary, and {@code positionOf} for every offset of the segment and just past it.
     */
    private static void assertWalksMatch(Segment s, long maxPosition, Random rnd, int checks) throws IOException {
        ByteBuffer log = snapshot(s, maxPosition);
        List<Long> bounds = boundaries(log, maxPosition);
        for (int i = 0; i < checks; i++) {
            long position = bounds.get(rnd.nextInt(bounds.size() - 1));
            int maxBytes = switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextInt(2);
                case 1 -> rnd.nextInt(300);
                case 2, 3 -> (int) (bounds.get(rnd.nextInt(bounds.size())) - position) + rnd.nextInt(3) - 1;
                case 4 -> Integer.MAX_VALUE;
                default -> rnd.nextInt((int) maxPosition + 1);
            };
            assertEquals(walkEnd(log, position, maxBytes, maxPosition), s.endOfBatches(position, maxBytes, maxPosition),
                    () -> s + ": endOfBatches(" + position + ", " + maxBytes + ", " + maxPosition + ")");
        }
        long end = bounds.size() == 1 ? s.baseOffset() : lastOffsetAt(log, bounds.get(bounds.size() - 2)) + 1;
        for (long target = s.baseOffset(); target <= end; target++) {
            long t = target;
            assertEquals(walkPosition(log, target, maxPosition), s.positionOf(target, maxPosition),
                    () -> s + ": positionOf(" + t + ", " + maxPosition + ")");
        }
    }

    /** Batches of 1..maxRecords records with values of 1..maxValue bytes; returns the next offset. */
    private static int fillRandom(PartitionLog p, Random rnd, int batches, int maxRecords, int maxValue) {
        int offset = 0;
        for (int i = 0; i < batches; i++) {
            int n = 1 + rnd.nextInt(maxRecords);
            List<Record> rs = new ArrayList<>(n);
            for (int j = offset; j < offset + n; j++) {
                rs.add(Record.of(EngineFixture.T0 + j, "key-" + j, EngineFixture.valueOf(j, 1 + rnd.nextInt(maxValue))));
            }
            p.append(rs);
            offset += n;
        }
        return offset;
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest(name = "index interval {0}, values up to {1} bytes, {2} batches")
    @CsvSource({"1, 60, 500", "200, 60, 500", "4096, 300, 300", "4096, 3000, 80", "1000000, 300, 200"})
    void walksEqualTheReferenceOnActiveSealedAndReopenedSegments(int interval, int maxValue, int batches) throws IOException {
        EngineFixture fx = fixture(dir, 64 * 1024, interval);
        Random rnd = new Random(interval * 31L + maxValue);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            fillRandom(p, rnd, batches, 8, maxValue);
            assertTrue(p.segmentCount() >= 2, "segments: " + p.segmentCount());
            for (Segment s : p.segments()) {
                assertWalksMatch(s, s.size(), rnd, 1_000);
            }
            // The active segment read as of an earlier published size: the index entries at and
            // past it belong to batches "being appended" and must be ignored, not taken for damage.
            Segment active = p.segments().getLast();
            List<Long> published = boundaries(snapshot(active, active.size()), active.size());
            for (int i = 0; i < 10; i++) {
                long size = published.get(1 + rnd.nextInt(published.size() - 1));
                assertWalksMatch(active, size, rnd, 100);
            }
            for (Segment s : p.segments()) {
                assertFalse(s.indexesDamaged(), s + " reported damaged");
            }
        }
        // Reopened after a clean shutdown: closed segments trusted, their indexes opened and checked on first use.
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            for (Segment s : p.segments()) {
                assertWalksMatch(s, s.size(), rnd, 1_000);
                assertFalse(s.indexesDamaged(), s + " reported damaged");
            }
        }
    }

    /** How an offset-index entry is wrong while the file still passes the structural check. */
    enum BadEntry {
        /** (last offset of batch i, start of batch i - 1). */
        PREVIOUS_BATCH,
        /** (last offset of batch i, start of batch i + 7 bytes): no batch starts there. */
        INSIDE_BATCH,
        /** (last offset of batch i - 1, start of batch i). */
        OFFSET_TOO_SMALL
    }

    @ParameterizedTest(name = "{0}, first used by endOfBatches: {1}")
    @CsvSource({"PREVIOUS_BATCH, true", "PREVIOUS_BATCH, false", "INSIDE_BATCH, true", "INSIDE_BATCH, false",
            "OFFSET_TOO_SMALL, true", "OFFSET_TOO_SMALL, false"})
    void badEntriesAreReportedAndTheWalksStayExact(BadEntry bad, boolean endOfBatchesFirst) throws IOException {
        EngineFixture fx = fixture(dir, 32 * 1024, 1);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            fillRandom(engine.partition("t", 0), new Random(5), 300, 5, 200);
        }
        Path pdir = fx.partitionDir("t", 0);
        List<long[]> batches = EngineFixture.batches(EngineFixture.files(pdir, LogFiles.LOG).getFirst());
        assertTrue(batches.size() > 20, "batches in the first segment: " + batches.size());
        ByteBuffer entries = ByteBuffer.allocate(8 * batches.size());
        for (int i = 2; i < batches.size(); i++) {
            long[] b = batches.get(i); // {position, size, base offset, last offset}; the segment's base offset is 0
            switch (bad) {
                case PREVIOUS_BATCH -> entries.putInt((int) b[3]).putInt((int) batches.get(i - 1)[0]);
                case INSIDE_BATCH -> entries.putInt((int) b[3]).putInt((int) b[0] + 7);
                case OFFSET_TOO_SMALL -> entries.putInt((int) b[3] - 1).putInt((int) b[0]);
            }
        }
        Files.write(LogFiles.file(pdir, 0, LogFiles.OFFSET_INDEX), Arrays.copyOf(entries.array(), entries.position()));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            Segment s = p.segments().getFirst();
            assertTrue(s.retain());
            try {
                long size = s.size();
                ByteBuffer log = snapshot(s, size);
                if (endOfBatchesFirst) {
                    int maxBytes = (int) (size / 2);
                    assertEquals(walkEnd(log, 0, maxBytes, size), s.endOfBatches(0, maxBytes, size));
                } else {
                    long target = batches.get(batches.size() / 2)[2];
                    assertEquals(walkPosition(log, target, size), s.positionOf(target, size));
                }
                assertTrue(s.indexesDamaged(), "the bad entry was noticed");
                assertWalksMatch(s, size, new Random(7), 500);
            } finally {
                s.release();
            }
            IndexDamageTest.assertEveryOffsetReadsExactly(p);
        }
    }

    /**
     * A reader of the active segment takes its published size, then walks while the writer keeps
     * appending (index entries for batches past that size appear meanwhile): results must equal
     * the reference walk over the published bytes, and nothing may be taken for damage.
     */
    @Test
    void activeSegmentReadsRacingAppendsMatchTheWalk() throws Exception {
        EngineFixture fx = fixture(dir, 64 << 20, 100);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 3, 50));
            Segment s = p.segments().getLast();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                try {
                    Random rnd = new Random(11);
                    int offset = 3;
                    for (int i = 0; i < 3_000; i++) {
                        int n = 1 + rnd.nextInt(6);
                        p.append(records(offset, n, 1 + rnd.nextInt(400)));
                        offset += n;
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    done.set(true);
                }
            });
            Random rnd = new Random(12);
            ByteBuffer log = ByteBuffer.allocate(16 << 20);
            int checks = 0;
            try (FileChannel ch = FileChannel.open(s.logFile(), StandardOpenOption.READ)) {
                while (!done.get() || checks < 200) {
                    long max = s.size();
                    log.limit((int) max);
                    while (log.hasRemaining()) { // bytes below the published size never change: read only the new ones
                        ch.read(log, log.position());
                    }
                    List<Long> bounds = boundaries(log, max);
                    long next = lastOffsetAt(log, bounds.get(bounds.size() - 2)) + 1;
                    long target = rnd.nextLong(next + 1);
                    long pos = s.positionOf(target, max);
                    assertEquals(walkPosition(log, target, max), pos, "positionOf(" + target + ", " + max + ")");
                    if (pos >= 0) {
                        int maxBytes = rnd.nextInt(16 * 1024);
                        assertEquals(walkEnd(log, pos, maxBytes, max), s.endOfBatches(pos, maxBytes, max));
                        assertEquals(max, s.endOfBatches(pos, Integer.MAX_VALUE, max), "a limit at the published size");
                    }
                    checks++;
                }
            }
            writer.join();
            assertNull(failure.get());
            assertFalse(s.indexesDamaged(), "an entry of a batch being appended was taken for damage");
            assertEquals(1, p.segmentCount(), "the test needs one active segment throughout");
        }
    }

    /** Batches of about 1 KiB, about 4 to an index interval of 4 KiB: one fetch of over 400 of them. */
    @Test
    void aFetchOfManyBatchesReadsAFewHeadersNotOnePerBatch() throws IOException {
        FaultyIoProvider counting = FaultyIoProvider.overNio();
        EngineFixture fx = fixture(dir, 8 << 20, 4096).faultyIo(counting);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 1_000, 10, 80);
            List<long[]> batches = EngineFixture.batches(p.segments().getLast().logFile());
            long smallest = batches.stream().mapToLong(b -> b[1]).min().orElseThrow();
            long perInterval = 4096 / smallest + 2; // unindexed batches a walk may meet between two entries, and more

            for (long offset : new long[] {0, 5_000, 5_003, 9_000}) {
                long before = counting.smallReads.get();
                int returned = 0;
                try (FetchResult f = p.read(offset, 512 * 1024)) {
                    RecordBatchReader r = new RecordBatchReader(f.toByteBuffer());
                    while (r.next() != null) {
                        returned++;
                    }
                }
                long headerReads = counting.smallReads.get() - before;
                assertTrue(returned >= 100 || offset == 9_000, returned + " batches from " + offset);
                assertTrue(headerReads <= 2 * perInterval + 2, headerReads + " header reads for " + returned
                        + " batches read from offset " + offset + " (" + perInterval + " batches to an index interval)");
            }
        }
    }

    /**
     * Batches larger than the index interval (each but the first gets an entry): one header read a
     * fetch, the check of the entry where the fetch ends, which the next fetch starts from.
     */
    @Test
    void aSequentialPassReadsOneHeaderAFetch() throws IOException {
        FaultyIoProvider counting = FaultyIoProvider.overNio();
        EngineFixture fx = fixture(dir, 8 << 20, 4096).faultyIo(counting);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 300, 10, 500);
            long before = counting.smallReads.get();
            int fetches = 0;
            int batches = 0;
            long offset = 0;
            while (offset < p.highWatermark()) {
                try (FetchResult f = p.read(offset, 64 * 1024)) {
                    RecordBatchReader r = new RecordBatchReader(f.toByteBuffer());
                    for (var b = r.next(); b != null; b = r.next()) {
                        offset = b.lastOffset() + 1;
                        batches++;
                    }
                }
                fetches++;
            }
            long headerReads = counting.smallReads.get() - before;
            assertEquals(300, batches);
            assertTrue(fetches >= 20, fetches + " fetches");
            // the first fetch reads two more: the first entry's batch (it does not hold offset 0),
            // then the first batch, which has no entry
            assertEquals(fetches + 2, headerReads, headerReads + " header reads for " + fetches + " fetches");
        }
    }

    /**
     * Reads of one batch at random offsets (a lookup, or a consumer at the tail): at most one header
     * read each, the check of the entry of the batch holding the offset, which also sizes the result.
     */
    @Test
    void aOneBatchReadReadsOneHeader() throws IOException {
        FaultyIoProvider counting = FaultyIoProvider.overNio();
        EngineFixture fx = fixture(dir, 8 << 20, 4096).faultyIo(counting);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 100, 10, 500);
            Random rnd = new Random(3);
            for (int i = 0; i < 200; i++) {
                long offset = 10 + rnd.nextInt(990); // past the first batch, the one without an entry
                long before = counting.smallReads.get();
                try (FetchResult f = p.read(offset, 1)) {
                    RecordBatchReader r = new RecordBatchReader(f.toByteBuffer());
                    var batch = r.next();
                    assertTrue(batch.baseOffset() <= offset && offset <= batch.lastOffset() && r.next() == null,
                            "read(" + offset + ", 1) returned " + batch.baseOffset() + ".." + batch.lastOffset());
                }
                long headerReads = counting.smallReads.get() - before; // 0 when the last read was of the same batch
                assertTrue(headerReads <= 1, headerReads + " header reads for read(" + offset + ", 1)");
            }
        }
    }
    /**
     * Sealing replaces the active segment's writable index mappings; readers may still be looking
     * up in them, so they stay mapped while a reader that started before the seal holds the
     * segment, and are unmapped when the last one lets go (not only when the segment closes).
     */
    @Test
    void mappingsReplacedBySealingAreUnmappedWhenTheLastReaderLetsGo() throws Exception {
        try (StorageEngine engine = fixture(dir, 4096, 256).open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 3, 5, 100);
            Segment first = p.segments().get(0);
            io.rivven.core.index.OffsetIndex index = null;
            for (io.rivven.core.index.LazyIndex lazy : first.indexes()) {
                if (lazy.get() instanceof io.rivven.core.index.OffsetIndex o) {
                    index = o;
                }
            }
            assertNotNull(index, "the active segment's offset index is open");
            int batches = 3;
            try (FetchResult held = p.read(0, 1)) {
                while (p.segments().size() < 2) {
                    p.append(records(batches * 5, 5, 100));
                    batches++;
                }
                assertTrue(first.isSealed());
                assertEquals(1, index.retiredMappings(), "kept while a reader from before the seal holds the segment");
                assertEquals(0, held.position(), "the held fetch starts at the first batch");
            }
            assertEquals(0, index.retiredMappings(), "unmapped when the last reader let go");
            assertEquals(EngineFixture.expected(0, batches * 5, 100), EngineFixture.readAll(p, 0));
        }
    }
}
