package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A timestamp lookup on a closed segment not read since a clean reopen (its indexes not opened,
 * its largest timestamp not known: the lookup peeks at the time index file by path) while
 * retention renames the segment's files to {@code .deleted}. The lookup holds the segment, so the
 * files are still there, under their new names: the lookup must find them there (or treat the
 * segment as gone), answer right, and neither warn about damaged indexes nor have them repaired.
 * Deterministic: the retention runs (to completion) exactly between the lookup taking the time
 * index's path and opening the file ({@link SegmentIndexes#beforePeek}).
 */
class TimestampLookupRetentionRaceTest {

    static {
        // System.Logger logs to java.util.logging, which io.rivven.core (these tests run inside it) does not read
        TimestampLookupRetentionRaceTest.class.getModule().addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
    }

    @TempDir
    Path dir;

    @Test
    void aLookupRacingRetentionOnASegmentNotReadSinceTheReopenIsQuietAndRight() throws Exception {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2000}, \"flush\": {\"mode\": \"os\"},"
                + " \"retention\": {\"bytes\": 5000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            EngineFixture.appendBatches(engine.partition("t", 0), 60, 1, 100); // record i: timestamp T0 + i
        }
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        StreamHandler capture = new StreamHandler(logged, new SimpleFormatter());
        capture.setLevel(Level.WARNING);
        Logger logs = Logger.getLogger("io.rivven.core.log");
        logs.addHandler(capture);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            Segment first = p.segments().getFirst();
            assertTrue(p.segments().size() > 3, "several segments: " + p.segments());
            assertFalse(first.indexes().get(1).isOpened(), "not read since the reopen");
            AtomicBoolean raced = new AtomicBoolean();
            AtomicInteger deleted = new AtomicInteger();
            Thread lookup = Thread.currentThread();
            first.indexState().beforePeek = file -> {
                if (Thread.currentThread() == lookup && raced.compareAndSet(false, true)) {
                    Thread retention = Thread.ofPlatform().start(() -> deleted.set(p.applyRetention()));
                    try {
                        retention.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            };

            OptionalLong found = p.offsetForTimestamp(EngineFixture.T0 + 1);

            assertTrue(raced.get(), "the lookup peeked at the time index of the first segment");
            assertTrue(deleted.get() > 0, "retention deleted the segment under the lookup");
            assertFalse(p.segments().contains(first));
            assertEquals(OptionalLong.of(p.logStartOffset()), found, "the first record at or above the new log start");
            assertFalse(first.indexesDamaged(), "the indexes of a segment being deleted were reported damaged");
            capture.flush();
            assertEquals("", logged.toString(StandardCharsets.UTF_8), "warnings");
        } finally {
            logs.removeHandler(capture);
        }
    }
}
