package io.rivven.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.index.IndexContext;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.TimestampOffset;
import io.rivven.testkit.SimpleBatchInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups from several threads while the writer appends, truncates, resets (which remaps the
 * file) and seals (which remaps it read-only): every result must be an entry the writer could
 * have written, never a torn or stale-mapping value, and no lookup may fail.
 */
class IndexConcurrencyTest {

    private static final long BASE = 1_000L;

    @TempDir
    Path dir;

    private final List<SimpleBatchInfo> batches = new ArrayList<>();
    private final Map<Long, SimpleBatchInfo> byPosition = new HashMap<>();
    private final Map<Long, SimpleBatchInfo> byLastOffset = new HashMap<>();

    private IndexContext ctx(String suffix) {
        return new IndexContext("t", 0, BASE, dir.resolve("00000000000000001000." + suffix), true, 1 << 20, 64);
    }

    private void makeBatches() {
        Random random = new Random(11);
        long offset = BASE;
        long position = 0;
        for (int i = 0; i < 2_000; i++) {
            int records = 1 + random.nextInt(5);
            int size = 20 + random.nextInt(180);
            SimpleBatchInfo b = SimpleBatchInfo.of(offset, records, 10_000L + 7L * i, position, size);
            batches.add(b);
            byPosition.put(position, b);
            byLastOffset.put(b.lastOffset(), b);
            offset += records;
            position += size;
        }
    }

    private void checkOffset(long target, OffsetPosition r) {
        if (r.equals(new OffsetPosition(BASE, 0))) {
            return;
        }
        SimpleBatchInfo b = byPosition.get(r.position());
        assertNotNull(b, "lookup(" + target + ") = " + r + ": not a batch position");
        assertEquals(b.lastOffset(), r.offset(), "lookup(" + target + ") = " + r + ": not the batch's last offset");
        assertTrue(r.offset() <= target, "lookup(" + target + ") = " + r + ": above the target");
    }

    private void checkTime(long target, TimestampOffset r) {
        if (r.equals(new TimestampOffset(-1, BASE))) {
            return;
        }
        SimpleBatchInfo b = byLastOffset.get(r.offset());
        assertNotNull(b, "lookupByTime(" + target + ") = " + r + ": not a batch's last offset");
        // Timestamps grow with offsets here, so an entry is true iff its timestamp is at least that of
        // its batch (more after a truncation cut the maximum: TimeIndex keeps it as an upper bound).
        assertTrue(b.maxTimestamp() <= r.timestamp(), "lookupByTime(" + target + ") = " + r + ": below its batch's");
        assertTrue(r.timestamp() <= target, "lookupByTime(" + target + ") = " + r + ": above the target");
    }

    @Test
    void lookupsStayValidWhileTheWriterTruncatesResetsAndSeals() throws Exception {
        makeBatches();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong lookups = new AtomicLong();
        try (OffsetIndex offsets = OffsetIndex.open(ctx("index")); TimeIndex times = TimeIndex.open(ctx("timeindex"))) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                long seed = r;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random random = new Random(seed);
                    try {
                        while (!done.get()) {
                            SimpleBatchInfo b = batches.get(random.nextInt(batches.size()));
                            long target = b.baseOffset() + random.nextInt((int) (b.lastOffset() - b.baseOffset() + 1));
                            checkOffset(target, offsets.lookup(target));
                            checkTime(b.maxTimestamp(), times.lookupByTime(b.maxTimestamp()));
                            lookups.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            try {
                int mid = batches.size() / 2;
                for (int round = 0; round < 15; round++) {
                    offsets.reset();
                    times.reset();
                    for (SimpleBatchInfo b : batches) {
                        offsets.append(b);
                        times.append(b);
                    }
                    offsets.truncateTo(batches.get(mid).baseOffset());
                    times.truncateTo(batches.get(mid).baseOffset());
                    for (SimpleBatchInfo b : batches.subList(mid, batches.size())) {
                        offsets.append(b);
                        times.append(b);
                    }
                    offsets.flush();
                    times.flush();
                }
                offsets.seal();
                times.seal();
                long sealedAt = lookups.get();
                while (lookups.get() < sealedAt + 1_000 && failures.isEmpty()) {
                    Thread.onSpinWait();
                }
            } finally {
                done.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            assertTrue(failures.isEmpty(), () -> "readers failed: " + failures);
            for (SimpleBatchInfo b : batches) {
                checkOffset(b.lastOffset(), offsets.lookup(b.lastOffset()));
                checkTime(b.maxTimestamp(), times.lookupByTime(b.maxTimestamp()));
            }
        }
    }

    /**
     * Sealing remaps the index read-only while readers look up lock-free. Closing the old mapping's
     * shared arena under them makes the JDK deliver an asynchronous exception to each reader inside
     * it, which also sets the reader's interrupt flag (JDK-8306324); the reader's next
     * {@code FileChannel} read then closes the segment's channel. Readers must come out of every
     * lookup as they went in: not interrupted.
     */
    @Test
    void sealingUnderLookupsNeverInterruptsTheReaders() throws Exception {
        makeBatches();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < 40 && failures.isEmpty(); round++) {
            Path file = dir.resolve(round + ".index");
            try (OffsetIndex offsets = OffsetIndex.open(new IndexContext("t", 0, BASE, file, true, 1 << 20, 64))) {
                for (SimpleBatchInfo b : batches) {
                    offsets.append(b);
                }
                AtomicBoolean done = new AtomicBoolean();
                AtomicLong lookups = new AtomicLong();
                List<Thread> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    long seed = round * 10L + r;
                    readers.add(Thread.ofPlatform().start(() -> {
                        Random random = new Random(seed);
                        try {
                            while (!done.get()) {
                                SimpleBatchInfo b = batches.get(random.nextInt(batches.size()));
                                checkOffset(b.lastOffset(), offsets.lookup(b.lastOffset()));
                                lookups.incrementAndGet();
                                if (Thread.currentThread().isInterrupted()) {
                                    throw new AssertionError("a lookup left its thread interrupted");
                                }
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }));
                }
                while (lookups.get() < 500 && failures.isEmpty()) {
                    Thread.onSpinWait();
                }
                offsets.seal();
                long sealedAt = lookups.get();
                while (lookups.get() < sealedAt + 500 && failures.isEmpty()) {
                    Thread.onSpinWait();
                }
                done.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> "readers failed: " + failures);
    }

    @Test
    void lookupsRacingCloseFailOnlyWithIndexClosed() throws Exception {
        makeBatches();
        OffsetIndex offsets = OffsetIndex.open(ctx("index"));
        for (SimpleBatchInfo b : batches) {
            offsets.append(b);
        }
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong lookups = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                Random random = new Random();
                try {
                    while (true) {
                        long target = BASE + random.nextInt(5_000);
                        checkOffset(target, offsets.lookup(target));
                        lookups.incrementAndGet();
                    }
                } catch (IllegalStateException e) {
                    if (!e.getMessage().endsWith("index is closed")) {
                        failures.add(e);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        while (lookups.get() < 3_000 && failures.isEmpty()) {
            Thread.onSpinWait();
        }
        offsets.close();
        for (Thread reader : readers) {
            reader.join();
        }
        assertTrue(failures.isEmpty(), () -> "readers failed otherwise: " + failures);
    }
}
