package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.testkit.DiskSpace.allocatedBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code segment.preallocateBytes}: the active segment's log has disk space reserved ahead of its
 * end (on Linux, where the nio backend can {@code fallocate}); a roll and a clean close give back
 * what was not filled; nothing of it is ever visible in sizes, reads or after a reopen.
 */
class PreallocationTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void theActiveSegmentIsReservedAheadAndRollsAndCloseGiveTheRestBack() throws IOException {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "fallocate is Linux's");
        EngineFixture fx = new EngineFixture(dir).defaults(
                "\"segment\": {\"bytes\": 3145728, \"preallocateBytes\": 1048576}, \"flush\": {\"mode\": \"os\"}");
        Path partition = dir.resolve("topics/t/partition-0");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 10, 100));
            Path first = EngineFixture.files(partition, "log").getFirst();
            long size = Files.size(first);
            assertTrue(size < 4096, "one small batch: " + size);
            assumeTrue(allocatedBytes(first) >= Segment.MIN_RESERVE_AHEAD,
                    "the backend reserved nothing here (no native access?)");
            assertTrue(allocatedBytes(first) < 256 * 1024,
                    "a small segment reserves little ahead, not the whole chunk: " + allocatedBytes(first));

            int n = 10;
            while (Files.size(first) < 3 * MIB / 2) {
                p.append(EngineFixture.records(n, 100, 1000));
                n += 100;
            }
            assertTrue(allocatedBytes(first) >= Files.size(first) + MIB - 128 * 1024,
                    "a segment past the chunk size reserves the whole chunk ahead: " + allocatedBytes(first)
                            + " allocated, " + Files.size(first) + " bytes");
            assertTrue(allocatedBytes(first) <= 3 * MIB + 64 * 1024, "never past segment.bytes: " + allocatedBytes(first));
            while (p.segmentCount() == 1) {
                p.append(EngineFixture.records(n, 100, 1000));
                n += 100;
            }
            List<Path> logs = EngineFixture.files(partition, "log");
            Path sealed = logs.getFirst();
            Path active = logs.getLast();
            assertTrue(Files.size(sealed) <= 3 * MIB, "rolled at segment.bytes: " + Files.size(sealed));
            assertTrue(allocatedBytes(sealed) < Files.size(sealed) + 64 * 1024,
                    "the roll gave the reserve back: " + allocatedBytes(sealed) + " allocated, " + Files.size(sealed) + " bytes");
            assertTrue(allocatedBytes(active) >= Files.size(active) + Segment.MIN_RESERVE_AHEAD,
                    "the new active segment is reserved ahead: " + allocatedBytes(active));
            assertEquals(expected(0, n, 100).size(), readAll(p, 0).size());
        }
        for (Path log : EngineFixture.files(partition, "log")) {
            assertTrue(allocatedBytes(log) < Files.size(log) + 64 * 1024,
                    log + ": a clean close gave the reserve back: " + allocatedBytes(log) + " allocated, " + Files.size(log) + " bytes");
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            long hw = p.highWatermark();
            assertEquals(readAll(p, 0).size(), hw, "every record readable after the reopen, nothing more");
        }
    }

    @Test
    void recoveryAfterACrashGivesBackWhatTheActiveSegmentHadReserved() throws IOException {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "fallocate is Linux's");
        EngineFixture fx = new EngineFixture(dir).defaults("\"flush\": {\"mode\": \"os\"}");
        Path partition = dir.resolve("topics/t/partition-0");
        StorageEngine crashed = fx.open();
        crashed.createTopic("t", 1);
        PartitionLog p = crashed.partition("t", 0);
        EngineFixture.appendBatches(p, 20, 100, 1000);
        Path log = EngineFixture.files(partition, "log").getFirst();
        long size = Files.size(log);
        assumeTrue(allocatedBytes(log) >= size + Segment.MIN_RESERVE_AHEAD, "the backend reserved nothing here");
        crashed.abandonForTest(); // as kill -9: nothing closed, nothing given back

        try (StorageEngine engine = fx.open()) {
            assertEquals(size, Files.size(log));
            assertTrue(allocatedBytes(log) < size + 64 * 1024,
                    "recovery gave the reservation back: " + allocatedBytes(log) + " allocated, " + size + " bytes");
            assertEquals(expected(0, 2000, 1000), readAll(engine.partition("t", 0), 0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"segment\": {\"preallocateBytes\": 0}, \"flush\": {\"mode\": \"os\"}",
            "\"segment\": {\"preallocateBytes\": 1048576}, \"flush\": {\"mode\": \"interval\"}",
            "\"segment\": {\"preallocateBytes\": 1048576}, \"flush\": {\"mode\": \"always\"}"})
    void nothingIsReservedWhenOffOrUnderFsyncs(String defaults) throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults(defaults);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 10, 100));
            Path log = EngineFixture.files(dir.resolve("topics/t/partition-0"), "log").getFirst();
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                assertTrue(allocatedBytes(log) < 64 * 1024, "allocated " + allocatedBytes(log));
            }
            assertEquals(expected(0, 10, 100), readAll(p, 0));
        }
    }
}
