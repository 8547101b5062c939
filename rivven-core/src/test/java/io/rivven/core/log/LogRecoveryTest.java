package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recovery of damaged logs, in the spirit of Kafka's {@code LogLoaderTest} and
 * {@code LogSegmentTest}: garbage after the last batch, the log cut at every byte of its last batch,
 * random bytes flipped, an empty active segment, missing or damaged checkpoints. Each case opens
 * the damaged directory (which must not throw), checks that exactly the batches before the damage
 * are there and readable, that appends go on from there, and that the directory verifies clean
 * after a clean close.
 */
class LogRecoveryTest {

    static final int PER_BATCH = 2;
    static final int VALUE = 40;

    @TempDir
    Path dir;

    static EngineFixture fixture(Path dataDir) {
        return new EngineFixture(dataDir).defaults("\"segment\": {\"bytes\": 1024, \"indexIntervalBytes\": 128,"
                + " \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"os\"}");
    }

    /** Creates topic t with one partition and {@code batches} batches; then closes cleanly or abandons the engine (a crash). */
    static void write(EngineFixture fx, int batches, boolean clean) throws IOException {
        StorageEngine e = fx.open();
        e.createTopic("t", 1);
        EngineFixture.fill(e.partition("t", 0), batches, PER_BATCH, VALUE);
        if (clean) {
            e.close();
        } else {
            e.abandonForTest();
        }
    }

    /** Opens fx, checks the log holds exactly records 0..n-1, appends one more batch, reads all, closes, verifies. */
    static void assertRecoversTo(EngineFixture fx, int n) throws IOException {
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(n, p.highWatermark(), "high watermark after recovery");
            assertEquals(expected(0, n, VALUE), readAll(p, 0));
            assertEquals(n, p.append(records(n, PER_BATCH, VALUE)).baseOffset());
            assertEquals(expected(0, n + PER_BATCH, VALUE), readAll(p, 0));
        }
        VerifyReport report = fx.verify();
        assertTrue(report.isClean(), "after a clean close: " + report.problems());
    }

    @ParameterizedTest(name = "clean shutdown before: {0}")
    @ValueSource(booleans = {true, false})
    void garbageAfterTheLastBatchIsCutOff(boolean clean) throws IOException {
        EngineFixture fx = fixture(dir);
        write(fx, 30, clean);
        Path last = EngineFixture.files(fx.partitionDir("t", 0), "log").getLast();
        long size = Files.size(last);
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        EngineFixture.append(last, garbage);
        try (StorageEngine engine = fx.open()) {
            assertEquals(size, Files.size(last), "the garbage is cut off");
            assertEquals(60, engine.partition("t", 0).highWatermark());
        }
        assertRecoversTo(fx, 60);
    }

    @Test
    void garbageAfterAClosedSegmentIsCutOffWhenTheRecoveryPointIsUnknown() throws IOException {
        EngineFixture fx = fixture(dir);
        write(fx, 30, false);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, "log");
        assertTrue(logs.size() >= 4, "segments: " + logs);
        Path second = logs.get(1);
        long size = Files.size(second);
        long end = EngineFixture.batches(second).getLast()[3] + 1;
        EngineFixture.append(second, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 1});
        Files.delete(pdir.resolve(LogFiles.RECOVERY_POINT)); // validate every segment
        try (StorageEngine engine = fx.open()) {
            assertEquals(size, Files.size(second), "the garbage is cut off");
            assertEquals(logs.subList(0, 2), EngineFixture.files(pdir, "log"), "later segments are dropped");
            assertEquals(end, engine.partition("t", 0).highWatermark());
        }
        assertRecoversTo(fx, (int) end);
    }

    @Test
    void logCutAtEveryByteOfItsLastBatchReopensToThePreviousBatches() throws IOException {
        Path base = dir.resolve("base");
        EngineFixture fx = fixture(base);
        StorageEngine e = fx.open();
        e.createTopic("t", 1);
        PartitionLog p = e.partition("t", 0);
        EngineFixture.fill(p, 10, PER_BATCH, VALUE);
        p.append(records(20, 1, 3));
        e.abandonForTest();
        Path last = EngineFixture.files(fx.partitionDir("t", 0), "log").getLast();
        String lastName = last.getFileName().toString();
        long[] batch = EngineFixture.batches(last).getLast();
        assertEquals(20, batch[2]);
        int cases = 0;
        for (long cut = batch[0]; cut < batch[0] + batch[1]; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            EngineFixture.copyTree(base, copy);
            EngineFixture cfx = fx.at(copy);
            Path log = cfx.partitionDir("t", 0).resolve(lastName);
            EngineFixture.truncate(log, cut);
            StorageEngine engine = cfx.open();
            PartitionLog q = engine.partition("t", 0);
            assertEquals(20, q.highWatermark(), "cut at " + cut);
            assertEquals(expected(0, 20, VALUE), readAll(q, 0), "cut at " + cut);
            assertEquals(batch[0], Files.size(log), "cut at " + cut + ": the partial batch is gone");
            engine.abandonForTest(); // a close costs fsyncs and proves nothing more here
            EngineFixture.deleteTree(copy);
            cases++;
        }
        assertEquals(batch[1], cases);
    }

    /**
     * One byte of one batch flipped, at random, with the recovery point unknown so every segment is
     * validated: recovery must keep exactly the batches before the damaged one, or everything when
     * the byte is in the partition leader epoch (the only header field that neither the CRC nor the
     * offset checks cover, and that holds no record data). {@code rivven verify} must name the file
     * and the damaged batch's position before the open repairs it.
     */
    @Test
    void randomByteFlipsAreCutOffAtTheDamagedBatchAndNeverRead() throws IOException {
        Path base = dir.resolve("base");
        EngineFixture fx = fixture(base);
        write(fx, 16, true);
        Path pdir = fx.partitionDir("t", 0);
        Files.delete(pdir.resolve(LogFiles.CLEAN_SHUTDOWN));
        Files.delete(pdir.resolve(LogFiles.RECOVERY_POINT));
        List<String> logNames = new ArrayList<>();
        List<List<long[]>> batches = new ArrayList<>();
        long total = 0;
        for (Path log : EngineFixture.files(pdir, "log")) {
            logNames.add(log.getFileName().toString());
            batches.add(EngineFixture.batches(log));
            total += Files.size(log);
        }
        assertTrue(logNames.size() >= 3, "segments: " + logNames);
        Random rnd = new Random(20261126);
        for (int round = 0; round < 24; round++) {
            long at = (long) (rnd.nextDouble() * total);
            int file = 0;
            long pos = at;
            while (pos >= batches.get(file).getLast()[0] + batches.get(file).getLast()[1]) {
                pos -= batches.get(file).getLast()[0] + batches.get(file).getLast()[1];
                file++;
            }
            long[] hit = null;
            for (long[] b : batches.get(file)) {
                if (pos >= b[0] && pos < b[0] + b[1]) {
                    hit = b;
                }
            }
            long inHeader = pos - hit[0];
            boolean harmless = inHeader >= 12 && inHeader < 16;
            int survivors = harmless ? 16 * PER_BATCH : (int) hit[2];
            String what = "round " + round + ": byte " + pos + " of " + logNames.get(file) + " (" + inHeader + " into the batch at "
                    + hit[0] + ", offsets " + hit[2] + ".." + hit[3] + ")";

            Path copy = dir.resolve("round-" + round);
            EngineFixture.copyTree(base, copy);
            EngineFixture cfx = fx.at(copy);
            Path damaged = cfx.partitionDir("t", 0).resolve(logNames.get(file));
            EngineFixture.flip(damaged, pos, 1 + rnd.nextInt(255));
            if (!harmless) {
                VerifyReport report = cfx.verify();
                long position = hit[0];
                assertTrue(report.problems().stream().anyMatch(p -> p.file().equals(damaged.toAbsolutePath())
                        && p.position() == position), what + ": verify reports " + report.problems());
            }
            StorageEngine engine = cfx.open();
            PartitionLog p = engine.partition("t", 0);
            assertEquals(survivors, p.highWatermark(), what);
            assertEquals(expected(0, survivors, VALUE), readAll(p, 0), what);
            assertEquals(survivors, p.append(records(survivors, 1, VALUE)).baseOffset(), what);
            engine.abandonForTest();
            EngineFixture.deleteTree(copy);
        }
    }

    @ParameterizedTest(name = "clean shutdown before: {0}")
    @ValueSource(booleans = {true, false})
    void emptyActiveSegmentReopens(boolean clean) throws IOException {
        EngineFixture fx = fixture(dir);
        StorageEngine e = fx.open();
        e.createTopic("t", 1);
        PartitionLog p = e.partition("t", 0);
        EngineFixture.fill(p, 3, PER_BATCH, VALUE);
        p.roll();
        int segments = p.segmentCount();
        if (clean) {
            e.close();
        } else {
            e.abandonForTest();
        }
        Path active = EngineFixture.files(fx.partitionDir("t", 0), "log").getLast();
        assertEquals(0, Files.size(active));
        try (StorageEngine engine = fx.open()) {
            PartitionLog q = engine.partition("t", 0);
            assertEquals(segments, q.segmentCount());
            assertEquals(6, q.highWatermark());
            assertEquals(expected(0, 6, VALUE), readAll(q, 0));
            q.append(records(6, 2, VALUE));
            assertEquals(expected(0, 8, VALUE), readAll(q, 0));
            assertTrue(Files.size(active) > 0, "the empty segment took the appends");
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    @ParameterizedTest(name = "clean shutdown before: {0}")
    @ValueSource(booleans = {true, false})
    void missingOrDamagedCheckpointsFallBackToSafeValues(boolean clean) throws IOException {
        EngineFixture fx = fixture(dir);
        write(fx, 20, clean);
        Path pdir = fx.partitionDir("t", 0);
        Files.writeString(pdir.resolve(LogFiles.RECOVERY_POINT), "rivven-checkpoint 1\n999999\n00000000\n");
        Files.deleteIfExists(pdir.resolve(LogFiles.LOG_START_OFFSET));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(0, p.logStartOffset());
            assertEquals(40, p.highWatermark());
            assertEquals(expected(0, 40, VALUE), readAll(p, 0));
        }
        assertTrue(Checkpoint.readLong(pdir.resolve(LogFiles.RECOVERY_POINT)).isPresent(), "rewritten at close");
        assertFalse(Files.exists(pdir.resolve(LogFiles.RECOVERY_POINT + ".tmp")));
        EngineFixture.append(pdir.resolve(LogFiles.LOG_START_OFFSET), new byte[] {1, 2, 3});
        assertRecoversTo(fx, 40);
    }
}
