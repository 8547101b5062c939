package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.index.OffsetPosition;
import io.rivven.core.index.LazyIndex;
import io.rivven.core.index.OffsetIndex;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interleavings of a partition's readers with its writer (appends, rolls), each staged step by
 * step in one thread (the reader's steps called in the order a racing reader takes them), so the
 * race is exact and the test deterministic.
 */
class ReadWriteRaceTest {

    @TempDir
    Path dir;

    /**
     * A reader takes the active segment's published size, then the writer appends batches (one of
     * them gets an offset-index entry) and rolls, sealing the segment; then the reader looks up an
     * offset whose batch has no entry: the smallest entry at or above it is of a batch past the
     * size the reader took. That entry is a batch published after the reader looked, not damage:
     * before, a sealed segment took every entry past the reader's limit for damage, marked its
     * indexes damaged (reads scanned the log from then on) and had them rebuilt.
     */
    @Test
    void anEntryPastAReadersSizeInASegmentSealedSinceIsNotTakenForDamage() throws Exception {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 1048576, \"indexIntervalBytes\": 4096},"
                + " \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 1000));
            p.append(records(1, 1, 1000));
            Segment s = p.segments().getLast();
            assertTrue(s.retain());
            try {
                long limit = s.size(); // the reader's step 1: its limit
                for (int i = 2; i < 12; i++) { // the writer: more batches, at least one with an entry
                    p.append(records(i, 1, 1000));
                }
                p.roll();
                assertTrue(s.isSealed());
                OffsetPosition entry = offsetIndex(s).lookupAtOrAbove(1);
                assertNotNull(entry, "the test needs an entry past offset 1");
                assertTrue(entry.position() >= limit, "the test needs the first entry past the reader's limit: " + entry);

                // the reader's step 2: offset 1 is in the second batch, below its limit
                long pos = s.positionOf(1, limit);
                long end = s.endOfBatches(pos, Integer.MAX_VALUE, limit);
                assertFalse(s.indexesDamaged(), "an entry of a batch appended after the reader took its size was taken for damage");
                assertTrue(pos > 0 && pos < limit, "position " + pos);
                assertEquals(limit, end);
                assertEquals(-1, s.positionOf(2, limit), "offset 2 is past what the reader may see");
                assertFalse(s.indexesDamaged(), "an entry of a batch appended after the reader took its size was taken for damage");
            } finally {
                s.release();
            }
            assertEquals(EngineFixture.expected(0, 12, 1000), EngineFixture.readAll(p, 0));
        }
    }

    private static OffsetIndex offsetIndex(Segment s) throws Exception {
        for (LazyIndex lazy : s.indexes()) {
            if (lazy.get() instanceof OffsetIndex o) {
                return o;
            }
        }
        throw new AssertionError("no offset index in " + s);
    }
}
