package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damaged index files: deleted, zeroed, with garbage appended, or with entries that pass the
 * structural check but point at the wrong batches. Reads and timestamp lookups must stay exact
 * (falling back to scanning the log), the damage must be repaired (at open, or by rebuilding the
 * segment's indexes at run time), and the directory must verify clean afterwards.
 */
class IndexDamageTest {

    static final int BATCHES = 30;
    static final int RECORDS = BATCHES * LogRecoveryTest.PER_BATCH;

    @TempDir
    Path dir;

    enum Damage { DELETED, ZEROED, GARBAGE_APPENDED }

    @ParameterizedTest(name = "{0}, clean shutdown before: {1}")
    @CsvSource({"DELETED, true", "DELETED, false", "ZEROED, true", "ZEROED, false", "GARBAGE_APPENDED, true",
            "GARBAGE_APPENDED, false"})
    void damagedIndexesAreRebuiltAndReadsStayExact(Damage damage, boolean clean) throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, BATCHES, clean);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> indexFiles = new java.util.ArrayList<>(EngineFixture.files(pdir, LogFiles.OFFSET_INDEX));
        indexFiles.addAll(EngineFixture.files(pdir, LogFiles.TIME_INDEX));
        assertTrue(indexFiles.size() >= 8, "index files: " + indexFiles);
        Random rnd = new Random(3);
        for (Path f : indexFiles) {
            switch (damage) {
                case DELETED -> Files.delete(f);
                case ZEROED -> Files.write(f, new byte[(int) Files.size(f)]);
                case GARBAGE_APPENDED -> {
                    byte[] garbage = new byte[96]; // whole 8- and 12-byte entries: the length alone gives nothing away
                    rnd.nextBytes(garbage);
                    EngineFixture.append(f, garbage);
                }
            }
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(RECORDS, p.highWatermark());
            assertEveryOffsetReadsExactly(p);
            for (int i = 0; i < RECORDS; i += 7) {
                assertEquals(OptionalLong.of(i), p.offsetForTimestamp(EngineFixture.T0 + i), "timestamp of record " + i);
            }
            p.repairIndexes();
            for (Segment s : p.segments()) {
                assertFalse(s.indexesDamaged(), s + " still damaged after the repair");
            }
            assertEveryOffsetReadsExactly(p);
        }
        VerifyReport report = fx.verify();
        assertTrue(report.isClean(), report.problems().toString());
    }

    /**
     * Entries that pass the sanity check (offsets and positions increase) but map each batch's last
     * offset to the position of the batch after it: trusting them would skip a batch.
     */
    @Test
    void entriesPointingAtTheWrongBatchAreNotTrusted() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 4096, \"indexIntervalBytes\": 1,"
                + " \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"os\"}");
        LogRecoveryTest.write(fx, BATCHES, true);
        Path pdir = fx.partitionDir("t", 0);
        Path log = EngineFixture.files(pdir, LogFiles.LOG).getFirst();
        List<long[]> batches = EngineFixture.batches(log);
        assertTrue(batches.size() > 4, "batches in the first segment: " + batches.size());
        ByteBuffer entries = ByteBuffer.allocate(8 * (batches.size() - 1));
        for (int i = 0; i + 1 < batches.size(); i++) {
            entries.putInt((int) batches.get(i)[3]).putInt((int) batches.get(i + 1)[0]); // last offset of i -> start of i + 1
        }
        Path index = LogFiles.file(pdir, 0, LogFiles.OFFSET_INDEX);
        Files.write(index, entries.array());
        assertFalse(fx.verify().isClean(), "verify sees the bad entries");
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            Segment first = p.segments().getFirst();
            assertEveryOffsetReadsExactly(p);
            assertTrue(first.indexesDamaged(), "the bad entries were noticed");
            p.repairIndexes(); // the engine's scheduler may have been quicker
            assertFalse(p.segments().getFirst().indexesDamaged());
            assertTrue(p.segments().getFirst() != first, "the segment was replaced by one with rebuilt indexes");
            assertEveryOffsetReadsExactly(p);
            assertEquals(expected(0, RECORDS, LogRecoveryTest.VALUE), readAll(p, 0));
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /**
     * A zeroed time index must not make a closed segment look ancient: time retention would delete
     * it. With a huge index interval each closed segment's time index holds one entry (the one
     * written at roll), which zeroing turns into the plausible-looking (timestamp 0, base offset).
     */
    @Test
    void zeroedTimeIndexDoesNotFoolTimeRetention() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 1024, \"indexIntervalBytes\": 1000000,"
                + " \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"os\"}, \"retention\": {\"ms\": 3600000}");
        LogRecoveryTest.write(fx, BATCHES, true);
        Path pdir = fx.partitionDir("t", 0);
        for (Path f : EngineFixture.files(pdir, LogFiles.TIME_INDEX)) {
            if (Files.size(f) > 0) {
                assertEquals(12, Files.size(f), f + " holds the entry written at roll only");
                Files.write(f, new byte[12]);
            }
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            int segments = p.segmentCount();
            fx.clock.set(EngineFixture.T0 + 60_000);
            assertEquals(0, p.applyRetention(), "nothing is older than an hour");
            assertEquals(segments, p.segmentCount());
            fx.clock.set(EngineFixture.T0 + 3 * 3_600_000);
            assertEquals(segments - 1, p.applyRetention(), "everything but the active segment is");
        }
    }

    /** Reads from every offset and checks the first record returned at or after it is that offset's record. */
    static void assertEveryOffsetReadsExactly(PartitionLog p) {
        for (long offset = p.logStartOffset(); offset < p.highWatermark(); offset++) {
            try (FetchResult f = p.read(offset, 1)) {
                RecordBatch batch = new RecordBatchReader(f.toByteBuffer()).next();
                assertTrue(batch.baseOffset() <= offset && batch.lastOffset() >= offset,
                        "read at " + offset + " returned the batch " + batch.baseOffset() + ".." + batch.lastOffset());
                try (RecordCursor c = batch.records(EngineFixture.CODECS, BufferAllocator.HEAP)) {
                    while (c.next()) {
                        if (c.offset() == offset) {
                            assertEquals("key-" + offset, EngineFixture.string(c.key()));
                        }
                    }
                }
            }
        }
    }
}
