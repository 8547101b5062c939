package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Library users interrupt their own threads ({@code Future.cancel(true)}, {@code shutdownNow()}):
 * that must not fail a partition nor lose anything acknowledged. Writer and reader threads are
 * interrupted over and over, by another thread and by themselves right before some calls, while
 * they append and read with small segments (frequent rolls: new files, index mappings,
 * checkpoints) and fsyncs; one reader is never interrupted. Nothing may fail, no interrupt flag may
 * be swallowed, the partition must not be failed, and afterwards, and again after a reopen, every
 * acknowledged record must be there.
 */
class InterruptTest {

    static final int WRITERS = 2;
    static final int APPENDS_PER_WRITER = 300;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "flush.mode {0}")
    @ValueSource(strings = {"always", "os"})
    void interruptsNeitherFailThePartitionNorLoseAcknowledgedRecords(String flushMode) throws Exception {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 4096, \"indexIntervalBytes\": 256,"
                + " \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"" + flushMode + "\"}");
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<Long, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog log = engine.partition("t", 0);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    try {
                        for (int i = 0; i < APPENDS_PER_WRITER; i++) {
                            List<Record> records = new ArrayList<>();
                            List<String> keys = new ArrayList<>();
                            for (int k = 0; k < 1 + i % 4; k++) {
                                String key = "w" + id + "-" + i + "-" + k;
                                keys.add(key);
                                records.add(Record.of(EngineFixture.T0 + i, key, valueFor(key)));
                            }
                            boolean self = i % 3 == 0;
                            if (self) {
                                Thread.currentThread().interrupt();
                            }
                            AppendResult r = log.append(records);
                            if (self) {
                                assertTrue(Thread.currentThread().isInterrupted(), "append cleared the interrupt flag");
                            }
                            Thread.interrupted();
                            for (int k = 0; k < keys.size(); k++) {
                                if (acked.put(r.baseOffset() + k, keys.get(k)) != null) {
                                    fail("offset " + (r.baseOffset() + k) + " acknowledged twice");
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int id = r;
                readers.add(Thread.ofPlatform().name("reader-" + r).start(() -> {
                    try {
                        follow(log, id != 2, reading, reads);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            List<Thread> victims = new ArrayList<>(writers);
            victims.add(readers.get(0));
            victims.add(readers.get(1));
            AtomicBoolean interrupting = new AtomicBoolean(true);
            Thread interrupter = Thread.ofPlatform().name("interrupter").start(() -> {
                while (interrupting.get()) {
                    victims.forEach(Thread::interrupt);
                    LockSupport.parkNanos(200_000);
                }
            });
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            reading.set(false);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            interrupting.set(false);
            interrupter.join();
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.peek(),
                        failures.peek());
                failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
            assertFalse(log.isFailed(), "the partition failed");
            assertTrue(reads.get() > 0, "readers read");
            assertTrue(log.segments().size() > 3, "segments rolled under the interrupts: " + log.segments().size());
            assertEverythingAcknowledgedIsThere(log, acked);
            log.append(List.of(Record.of(EngineFixture.T0, "after", valueFor("after"))));
            acked.put(log.highWatermark() - 1, "after");
        }
        try (StorageEngine engine = fx.open()) {
            assertEverythingAcknowledgedIsThere(engine.partition("t", 0), acked);
        }
    }

    /**
     * An application closing the engine from a thread that was interrupted (a shutdown path after
     * {@code shutdownNow()}) still gets a clean shutdown: every partition flushed and closed with
     * its marker, no exception, and the thread's interrupt flag kept.
     */
    @Test
    void closeFromAnInterruptedThreadStillShutsDownCleanly() throws Exception {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 4096}, \"flush\": {\"mode\": \"os\"}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 4);
        for (int p = 0; p < 4; p++) {
            EngineFixture.fill(engine.partition("t", p), 20, 3, 50);
        }
        Thread.currentThread().interrupt();
        try {
            engine.close();
            assertTrue(Thread.currentThread().isInterrupted(), "close cleared the interrupt flag");
        } finally {
            Thread.interrupted();
        }
        for (int p = 0; p < 4; p++) {
            assertTrue(Files.exists(fx.partitionDir("t", p).resolve(LogFiles.CLEAN_SHUTDOWN)), "partition " + p);
        }
        try (StorageEngine again = fx.open()) {
            for (int p = 0; p < 4; p++) {
                assertEquals(EngineFixture.expected(0, 60, 50), EngineFixture.readAll(again.partition("t", p), 0));
            }
        }
    }

    private static void assertEverythingAcknowledgedIsThere(PartitionLog log, Map<Long, String> acked) {
        assertEquals(acked.size(), log.highWatermark(), "every offset was acknowledged once");
        List<String> all = EngineFixture.readAll(log, 0);
        assertEquals(acked.size(), all.size());
        for (String line : all) {
            String[] parts = line.split(":", 3);
            long offset = Long.parseLong(parts[0]);
            assertEquals(acked.get(offset), parts[1], "key at offset " + offset);
            assertEquals(valueFor(parts[1]), parts[2], "value at offset " + offset);
        }
    }

    /**
     * Follows the log from offset 0, checking every record, until {@code reading} ends and the
     * reader has caught up; an {@code interrupted} reader interrupts itself before every third read.
     */
    private static void follow(PartitionLog log, boolean interrupted, AtomicBoolean reading, AtomicLong reads) {
        long next = 0;
        int n = 0;
        while (reading.get() || next < log.highWatermark()) {
            boolean self = interrupted && n++ % 3 == 0;
            if (self) {
                Thread.currentThread().interrupt();
            }
            try (FetchResult f = log.read(next, 8 * 1024)) {
                RecordBatchReader r = new RecordBatchReader(f.toByteBuffer()).requireIncreasingOffsets(true);
                for (RecordBatch batch; (batch = r.next()) != null; ) {
                    try (RecordCursor c = batch.records(EngineFixture.CODECS, BufferAllocator.HEAP)) {
                        while (c.next()) {
                            if (c.offset() < next) {
                                continue;
                            }
                            if (c.offset() != next) {
                                fail("expected offset " + next + ", read " + c.offset());
                            }
                            String key = EngineFixture.string(c.key());
                            if (!valueFor(key).equals(EngineFixture.string(c.value()))) {
                                fail("offset " + c.offset() + ": value does not belong to key " + key);
                            }
                            next++;
                        }
                    }
                }
                assertTrue(r.isAtEnd(), "a read returned a partial batch");
            }
            if (self) {
                assertTrue(Thread.currentThread().isInterrupted(), "read cleared the interrupt flag");
            }
            Thread.interrupted();
            reads.incrementAndGet();
        }
    }

    private static String valueFor(String key) {
        return "value-of-" + key + "-" + Integer.toHexString(key.hashCode());
    }
}
