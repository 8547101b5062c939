package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.await;
import static io.rivven.core.log.EngineFixture.records;
import static io.rivven.core.log.EngineFixture.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Durability at the edges of the write path: what recovery, index repair and close must have
 * fsynced before the recovery point (or a clean-shutdown marker) says so. The fsyncs are observed
 * through {@link FaultyIoProvider#beforeSync}; the races are set up with its hook, without sleeps.
 */
class DurabilityEdgeTest {

    @TempDir
    Path dir;

    /** Above this many open files (ulimit -n) the descriptor-exhaustion test is skipped. */
    private static final int MAX_DESCRIPTORS = 100_000;

    private FaultyIoProvider faulty;

    private EngineFixture fixture(String flush) {
        faulty = FaultyIoProvider.overNio();
        return new EngineFixture(dir).faultyIo(faulty)
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

    /**
     * Index repair replaces a damaged closed segment by one whose log is not open, so no flush ever
     * syncs that log again. A segment rolled a moment ago is not durable yet (its roll's flush waits
     * for the flush lock): if the repair replaces it then, the flush that follows moves the recovery
     * point past appends that were never fsynced and completes their {@code durable()}.
     */
    @Test
    void indexRepairOfASegmentWhoseRollIsNotFlushedYetKeepsItsAppendsDurable() throws Exception {
        faulty = FaultyIoProvider.overNio();
        EngineFixture fx = new EngineFixture(dir).faultyIo(faulty)
                .defaults("\"segment\": {\"indexMaxBytes\": 4096, \"indexIntervalBytes\": 1},"
                        + " \"flush\": {\"mode\": \"interval\", \"intervalMs\": 3600000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            CountDownLatch inFlush = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            faulty.beforeSync = path -> { // the first roll's flush holds the flush lock here
                if (path.getFileName().toString().equals(logName(0))) {
                    faulty.beforeSync = null;
                    inFlush.countDown();
                    await(resume);
                }
            };
            Thread firstRoll = Thread.ofPlatform().start(p::roll); // segment 0 -> 1
            assertTrue(inFlush.await(30, TimeUnit.SECONDS));
            List<String> synced = new CopyOnWriteArrayList<>();
            faulty.beforeSync = path -> synced.add(path.getFileName().toString());
            List<CompletableFuture<Void>> durable = List.of(p.append(records(1, 1, 20)).durable(),
                    p.append(records(2, 1, 20)).durable(), p.append(records(3, 1, 20)).durable());
            Thread secondRoll = Thread.ofPlatform().start(p::roll); // segment 1 -> 4; its flush waits for the lock
            waitFor(() -> p.segmentCount() == 3);
            Segment rolled = p.segments().get(1);
            damageOffsetIndex(LogFiles.file(p.dir(), 1, LogFiles.OFFSET_INDEX));
            p.read(3, 1).close(); // the lookup finds the bad entry
            assertTrue(rolled.indexesDamaged());
            p.repairIndexes();
            assertNotSame(rolled, p.segments().get(1), "the segment was replaced");
            resume.countDown();
            firstRoll.join();
            secondRoll.join();
            assertEquals(4, p.recoveryPoint());
            assertTrue(durable.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
            assertTrue(synced.contains(logName(1)), "offsets 1-3 were called durable, but " + logName(1)
                    + " was never fsynced after they were appended; fsynced: " + synced);
            assertEquals(EngineFixture.expected(0, 4, 20), EngineFixture.readAll(p, 0));
        }
    }

    /**
     * After a clean open the removal of the clean-shutdown marker must reach the disk before an
     * append is called durable (else a power loss brings the marker back over it). When the
     * directory cannot even be opened for its fsync (here: no file descriptor left, EMFILE), that
     * fsync failed: the append must fail the partition, not be acknowledged.
     */
    @Test
    void aDirectoryThatCannotBeOpenedForItsFsyncFailsTheAppendThatNeedsIt() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"always\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
        }
        try (StorageEngine engine = fx.open()) { // clean: each active segment's first fsync syncs its directory
            engine.partition("t", 1).append(records(0, 1, 20)); // the same path once, so that nothing is left to load
            PartitionLog p = engine.partition("t", 0);
            Segment active = p.segments().getLast();
            assertTrue(active.directoryUnsynced());
            List<FileChannel> held = new ArrayList<>();
            Path any = fx.partitionDir("t", 1).resolve(LogFiles.RECOVERY_POINT);
            Throwable appended;
            try {
                try {
                    while (held.size() < MAX_DESCRIPTORS) {
                        held.add(FileChannel.open(any, StandardOpenOption.READ));
                    }
                } catch (FileSystemException exhausted) {
                    // no descriptor left for this process
                }
                assumeTrue(held.size() < MAX_DESCRIPTORS,
                        "the descriptor limit is too high to exhaust here");
                appended = assertThrows(Throwable.class, () -> p.append(records(0, 1, 20)).durable().join());
            } catch (AssertionFailedError acknowledged) {
                appended = null;
            } finally {
                for (FileChannel ch : held) {
                    ch.close();
                }
            }
            assertTrue(appended instanceof PartitionFailedException, "the append was acknowledged (or failed otherwise: "
                    + appended + ") although its directory was not fsynced");
            assertTrue(active.directoryUnsynced());
        }
    }

    /** Overwrites the position of every entry of a sealed offset index with 1 (no batch starts there), in place. */
    private static void damageOffsetIndex(Path index) throws Exception {
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long entries = ch.size() / 8;
            assertTrue(entries > 0, index + " has entries");
            for (long i = 0; i < entries; i++) {
                ch.write(ByteBuffer.allocate(4).putInt(0, 1), i * 8 + 4);
            }
        }
    }
}
