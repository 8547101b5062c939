package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.appendBatches;
import static io.rivven.core.log.EngineFixture.await;
import static io.rivven.core.log.EngineFixture.records;
import static io.rivven.core.log.EngineFixture.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of topics and of the engine under concurrency: {@code createTopic},
 * {@code deleteTopic} and {@code close} racing appends, reads, timestamp lookups and flushes. The
 * races are set up with the hooks of {@link FaultyIoProvider} and latches, without sleeps.
 */
class TopicLifecycleTest {

    @TempDir
    Path dir;

    private FaultyIoProvider faulty;

    private EngineFixture fixture(String defaults) {
        faulty = FaultyIoProvider.overNio();
        return new EngineFixture(dir).faultyIo(faulty).defaults(defaults);
    }

    private static String logName(long base) {
        return LogFiles.baseName(base) + "." + LogFiles.LOG;
    }

    /** {@code n} records "k"/"{@code prefix}-i", all of one size for one prefix length. */
    private static List<Record> tagged(String prefix, int n) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Record.of(EngineFixture.T0 + i, "k", prefix + "-" + i));
        }
        return out;
    }

    /** The values of the records in a fetch result. */
    private static List<String> values(FetchResult f) {
        List<String> out = new ArrayList<>();
        RecordBatchReader r = new RecordBatchReader(f.toByteBuffer());
        for (RecordBatch b; (b = r.next()) != null; ) {
            try (RecordCursor c = b.records(EngineFixture.CODECS, BufferAllocator.HEAP)) {
                while (c.next()) {
                    out.add(EngineFixture.string(c.value()));
                }
            }
        }
        return out;
    }

    /**
     * A reader that holds a segment of a topic being deleted and opens its log only now (a closed
     * segment of a cleanly opened partition opens its log on first read) must not open whatever
     * file is at that path by then: after the deletion, a new topic of the same name has its own
     * segment there, and the read returned the new topic's records as the deleted topic's.
     */
    @Test
    void aReaderOfADeletedTopicNeverReadsTheFilesOfANewTopicOfTheSameName() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(tagged("old", 4));
            p.roll();
            p.append(tagged("old", 2));
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog old = engine.partition("t", 0);
            assertFalse(old.segments().getFirst().isLogOpen(), "a closed segment opens its log on first read");
            CountDownLatch opening = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            Path oldLog = old.dir().resolve(logName(0));
            faulty.beforeOpen = path -> {
                if (path.equals(oldLog) && Thread.currentThread().getName().equals("old-reader")) {
                    faulty.beforeOpen = null;
                    opening.countDown();
                    await(resume);
                }
            };
            CompletableFuture<List<String>> read = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().name("old-reader").start(() -> {
                try (FetchResult f = old.read(0, 1 << 20)) {
                    read.complete(values(f));
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
            assertTrue(opening.await(30, TimeUnit.SECONDS));
            assertTrue(engine.deleteTopic("t"));
            engine.createTopic("t", 1);
            engine.partition("t", 0).append(tagged("new", 4));
            resume.countDown();
            reader.join();
            try {
                List<String> got = read.join();
                assertEquals(List.of("old-0", "old-1", "old-2", "old-3"), got, "a read of the deleted topic returned other records");
            } catch (java.util.concurrent.CompletionException e) {
                assertTrue(e.getCause() instanceof StorageException, "a read of a deleted topic fails with a StorageException: " + e.getCause());
                assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
            }
            assertEquals(List.of("new-0", "new-1", "new-2", "new-3"), values(engine.partition("t", 0).read(0, 1 << 20)));
        }
    }

    /**
     * A timestamp lookup on the partition of a deleted topic (or of a closed engine) must say that
     * the partition is closed, as a read does; it answered "every record is older" (empty).
     */
    @Test
    void aTimestampLookupOnAClosedPartitionSaysItIsClosed() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        engine.createTopic("u", 1);
        PartitionLog t = engine.partition("t", 0);
        PartitionLog u = engine.partition("u", 0);
        t.append(records(0, 3, 20));
        u.append(records(0, 3, 20));
        assertEquals(0, t.offsetForTimestamp(EngineFixture.T0).orElseThrow());
        engine.deleteTopic("t");
        StorageException e = assertThrows(StorageException.class, () -> t.offsetForTimestamp(EngineFixture.T0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        engine.close();
        assertThrows(StorageException.class, () -> u.offsetForTimestamp(EngineFixture.T0));
    }

    /**
     * A timestamp lookup that meets a segment an index repair replaced while the lookup was busy
     * with an earlier segment must look in the replacement (the same records): it skipped it (the
     * map's iterator had read the old segment, whose retain then failed, as for a segment deleted
     * by retention) and answered with an offset of a later segment. The log start offset sits in
     * the first segment, so the lookup reads that segment and finds nothing there.
     */
    @Test
    void aTimestampLookupRacingAnIndexRepairLooksInTheReplacementSegment() throws Exception {
        EngineFixture fx = fixture("\"segment\": {\"indexIntervalBytes\": 1}, \"flush\": {\"mode\": \"os\"}");
        long t0 = EngineFixture.T0;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(List.of(Record.of(t0 + 100, "k", "a0"), Record.of(t0 + 100, "k", "a1")));
            p.append(List.of(Record.of(t0 + 1, "k", "b0"), Record.of(t0 + 1, "k", "b1")));
            p.roll();
            p.append(List.of(Record.of(t0 + 60, "k", "c0"), Record.of(t0 + 60, "k", "c1"))); // offsets 4-5
            p.roll();
            p.append(List.of(Record.of(t0 + 70, "k", "d0"), Record.of(t0 + 70, "k", "d1"))); // offsets 6-7
        }
        Path pdir = fx.partitionDir("t", 0);
        Checkpoint.writeLong(pdir.resolve(LogFiles.LOG_START_OFFSET), 2); // offsets 0-1 (timestamp t0 + 100) are gone
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(LogFiles.file(pdir, 4, LogFiles.OFFSET_INDEX),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(4).putInt(0, 1), 4); // the first entry points at position 1
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(2, p.logStartOffset());
            CountDownLatch opening = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            Path log0 = pdir.resolve(logName(0));
            faulty.beforeOpen = path -> {
                if (path.equals(log0) && Thread.currentThread().getName().equals("lookup")) {
                    faulty.beforeOpen = null;
                    opening.countDown();
                    await(resume);
                }
            };
            CompletableFuture<Long> found = new CompletableFuture<>();
            Thread lookup = Thread.ofPlatform().name("lookup").start(() -> {
                try {
                    found.complete(p.offsetForTimestamp(t0 + 50).orElse(-1));
                } catch (Throwable t) {
                    found.completeExceptionally(t);
                }
            });
            assertTrue(opening.await(30, TimeUnit.SECONDS)); // busy with the first segment
            Segment damaged = p.segments().get(1);
            p.read(4, 1).close(); // finds the damaged index entry
            assertTrue(damaged.indexesDamaged());
            p.repairIndexes();
            assertTrue(p.segments().get(1) != damaged, "the segment was replaced");
            resume.countDown();
            lookup.join();
            assertEquals(4, found.join(), "the first record at or after t0 + 50 from the log start on is offset 4");
        }
    }

    /**
     * A failed partition's close leaves its active segment unsealed (the log stays as the failure
     * left it, for recovery), so its indexes stayed writable; a reader still holding the segment
     * then closed them when it released it, and closing a writable index trims its file by path:
     * after the topic's deletion that path is a new topic's live index, which was cut to the dead
     * index's length under its mapping.
     */
    @Test
    void releasingASegmentOfADeletedFailedPartitionLeavesTheIndexesOfANewTopicAlone() throws Exception {
        EngineFixture fx = fixture("\"segment\": {\"indexIntervalBytes\": 1, \"indexMaxBytes\": 8192}, \"flush\": {\"mode\": \"always\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog old = engine.partition("t", 0);
            old.append(records(0, 1, 20));
            faulty.failSync.set(true);
            assertThrows(PartitionFailedException.class, () -> old.append(records(1, 1, 20)));
            faulty.failSync.set(false);
            FetchResult held = old.read(0, 1 << 20); // holds the active segment
            assertTrue(engine.deleteTopic("t"));
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            Path offsetIndex = LogFiles.file(p.dir(), 0, LogFiles.OFFSET_INDEX);
            Path timeIndex = LogFiles.file(p.dir(), 0, LogFiles.TIME_INDEX);
            long offsetIndexSize = Files.size(offsetIndex);
            long timeIndexSize = Files.size(timeIndex);
            held.close();
            assertEquals(offsetIndexSize, Files.size(offsetIndex), "the new topic's offset index was resized");
            assertEquals(timeIndexSize, Files.size(timeIndex), "the new topic's time index was resized");
            p.append(records(1, 1, 20));
            assertEquals(EngineFixture.expected(0, 2, 20), EngineFixture.readAll(p, 0));
        }
    }

    /**
     * A closed segment trusted after a clean shutdown reads its largest timestamp lazily, by path
     * (its time index's last entry, or the log's modification time). Once its partition closed,
     * that path may name another engine's file, or a new topic's: it must refuse rather than
     * answer from it.
     */
    @Test
    void theLargestTimestampOfASegmentOfAClosedPartitionIsNotReadByPath() throws Exception {
        EngineFixture fx = fixture("\"segment\": {\"bytes\": 2048}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            appendBatches(p, 20, 4, 100);
        }
        Segment first;
        try (StorageEngine engine = fx.open()) { // clean: closed segments read their largest timestamp lazily
            first = engine.partition("t", 0).segments().getFirst();
        } // closed: the files stay where they are, for the next engine to open (and change)
        IOException e = assertThrows(IOException.class, first::maxTimestamp);
        assertTrue(e.getMessage().contains("partition was closed"), e.getMessage());
    }

    /**
     * As above for a partition that had not failed but whose close failed to seal the active
     * segment (giving back the log space reserved ahead failed): its indexes are still sealed, so
     * the reader that releases the segment last trims nothing by path.
     */
    @Test
    void releasingASegmentWhoseSealFailedAtCloseLeavesTheIndexesOfANewTopicAlone() throws Exception {
        EngineFixture fx = fixture("\"segment\": {\"indexIntervalBytes\": 1, \"indexMaxBytes\": 8192}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog old = engine.partition("t", 0);
            old.append(records(0, 1, 20)); // reserves log space ahead: the seal at close gives it back
            FetchResult held = old.read(0, 1 << 20); // holds the active segment
            faulty.failTruncate.set(true);
            try {
                engine.deleteTopic("t"); // its close fails to seal
            } catch (IOException | RuntimeException expected) {
                // the topic is deleted all the same
            } finally {
                faulty.failTruncate.set(false);
            }
            assertFalse(engine.topics().contains("t"), "the topic is deleted despite its failed close");
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            Path offsetIndex = LogFiles.file(p.dir(), 0, LogFiles.OFFSET_INDEX);
            long offsetIndexSize = Files.size(offsetIndex);
            held.close();
            assertEquals(offsetIndexSize, Files.size(offsetIndex), "the new topic's offset index was resized");
            p.append(records(1, 1, 20));
            assertEquals(EngineFixture.expected(0, 2, 20), EngineFixture.readAll(p, 0));
        }
    }

    /**
     * An append whose roll is finished outside the partition's lock while the partition closes
     * (the engine closing, or its topic being deleted) was written, and the close flushed it: it
     * must not fail with "partition is closed", the message of an append that was refused, when
     * the next open has it.
     */
    @Test
    void anAppendThatRolledWhileThePartitionClosedIsNotReportedAsRefused() throws Exception {
        EngineFixture fx = fixture("\"segment\": {\"ms\": 1000}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            CountDownLatch inFlush = new CountDownLatch(1);
            CountDownLatch appending = new CountDownLatch(1);
            Thread[] appender = new Thread[1];
            CompletableFuture<AppendResult> appended = new CompletableFuture<>();
            Path log0 = p.dir().resolve(logName(0));
            faulty.beforeSync = path -> { // a flush holds the flush lock here
                if (path.equals(log0)) {
                    faulty.beforeSync = null;
                    inFlush.countDown();
                    await(appending);
                    // the appender rolled and waits for the flush lock to finish its roll
                    waitFor(() -> appender[0].getState() == Thread.State.WAITING);
                    try {
                        p.close(); // what the engine's close or deleteTopic does, first in line for the lock
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            Thread flusher = Thread.ofPlatform().start(p::flush);
            assertTrue(inFlush.await(30, TimeUnit.SECONDS));
            fx.clock.addAndGet(2000); // segment.ms passed: the next append rolls
            appender[0] = Thread.ofPlatform().start(() -> {
                try {
                    appended.complete(p.append(records(1, 1, 20)));
                } catch (Throwable t) {
                    appended.completeExceptionally(t);
                }
            });
            appending.countDown();
            flusher.join();
            appender[0].join();
            assertEquals(2, p.highWatermark(), "the append was written");
            AppendResult r = appended.join(); // failed with "t-0: partition is closed"
            assertEquals(1, r.baseOffset());
            assertTrue(r.durable().isDone() && !r.durable().isCompletedExceptionally());
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(EngineFixture.expected(0, 2, 20), EngineFixture.readAll(engine.partition("t", 0), 0));
        }
    }

    /**
     * A createTopic that fails after writing the topic's metadata (here: the partition's first
     * fsync fails) must leave nothing behind: a retry failed with "exists but is not a topic of
     * this engine (it holds files that are not Rivven partitions and was ignored at open)", and the
     * next open brought back the topic whose creation had failed.
     */
    @Test
    void aTopicWhoseCreationFailedLeavesNothingBehind() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            failFirstSyncUnder(dir.resolve("topics").resolve("t"));
            assertThrows(Exception.class, () -> engine.createTopic("t", 1));
            assertEquals(List.of(), engine.topics());
            faulty.beforeSync = null;
            engine.createTopic("t", 1); // the retry works
            engine.partition("t", 0).append(records(0, 1, 20));

            failFirstSyncUnder(dir.resolve("topics").resolve("u"));
            assertThrows(Exception.class, () -> engine.createTopic("u", 1));
            faulty.beforeSync = null;
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of("t"), engine.topics(), "a topic whose creation failed came back at open");
            assertEquals(1, engine.partition("t", 0).highWatermark());
        }
        assertFalse(Files.exists(dir.resolve("topics").resolve("u")));
    }

    /**
     * A deletion renames the topic's directory to {@code <name>~<millis>.deleted}. When a directory
     * of that name is still there (a deletion of the same name in the same millisecond whose
     * removal failed), the rename failed: the topic was gone from the engine but its directory
     * stayed, and the next open brought it back.
     */
    @Test
    void aDeletionDoesNotCollideWithALeftoverOfTheSameNameAndMillisecond() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            engine.partition("t", 0).append(records(0, 1, 20));
            Path leftover = dir.resolve("topics").resolve(TopicMetadata.deletedTopicDirName("t", fx.clock.get()));
            Files.createDirectories(leftover);
            Files.writeString(leftover.resolve("stuck"), "x");

            assertTrue(engine.deleteTopic("t"));
            assertFalse(Files.exists(dir.resolve("topics").resolve("t")));
            assertTrue(Files.exists(leftover.resolve("stuck")), "the leftover is not ours to merge into");
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of(), engine.topics(), "the deleted topic came back at open");
        }
    }

    /**
     * When one partition of a topic fails to open with an unchecked exception (a failed fsync
     * during the load fails the partition: {@link PartitionFailedException}), the partitions that
     * did open must be closed: their files and their gauges stayed, and a new topic of the same
     * name then got the dead partitions' gauges (Micrometer returns the meter already registered
     * under the same name and tags).
     */
    @Test
    void aTopicThatFailsToOpenLeavesNoFilesOpenAndNoGauges() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StorageEngine engine = StorageEngine.builder(fx.config()).plugins(fx.plugins()).clock(fx.clock::get)
                .meterRegistry(registry).open()) {
            Path p3 = fx.partitionDir("t", 3);
            AtomicInteger syncs = new AtomicInteger();
            faulty.beforeSync = path -> { // the load's first fsync of t-3's log works, its flush fails
                if (path.startsWith(p3) && path.getFileName().toString().endsWith(LogFiles.LOG) && syncs.incrementAndGet() > 1) {
                    throw new UncheckedIOException(new IOException(path + ": fsync failed (injected)"));
                }
            };
            assertThrows(RuntimeException.class, () -> engine.createTopic("t", 4));
            faulty.beforeSync = null;
            assertEquals(List.of(), engine.topics());
            assertEquals(List.of(), openFilesUnder(dir.resolve("topics")), "files of the topic that failed to open are still open");
            assertEquals(0, registry.find("rivven.log.segments").tag("topic", "t").gauges().size(),
                    "gauges of the topic that failed to open are still registered");
            engine.createTopic("t", 4);
            PartitionLog p = engine.partition("t", 0);
            p.append(records(0, 1, 20));
            p.roll();
            assertEquals(2.0, registry.get("rivven.log.segments").tags("topic", "t", "partition", "0").gauge().value());
        }
    }

    /** After close, asking for a partition says the engine is closed, not that the topic does not exist. */
    @Test
    void aPartitionOfAClosedEngineIsRefusedAsClosedNotUnknown() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        engine.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> engine.partition("t", 0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * What deleteTopic promises an append that returned before it (its javadoc): under
     * {@code flush.mode=interval} its durable() future, not completed yet, completes normally (the
     * close flushed it; it was durable until the deletion); a later append through the same
     * PartitionLog is refused with "partition is closed".
     */
    @Test
    void anAppendAcknowledgedBeforeDeleteTopicIsDurableUntilTheDeletion() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"interval\", \"intervalMs\": 3600000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            AppendResult r = p.append(records(0, 1, 20));
            assertFalse(r.durable().isDone(), "no group commit ran yet");
            assertTrue(engine.deleteTopic("t"));
            assertTrue(r.durable().isDone() && !r.durable().isCompletedExceptionally());
            StorageException refused = assertThrows(StorageException.class, () -> p.append(records(1, 1, 20)));
            assertTrue(refused.getMessage().contains("partition is closed"), refused.getMessage());
            assertEquals(1, p.highWatermark());
        }
    }

    /**
     * Fetch results held across a topic's deletion keep reading the deleted topic's bytes and hold
     * its files (and index mappings) until they are closed; nothing of it stays open afterwards.
     */
    @Test
    void fetchResultsHeldAcrossADeletionReadOnAndReleaseEveryFileWhenClosed() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        EngineFixture fx = fixture("\"segment\": {\"indexIntervalBytes\": 1}, \"flush\": {\"mode\": \"interval\", \"intervalMs\": 10}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            engine.createTopic("keep", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(tagged("a", 3));
            p.roll();
            p.append(tagged("b", 3));
            assertEquals(0, p.offsetForTimestamp(EngineFixture.T0).orElseThrow()); // maps the time index
            FetchResult first = p.read(0, 1 << 20);
            FetchResult active = p.read(3, 1 << 20);
            assertTrue(engine.deleteTopic("t"));
            assertFalse(Files.exists(dir.resolve("topics").resolve("t")));
            assertEquals(List.of("a-0", "a-1", "a-2"), values(first));
            assertEquals(List.of("b-0", "b-1", "b-2"), values(active));
            assertFalse(openFilesUnder(dir.resolve("topics")).isEmpty(), "held results keep their files");
            first.close();
            active.close();
            assertEquals(List.of(), openFilesUnder(dir.resolve("topics").resolve("t")));
            assertEquals(List.of(), mappedFilesUnder(dir.resolve("topics").resolve("t")));
            assertThrows(UnknownTopicException.class, () -> engine.partition("t", 0));
            assertThrows(StorageException.class, () -> p.append(records(0, 1, 20)));
            assertThrows(StorageException.class, () -> p.read(0, 100));
            try (Stream<Path> left = Files.list(dir.resolve("topics"))) {
                assertEquals(List.of("keep"), left.map(x -> x.getFileName().toString()).toList());
            }
        }
    }

    /**
     * Closing the engine while a reader holds a fetch result does not wait for it: the result reads
     * on, and releases its files when closed; the data directory is free for another engine.
     */
    @Test
    void closeDoesNotWaitForHeldFetchResults() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"always\"}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        p.append(tagged("a", 3));
        FetchResult held = p.read(0, 1 << 20);
        engine.close();
        assertEquals(List.of("a-0", "a-1", "a-2"), values(held));
        held.close();
        assertEquals(List.of(), openFilesUnder(dir));
        assertEquals(List.of(), mappedFilesUnder(dir));
        try (StorageEngine again = fx.open()) {
            assertEquals(3, again.partition("t", 0).highWatermark());
        }
    }

    /**
     * Closing the engine while its scheduler runs a group commit (blocked in its fsync here) waits
     * for it, then closes: no hang, the waiting append completes normally, the data directory is
     * released only after, and the next open has the record.
     */
    @Test
    void closeWaitsForARunningGroupCommitThenReleasesTheDirectory() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"interval\", \"intervalMs\": 3600000, \"intervalBytes\": 1}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        CountDownLatch inFlush = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        faulty.beforeSync = path -> {
            if (Thread.currentThread().getName().equals("rivven-scheduler")) {
                faulty.beforeSync = null;
                inFlush.countDown();
                await(resume);
            }
        };
        AppendResult r = p.append(records(0, 1, 20)); // passes intervalBytes: the scheduler flushes
        assertTrue(inFlush.await(30, TimeUnit.SECONDS));
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                engine.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThrows(DataDirInUseException.class, fx::open, "the directory is still locked while the flush runs");
        resume.countDown();
        closed.join();
        assertTrue(r.durable().isDone() && !r.durable().isCompletedExceptionally());
        try (StorageEngine again = fx.open()) {
            assertEquals(EngineFixture.expected(0, 1, 20), EngineFixture.readAll(again.partition("t", 0), 0));
        }
    }

    /**
     * A second close while the first is still running (a shutdown hook and the main thread, say)
     * returns only once the engine is closed: it returned at once, with partitions still open and
     * the data directory still locked, and a JVM exiting after a shutdown hook's close cut the
     * first close short.
     */
    @Test
    void aSecondCloseReturnsOnlyOnceTheEngineIsClosed() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"os\"}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        p.append(records(0, 1, 20));
        CountDownLatch inClose = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        faulty.beforeSync = path -> { // the first close's flush (appends under flush.mode=os sync nothing)
            faulty.beforeSync = null;
            inClose.countDown();
            await(resume);
        };
        Thread first = Thread.ofPlatform().name("first-close").start(() -> {
            try {
                engine.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertTrue(inClose.await(30, TimeUnit.SECONDS));
        CompletableFuture<Boolean> closedWhenReturned = new CompletableFuture<>();
        Thread second = Thread.ofPlatform().start(() -> {
            try {
                engine.close();
                closedWhenReturned.complete(p.isClosed());
            } catch (Throwable t) {
                closedWhenReturned.completeExceptionally(t);
            }
        });
        // either it returned (the bug) or it waits for the first close
        waitFor(() -> second.getState() != Thread.State.NEW && second.getState() != Thread.State.RUNNABLE);
        resume.countDown();
        first.join();
        second.join();
        assertTrue(closedWhenReturned.join(), "the second close returned while the first was still closing the partitions");
    }

    /**
     * A close called back from inside the close (an append's durable() future, completed by the
     * close's flush, whose callback closes the engine) returns at once instead of waiting for the
     * close it runs in.
     */
    @Test
    void aCloseCalledBackFromInsideTheCloseDoesNotWaitForItself() throws Exception {
        EngineFixture fx = fixture("\"flush\": {\"mode\": \"interval\", \"intervalMs\": 3600000}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        AppendResult r = engine.partition("t", 0).append(records(0, 1, 20));
        CompletableFuture<Void> calledBack = r.durable().thenRun(() -> {
            try {
                engine.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                engine.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        closer.join(TimeUnit.SECONDS.toMillis(30)); // only against a hang
        assertFalse(closer.isAlive(), "close waits for itself");
        calledBack.join();
    }

    // ---------------------------------------------------------------- helpers

    /** Makes the first fsync of a file under {@code root} throw (an unchecked failure of the disk). */
    private void failFirstSyncUnder(Path root) {
        faulty.beforeSync = path -> {
            if (path.startsWith(root)) {
                faulty.beforeSync = null;
                throw new UncheckedIOException(new IOException(path + ": fsync failed (injected)"));
            }
        };
    }

    /** The files under {@code root} that this process has open (from /proc/self/fd). */
    static List<String> openFilesUnder(Path root) throws IOException {
        String prefix = root.toAbsolutePath().toString();
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        out.add(target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile (the listing's own descriptor, say)
                }
            }
        }
        return out;
    }

    /** The files under {@code root} that this process has mapped (from /proc/self/maps). */
    static List<String> mappedFilesUnder(Path root) throws IOException {
        String prefix = root.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(prefix)).toList();
    }
}
