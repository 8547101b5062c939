package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.Record;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writer threads and more reader threads over several partitions, for a bounded time,
 * with small segments (frequent rolls). Readers follow the log and jump to random offsets; they
 * must never see a partial or invalid batch, a gap, a duplicate or a record whose value does not
 * belong to its key, and offsets must strictly increase. Afterwards every acknowledged append must
 * be readable at its offset with its exact contents. A second run lets retention delete segments
 * under the readers: a read below the moving log start may fail with
 * {@link OffsetOutOfRangeException}, never return anything wrong.
 */
class ConcurrencyStressTest {

    static final int PARTITIONS = 3;
    static final int WRITERS = 4;
    static final int READERS = 6;
    static final long RUN_MS = 2_000;

    @TempDir
    Path dir;

    @Test
    void readersNeverSeePartialBatchesGapsOrDuplicatesWhileWritersRoll() throws Exception {
        run(new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048, \"indexIntervalBytes\": 256, \"indexMaxBytes\": 4096},"
                + " \"flush\": {\"mode\": \"os\"}"), false);
    }

    @Test
    void readersGetOutOfRangeNeverCorruptDataWhileRetentionDeletesSegments() throws Exception {
        run(new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048, \"indexIntervalBytes\": 256, \"indexMaxBytes\": 4096},"
                + " \"flush\": {\"mode\": \"os\"}, \"retention\": {\"bytes\": 6000}"), true);
    }

    @Test
    void groupCommitUnderConcurrentAppendsWithFlushAlways() throws Exception {
        run(new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 8192, \"indexIntervalBytes\": 256, \"indexMaxBytes\": 4096},"
                + " \"flush\": {\"mode\": \"always\"}"), false);
    }

    private void run(EngineFixture fx, boolean retention) throws Exception {
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Map<Long, String>> acked = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            acked.add(new ConcurrentHashMap<>());
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicLong outOfRange = new AtomicLong();
        AtomicLong deleted = new AtomicLong();
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", PARTITIONS);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long seq = 0;
                    try {
                        while (writing.get()) {
                            int part = rnd.nextInt(PARTITIONS);
                            int n = 1 + rnd.nextInt(5);
                            List<Record> records = new ArrayList<>(n);
                            List<String> keys = new ArrayList<>(n);
                            for (int i = 0; i < n; i++) {
                                String key = "w" + id + "-" + seq++;
                                keys.add(key);
                                records.add(Record.of(EngineFixture.T0 + seq, key, valueFor(key)));
                            }
                            AppendResult r = engine.partition("t", part).append(records);
                            assertEquals(n - 1, r.lastOffset() - r.baseOffset());
                            assertTrue(r.durable().isDone(), "os and always complete at once");
                            for (int i = 0; i < n; i++) {
                                if (acked.get(part).put(r.baseOffset() + i, keys.get(i)) != null) {
                                    fail("offset " + (r.baseOffset() + i) + " of partition " + part + " acknowledged twice");
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int id = r;
                readers.add(Thread.ofPlatform().name("reader-" + r).start(() -> {
                    try {
                        read(engine, id, reading, reads, outOfRange);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            Thread cleaner = null;
            if (retention) {
                cleaner = Thread.ofPlatform().name("retention").start(() -> {
                    try {
                        while (writing.get()) {
                            deleted.addAndGet(engine.applyRetention());
                            Thread.sleep(5);
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
            }
            Thread.sleep(RUN_MS);
            writing.set(false);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (cleaner != null) {
                cleaner.join(TimeUnit.SECONDS.toMillis(30));
            }
            Thread.sleep(100); // readers catch up with the final high watermarks
            reading.set(false);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.peek(), failures.peek());
                failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
                throw e;
            }
            assertTrue(reads.get() > 0, "readers read");
            if (retention) {
                assertTrue(deleted.get() > 0, "retention deleted segments while readers read");
            }
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionLog log = engine.partition("t", p);
                Map<Long, String> mine = acked.get(p);
                assertEquals(mine.size(), log.highWatermark(), "every offset of partition " + p + " was acknowledged once");
                long start = log.logStartOffset();
                List<String> all = EngineFixture.readAll(log, start);
                assertEquals(log.highWatermark() - start, all.size());
                for (String line : all) {
                    String[] parts = line.split(":", 3);
                    long offset = Long.parseLong(parts[0]);
                    assertEquals(mine.get(offset), parts[1], "key at offset " + offset + " of partition " + p);
                    assertEquals(valueFor(parts[1]), parts[2], "value at offset " + offset);
                }
            }
        }
    }

    /**
     * Follows one partition after another from the log start, checking each record; now and then
     * jumps to a random offset.
     */
    private static void read(StorageEngine engine, int id, AtomicBoolean reading, AtomicLong reads, AtomicLong outOfRange) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long[] next = new long[PARTITIONS];
        int part = id % PARTITIONS;
        while (reading.get()) {
            PartitionLog log = engine.partition("t", part);
            long from = next[part];
            boolean jump = rnd.nextInt(20) == 0 && log.highWatermark() > 0;
            if (jump) {
                from = rnd.nextLong(Math.max(1, log.highWatermark()));
            }
            try (FetchResult f = log.read(from, 1 + rnd.nextInt(16 * 1024))) {
                reads.incrementAndGet();
                long expect = from;
                RecordBatchReader r = new RecordBatchReader(f.toByteBuffer()).requireIncreasingOffsets(true);
                boolean first = true;
                for (RecordBatch batch; (batch = r.next()) != null; ) {
                    if (first && (batch.baseOffset() > from || batch.lastOffset() < from)) {
                        fail("read at " + from + " of partition " + part + " returned a first batch " + batch.baseOffset() + ".."
                                + batch.lastOffset());
                    }
                    first = false;
                    try (RecordCursor c = batch.records(EngineFixture.CODECS, BufferAllocator.HEAP)) {
                        while (c.next()) {
                            if (c.offset() < from) {
                                continue;
                            }
                            if (c.offset() != expect) {
                                fail("partition " + part + ": expected offset " + expect + ", read " + c.offset()
                                        + (c.offset() < expect ? " (a duplicate)" : " (a gap)"));
                            }
                            String key = EngineFixture.string(c.key());
                            if (!valueFor(key).equals(EngineFixture.string(c.value()))) {
                                fail("partition " + part + " offset " + c.offset() + ": value does not belong to key " + key);
                            }
                            expect++;
                        }
                    }
                }
                if (!r.isAtEnd()) {
                    fail("partition " + part + ": a read at " + from + " returned " + f.sizeInBytes() + " bytes ending in a partial batch");
                }
                if (!f.isEmpty() && expect <= from) {
                    fail("partition " + part + ": a read at " + from + " returned no record at or after it");
                }
                if (!jump) {
                    next[part] = expect;
                }
                if (f.isEmpty() || rnd.nextInt(8) == 0) {
                    part = (part + 1) % PARTITIONS;
                }
            } catch (OffsetOutOfRangeException e) {
                // only possible below a log start that retention moved
                long start = log.logStartOffset();
                if (from >= start && from <= log.highWatermark()) {
                    throw new AssertionError("out of range at " + from + " but the log is [" + start + ", " + log.highWatermark() + "]", e);
                }
                outOfRange.incrementAndGet();
                next[part] = Math.max(next[part], start);
            }
        }
    }

    /** The value written with {@code key}: derived from it, of varying length, so a mix-up shows. */
    static String valueFor(String key) {
        int len = 20 + Math.floorMod(key.hashCode(), 300);
        StringBuilder sb = new StringBuilder(len).append(key).append('|');
        while (sb.length() < len) {
            sb.append((char) ('a' + Math.floorMod(key.hashCode() + sb.length(), 26)));
        }
        return sb.toString();
    }
}
