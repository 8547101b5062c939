package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability at the edges of the write path: what recovery, index repair and close must have
 * fsynced before the recovery point (or a clean-shutdown marker) says so. The fsyncs are observed
 * through {@link FaultyIoProvider#beforeSync}; the races are set up with its hook, without sleeps.
 */
class DurabilityEdgeTest {

    @TempDir
    Path dir;

    private FaultyIoProvider faulty;

    private EngineFixture fixture(String flush) {
        faulty = new FaultyIoProvider(EngineFixture.PLUGINS.ioBackends().get("nio", "test"));
        return new EngineFixture(dir).plugins(EngineFixture.pluginsWith(faulty)).io("faulty")
                .defaults("\"segment\": {\"indexMaxBytes\": 4096}, \"flush\": " + flush);
    }

    private static String logName(long base) {
        return LogFiles.baseName(base) + "." + LogFiles.LOG;
    }

    /**
     * After an unclean shutdown (a kill -9 between a roll and its flush leaves closed segments above
     * the recovery point, their pages in the page cache only), recovery validates them and moves the
     * recovery point to the end of the log: each of them must be fsynced before that, or a power loss
     * after the recovery drops pages of segments the checkpoint calls durable (and the next recovery
     * trusts them without validating them).
     */
    @Test
    void recoveryFsyncsTheClosedSegmentsItValidatedBeforeMovingTheRecoveryPoint() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 2, 20));
            p.roll();
            p.append(records(2, 2, 20));
            p.roll();
            p.append(records(4, 2, 20));
        }
        Path pdir = fx.partitionDir("t", 0);
        Files.delete(pdir.resolve(LogFiles.CLEAN_SHUTDOWN)); // unclean, and nothing durable as far as the checkpoint knows
        Checkpoint.writeLong(pdir.resolve(LogFiles.RECOVERY_POINT), 0);
        List<String> synced = new CopyOnWriteArrayList<>();
        faulty.beforeSync = path -> synced.add(path.getFileName().toString());
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(6, p.recoveryPoint());
            assertEquals(6, Checkpoint.readLong(pdir.resolve(LogFiles.RECOVERY_POINT)).orElseThrow());
            for (long base : List.of(0L, 2L, 4L)) {
                assertTrue(synced.contains(logName(base)), logName(base) + " was validated and is below the recovery point"
                        + " now, but was never fsynced; fsynced: " + synced);
            }
        }
    }
}
