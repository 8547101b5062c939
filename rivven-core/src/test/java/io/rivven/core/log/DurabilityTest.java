package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flush modes, group commit and failed fsyncs ({@link LogFlusher}), with an I/O backend whose
 * syncs and appends can be made to fail ({@link FaultyIoProvider}).
 */
class DurabilityTest {

    @TempDir
    Path dir;

    private FaultyIoProvider faulty;

    private EngineFixture fixture(String flush) {
        faulty = FaultyIoProvider.overNio();
        return new EngineFixture(dir).faultyIo(faulty)
                .defaults("\"segment\": {\"indexMaxBytes\": 4096}, \"flush\": " + flush);
    }

    /**
     * A power loss must not drop the directory entry of a segment created by a roll, nor bring back
     * the clean-shutdown marker removed at open, once an append in that segment was acknowledged as
     * durable: the segment's first fsync syncs its directory too (once).
     */
    @Test
    void theFirstFsyncOfANewSegmentOrAfterACleanOpenSyncsTheDirectory() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"always\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            p.roll();
            Segment rolled = p.segments().getLast();
            assertTrue(rolled.directoryUnsynced(), "a segment created by a roll has an unsynced directory entry");
            p.append(records(1, 1, 20)); // always: fsynced before it returns
            assertFalse(rolled.directoryUnsynced(), "the append's fsync synced the directory");
        }
        try (StorageEngine engine = fx.open()) { // clean: the marker was removed without a sync
            PartitionLog p = engine.partition("t", 0);
            Segment active = p.segments().getLast();
            assertTrue(active.directoryUnsynced());
            p.append(records(2, 1, 20));
            assertFalse(active.directoryUnsynced());
            assertEquals(3, p.recoveryPoint());
        }
    }

    /** Under interval, appends wait for the next group commit, and one fsync releases all of them. */
    @Test
    void oneGroupCommitReleasesEveryWaitingAppend() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                waiting.add(p.append(records(i, 1, 20)).durable());
            }
            assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "nothing is durable before the commit");
            assertEquals(0, p.recoveryPoint());
            int syncs = faulty.syncs.get();
            p.flush();
            assertTrue(waiting.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
            assertEquals(1, faulty.syncs.get() - syncs, "one fsync for all of them");
            assertEquals(20, p.recoveryPoint());
            assertFalse(p.append(records(20, 1, 20)).durable().isDone());
        }
    }

    /** flush.intervalBytes: once that many bytes are unflushed a commit runs at once, without waiting for the interval. */
    @Test
    void theByteTriggerCommitsWithoutWaitingForTheInterval() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000, \"intervalBytes\": 2000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            CompletableFuture<Void> small = p.append(records(0, 1, 20)).durable();
            CompletableFuture<Void> big = p.append(records(1, 10, 300)).durable();
            big.get(30, TimeUnit.SECONDS);
            assertTrue(small.isDone());
            assertEquals(11, p.recoveryPoint());
        }
    }

    @Test
    void closeCompletesTheWaitersItsFlushCovers() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000}");
        CompletableFuture<Void> durable;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            durable = engine.partition("t", 0).append(records(0, 3, 20)).durable();
            assertFalse(durable.isDone());
        }
        assertTrue(durable.isDone() && !durable.isCompletedExceptionally());
    }

    /**
     * A failed fsync fails the partition for good: the append that needed it throws, waiting
     * appends complete exceptionally, later appends are refused without another fsync attempt,
     * reads go on, close writes no clean-shutdown marker, and a reopen recovers everything that
     * was acknowledged.
     */
    /**
     * Deleting a topic whose partitions cannot be flushed at close still deletes it: otherwise it
     * would leave the engine but stay on disk, come back at the next open, and a new topic of the
     * same name would take over its data.
     */
    @Test
    void aTopicWhoseCloseFailsIsStillDeleted() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"always\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            engine.partition("t", 0).append(records(0, 2, 30));
            faulty.failSync.set(true);
            try {
                assertTrue(engine.deleteTopic("t"));
            } finally {
                faulty.failSync.set(false);
            }
            assertEquals(List.of(), engine.topics());
            assertFalse(Files.exists(dir.resolve("topics").resolve("t")));
            engine.createTopic("t", 1);
            assertEquals(0, engine.partition("t", 0).highWatermark());
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(1, engine.topic("t").orElseThrow().partitionCount());
            assertEquals(0, engine.partition("t", 0).highWatermark());
        }
    }

    @Test
    void aFailedFsyncFailsThePartitionUntilReopened() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"always\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            PartitionLog p = engine.partition("t", 0);
            for (int i = 0; i < 5; i++) {
                assertTrue(p.append(records(i * 2, 2, 30)).durable().isDone());
            }
            faulty.failSync.set(true);
            PartitionFailedException e = assertThrows(PartitionFailedException.class, () -> p.append(records(10, 2, 30)));
            assertTrue(e.getMessage().contains("fsync") && e.getMessage().contains("injected"), e.getMessage());
            assertTrue(p.isFailed());
            faulty.failSync.set(false);
            int syncs = faulty.syncs.get();
            assertThrows(PartitionFailedException.class, () -> p.append(records(12, 2, 30)), "no retry after a failed fsync");
            assertThrows(PartitionFailedException.class, p::flush);
            assertEquals(syncs, faulty.syncs.get(), "nothing was synced again");
            assertEquals(expected(0, 10, 30), readAll(p, 0).subList(0, 10), "reads go on");
            assertFalse(engine.partition("t", 1).isFailed(), "other partitions are not affected");
            engine.partition("t", 1).append(records(0, 1, 30));
        }
        Path pdir = fx.partitionDir("t", 0);
        assertFalse(Files.exists(pdir.resolve(LogFiles.CLEAN_SHUTDOWN)), "a failed partition is not closed cleanly");
        assertTrue(Files.exists(fx.partitionDir("t", 1).resolve(LogFiles.CLEAN_SHUTDOWN)));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertFalse(p.isFailed());
            assertTrue(p.highWatermark() >= 10);
            assertEquals(expected(0, 10, 30), readAll(p, 0).subList(0, 10));
            long next = p.highWatermark();
            assertEquals(next, p.append(records((int) next, 1, 30)).baseOffset());
        }
    }

    @Test
    void aFailedGroupCommitFailsTheWaitingAppends() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            CompletableFuture<Void> a = p.append(records(0, 1, 20)).durable();
            CompletableFuture<Void> b = p.append(records(1, 1, 20)).durable();
            faulty.failSync.set(true);
            assertThrows(PartitionFailedException.class, p::flush);
            for (CompletableFuture<Void> f : List.of(a, b)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(PartitionFailedException.class, e.getCause());
            }
            assertThrows(PartitionFailedException.class, () -> p.append(records(2, 1, 20)));
        }
    }

    /**
     * An fsync that ends in an unchecked exception or an {@link Error} (not an {@link IOException})
     * has an unknown outcome just the same: it fails the partition and the appends waiting for it,
     * rather than escaping the group commit (which would end the scheduled commits for good and
     * leave the waiters to close) or being retried by the next one.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anFsyncEndingInAnUncheckedThrowableFailsThePartitionAndItsWaiters(boolean error) throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            CompletableFuture<Void> a = p.append(records(0, 1, 20)).durable();
            faulty.beforeSync = path -> {
                if (error) {
                    throw new InternalError("injected: a fault in the sync");
                }
                throw new IllegalStateException("injected");
            };
            PartitionFailedException failed = assertThrows(PartitionFailedException.class, p::flush);
            assertEquals(error ? InternalError.class : IllegalStateException.class, failed.getCause().getClass());
            ExecutionException e = assertThrows(ExecutionException.class, () -> a.get(10, TimeUnit.SECONDS));
            assertInstanceOf(PartitionFailedException.class, e.getCause());
            faulty.beforeSync = null;
            assertThrows(PartitionFailedException.class, () -> p.append(records(1, 1, 20)));
            assertTrue(p.isFailed());
        }
    }

    /** A failed write (a full disk) fails the partition too; the bytes written are never read, a reopen recovers. */
    @Test
    void aFailedWriteFailsThePartition() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 4, 20));
            faulty.failAppend.set(true);
            assertThrows(PartitionFailedException.class, () -> p.append(records(4, 4, 20)));
            faulty.failAppend.set(false);
            assertThrows(PartitionFailedException.class, () -> p.append(records(4, 4, 20)));
            assertEquals(4, p.highWatermark());
            assertEquals(expected(0, 4, 20), readAll(p, 0));
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(4, p.highWatermark());
            assertEquals(4, p.append(records(4, 4, 20)).baseOffset());
            assertEquals(expected(0, 8, 20), readAll(p, 0));
        }
    }

    /**
     * Retention may delete a segment that was just rolled while the roll's flush (outside the
     * partition's lock) is still making it durable: that flush must not fail the partition because
     * the sealed indexes are no longer under their old names (they were renamed to .deleted).
     */
    @Test
    void retentionDeletingASegmentWhileItsRollIsFlushedDoesNotFailThePartition() throws Exception {
        faulty = FaultyIoProvider.overNio();
        EngineFixture fx = new EngineFixture(dir).faultyIo(faulty)
                .defaults("\"segment\": {\"indexMaxBytes\": 4096}, \"retention\": {\"bytes\": 0},"
                        + " \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 4, 20));
            String sealedLog = LogFiles.file(p.dir(), 0, "log").getFileName().toString();
            int[] deleted = {0};
            faulty.beforeSync = path -> { // between the roll's fsync of the sealed log and its index flush
                if (path.getFileName().toString().equals(sealedLog)) {
                    faulty.beforeSync = null;
                    deleted[0] = p.applyRetention();
                }
            };
            p.roll();
            assertEquals(1, deleted[0], "retention deleted the rolled segment during the roll's flush");
            assertFalse(p.isFailed(), "a deleted segment's index flush must not fail the partition");
            assertEquals(4, p.append(records(4, 4, 20)).baseOffset());
            assertEquals(expected(4, 4, 20), readAll(p, 4));
        }
    }
}
