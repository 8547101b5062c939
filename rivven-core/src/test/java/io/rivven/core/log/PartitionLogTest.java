package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.index.OffsetIndex;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {

    @TempDir
    Path dir;

    static List<String> readAll(PartitionLog log, long from) {
        return EngineFixture.readAll(log, from);
    }

    static List<String> expected(int from, int count, int valueSize) {
        return EngineFixture.expected(from, count, valueSize);
    }

    @Test
    void appendsGetContiguousOffsetsAndReadBack() throws IOException {
        EngineFixture fx = new EngineFixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            PartitionLog p = engine.partition("t", 1);
            AppendResult a = p.append(EngineFixture.records(0, 10, 50));
            AppendResult b = p.append(EngineFixture.records(10, 5, 50));
            assertEquals(0, a.baseOffset());
            assertEquals(9, a.lastOffset());
            assertEquals(10, b.baseOffset());
            assertEquals(14, b.lastOffset());
            assertEquals(15, p.highWatermark());
            assertEquals(expected(0, 15, 50), readAll(p, 0));
            assertEquals(expected(12, 3, 50), readAll(p, 12));
            try (FetchResult end = p.read(15, 1000)) {
                assertTrue(end.isEmpty());
            }
            assertThrows(OffsetOutOfRangeException.class, () -> p.read(16, 1000));
            assertThrows(UnknownTopicException.class, () -> engine.partition("t", 2));
            assertThrows(UnknownTopicException.class, () -> engine.partition("nope", 0));
        }
    }

    @Test
    void rollsBySizeAndReadsAcrossSegmentsAndReopens() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 4096, \"indexIntervalBytes\": 256}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 100, 5, 100);
            assertTrue(p.segmentCount() > 10, "segments: " + p.segmentCount());
            assertEquals(expected(0, 500, 100), readAll(p, 0));
            assertEquals(expected(333, 167, 100), readAll(p, 333));
            assertEquals(OptionalLong.of(250), p.offsetForTimestamp(EngineFixture.T0 + 250));
            assertEquals(OptionalLong.of(0), p.offsetForTimestamp(0));
            assertEquals(OptionalLong.empty(), p.offsetForTimestamp(EngineFixture.T0 + 500));
        }
        for (String f : Files.list(dir.resolve("topics/t/partition-0")).map(x -> x.getFileName().toString()).sorted().toList()) {
            assertFalse(f.endsWith(".tmp"), f);
        }
        assertTrue(Files.exists(dir.resolve("topics/t/partition-0/.clean-shutdown")));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(500, p.highWatermark());
            assertEquals(expected(0, 500, 100), readAll(p, 0));
            assertEquals(OptionalLong.of(401), p.offsetForTimestamp(EngineFixture.T0 + 401));
            AppendResult r = p.append(EngineFixture.records(500, 1, 100));
            assertEquals(500, r.baseOffset());
            assertEquals(expected(0, 501, 100), readAll(p, 0));
        }
    }

    @Test
    void readyBatchIsAppendedWithoutReencodingAndCorruptOnesAreRefused() throws IOException {
        EngineFixture fx = new EngineFixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 3, 10));
            ByteBuffer batch = copy(RecordBatchWriter.encode(777, null, EngineFixture.records(3, 4, 10)));
            AppendResult r = p.appendBatch(batch);
            assertEquals(3, r.baseOffset());
            assertEquals(6, r.lastOffset());
            assertEquals(expected(0, 7, 10), readAll(p, 0));

            ByteBuffer bad = copy(RecordBatchWriter.encode(0, null, EngineFixture.records(7, 2, 10)));
            bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) ^ 1));
            assertThrows(CorruptRecordException.class, () -> p.appendBatch(bad));
            assertEquals(7, p.highWatermark());
        }
    }

    @Test
    void uncleanShutdownTruncatesATornTailAndKeepsEverythingBefore() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 4096}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 50, 2, 100);
        }
        Path pdir = dir.resolve("topics/t/partition-0");
        Files.delete(pdir.resolve(LogFiles.CLEAN_SHUTDOWN));
        Path last;
        try (var files = Files.list(pdir)) {
            last = files.filter(f -> f.toString().endsWith(".log")).sorted().toList().getLast();
        }
        long before = Files.size(last);
        Files.write(last, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(100, p.highWatermark());
            assertEquals(before, Files.size(last));
            assertEquals(expected(0, 100, 100), readAll(p, 0));
        }
    }

    @Test
    void retentionBySizeDeletesOldestClosedSegmentsAndMovesTheStart() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048}, \"retention\": {\"bytes\": 6000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 40, 4, 100);
            int before = p.segmentCount();
            int deleted = p.applyRetention();
            assertTrue(deleted > 0);
            assertEquals(before - deleted, p.segmentCount());
            assertTrue(p.sizeInBytes() >= 6000 - 2048 && p.sizeInBytes() < 6000 + 2048, "size " + p.sizeInBytes());
            long start = p.logStartOffset();
            assertTrue(start > 0);
            assertThrows(OffsetOutOfRangeException.class, () -> p.read(start - 1, 100));
            assertEquals(expected((int) start, 160 - (int) start, 100), readAll(p, start));
            try (var files = Files.list(p.dir())) {
                assertTrue(files.noneMatch(f -> f.toString().endsWith(LogFiles.DELETED)));
            }
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertTrue(p.logStartOffset() > 0);
            assertEquals(160, p.highWatermark());
        }
    }

    /**
     * As in Kafka, retention deletes nothing of a topic whose cleanup policy is {@code compact}
     * alone (its retention settings do not apply); {@code both} deletes as {@code delete} does.
     */
    @Test
    void retentionDeletesNothingUnderCompactAndDeletesUnderBoth() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048}, "
                + "\"retention\": {\"bytes\": 6000, \"ms\": 1}, \"cleanupPolicy\": \"compact\"");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 40, 4, 100);
            int before = p.segmentCount();
            assertTrue(before > 3, "segments " + before);
            assertEquals(0, p.applyRetention());
            assertEquals(before, p.segmentCount());
            assertEquals(0, p.logStartOffset());
            assertEquals(expected(0, 160, 100), readAll(p, 0));
        }
        EngineFixture both = new EngineFixture(dir.resolve("both")).defaults("\"segment\": {\"bytes\": 2048}, "
                + "\"retention\": {\"bytes\": 6000}, \"cleanupPolicy\": \"both\"");
        try (StorageEngine engine = both.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 40, 4, 100);
            assertTrue(p.applyRetention() > 0);
            assertTrue(p.logStartOffset() > 0);
        }
    }

    /**
     * Retention renames a doomed segment's files to {@code .deleted} at once and removes them when
     * the last reader lets go; a reader holding the segment still reads it, and reads below the new
     * log start offset fail naming the range.
     */
    @Test
    void retentionRenamesToDeletedThenDeletesOnceNoReaderHoldsTheSegment() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048}, \"retention\": {\"bytes\": 0},"
                + " \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 40, 4, 100);
            long first = p.segmentBaseOffsets().getFirst();
            Path pdir = p.dir();
            try (FetchResult held = p.read(first, 100)) {
                ByteBuffer expectedBytes = held.toByteBuffer();
                assertTrue(p.applyRetention() > 0);
                assertEquals(1, p.segmentCount(), "retention.bytes 0 keeps only the active segment");
                for (String suffix : List.of("log", "index", "timeindex")) {
                    Path live = LogFiles.file(pdir, first, suffix);
                    assertFalse(Files.exists(live), live + " is renamed at once");
                    assertTrue(Files.exists(live.resolveSibling(live.getFileName() + LogFiles.DELETED)), live + ".deleted while read");
                }
                assertEquals(expectedBytes, held.toByteBuffer(), "the held segment still reads");
                Path logDeleted = LogFiles.file(pdir, first, "log");
                assertEquals(logDeleted.resolveSibling(logDeleted.getFileName() + LogFiles.DELETED), held.file(),
                        "the fetch names the file where its bytes are now (the open log was renamed through its handle)");
                IOException e = assertThrows(IOException.class, () -> held.transferTo(new FullChannel()));
                assertTrue(e.getMessage().startsWith(held.file().toString()), "an error names it too: " + e.getMessage());
            }
            try (var files = Files.list(pdir)) {
                assertTrue(files.noneMatch(f -> f.toString().endsWith(LogFiles.DELETED)), "removed once released");
            }
            OffsetOutOfRangeException e = assertThrows(OffsetOutOfRangeException.class, () -> p.read(first, 100));
            assertTrue(e.getMessage().contains("offset " + first + " is outside the log [" + p.logStartOffset() + ", 160"),
                    e.getMessage());
        }
    }

    /**
     * A seal retires the index mappings that lookups may still be in; they are unmapped when no
     * reader holds the segment any more. Once retention deleted the segment, the one reference left
     * is a reader's, not the segment's own: its lookups may still be in the retired mappings.
     */
    @Test
    void retiredIndexMappingsOfADeletedSegmentStayUntilItsLastReaderLetsGo() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"retention\": {\"bytes\": 0}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 4, 100));
            Segment s = p.segments().getFirst();
            OffsetIndex index = (OffsetIndex) s.indexes().getFirst().get();
            try (FetchResult held = p.read(0, 100)) {
                ByteBuffer bytes = held.toByteBuffer();
                p.roll(); // seals: the writable mapping is retired
                assumeTrue(index.retiredMappings() > 0, "this platform unmaps at once");
                assertEquals(1, p.applyRetention());
                assertTrue(index.retiredMappings() > 0, "a reader still holds the deleted segment");
                assertEquals(bytes, held.toByteBuffer(), "the held segment still reads");
            }
            assertEquals(0, index.retiredMappings(), "unmapped when the last reader let go");
        }
    }

    /** As above when the partition closes (sealing the active segment) while a reader holds that segment. */
    @Test
    void retiredIndexMappingsOfAClosedPartitionStayUntilItsLastReaderLetsGo() throws IOException {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"),
                "Windows unmaps at once");
        EngineFixture fx = new EngineFixture(dir).defaults("\"flush\": {\"mode\": \"os\"}");
        OffsetIndex index;
        FetchResult held;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 4, 100));
            index = (OffsetIndex) p.segments().getFirst().indexes().getFirst().get();
            held = p.read(0, 100);
        } // seals the active segment and gives back the partition's reference
        try {
            assertTrue(index.retiredMappings() > 0, "a reader still holds the segment");
            assertTrue(held.toByteBuffer().remaining() > 0, "the held segment still reads");
        } finally {
            held.close();
        }
        assertEquals(0, index.retiredMappings(), "unmapped when the last reader let go");
    }

    /** A channel that takes nothing, as a socket whose buffer is full. */
    private static final class FullChannel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void retentionByTimeUsesTheNewestTimestampOfEachSegment() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 2048}, \"retention\": {\"ms\": 1000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.appendBatches(p, 20, 4, 100); // timestamps T0 + offset
            fx.clock.set(EngineFixture.T0 + 500);
            assertEquals(0, p.applyRetention());
            fx.clock.set(EngineFixture.T0 + 80 + 1001);
            int deleted = p.applyRetention();
            assertTrue(deleted > 0);
            assertEquals(1, p.segmentCount(), "only the active segment stays");
        }
    }

    /**
     * A segment whose records carry no timestamp (-1) is aged by its log file's modification time,
     * as Kafka's {@code LogSegment.largestTimestamp}: also when it was rolled in this session, not
     * only after a restart; before, such a segment was never deleted by time until the engine was
     * reopened, and it held back every later segment.
     */
    @Test
    void retentionByTimeAgesASegmentWithoutTimestampsByItsModificationTime() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 1024}, \"retention\": {\"ms\": 1000}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            for (int i = 0; i < 12; i++) {
                p.append(List.of(Record.of(-1L, "key-" + i, EngineFixture.valueOf(i, 200))));
            }
            List<Segment> segments = p.segments();
            assertTrue(segments.size() >= 3, "segments: " + p.segmentBaseOffsets());
            for (Segment s : segments.subList(0, segments.size() - 1)) {
                Files.setLastModifiedTime(s.logFile(), java.nio.file.attribute.FileTime.fromMillis(EngineFixture.T0 - 5000));
            }
            assertEquals(segments.size() - 1, p.applyRetention());
            assertEquals(1, p.segmentCount(), "only the active segment stays");
            assertEquals(segments.getLast().baseOffset(), p.logStartOffset());
        }
    }

    @Test
    void intervalFlushReleasesWaitersAndAlwaysIsDurableOnReturn() throws Exception {
        EngineFixture fx = new EngineFixture(dir).defaults("\"flush\": {\"mode\": \"interval\", \"intervalMs\": 20}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            AppendResult r = p.append(EngineFixture.records(0, 3, 10));
            fx.clock.addAndGet(1000);
            r.durable().get(10, TimeUnit.SECONDS);
            assertTrue(p.recoveryPoint() >= 3);
        }
        EngineFixture always = new EngineFixture(dir.resolve("b")).defaults("\"flush\": {\"mode\": \"always\"}");
        try (StorageEngine engine = always.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            AppendResult r = p.append(EngineFixture.records(0, 3, 10));
            assertTrue(r.durable().isDone());
            assertEquals(3, p.recoveryPoint());
        }
    }

    @Test
    void topicsAreListedDescribedDeletedAndSurviveReopen() throws IOException {
        EngineFixture fx = new EngineFixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("a", 3);
            engine.createTopic("b", 1);
            assertThrows(IllegalStateException.class, () -> engine.createTopic("a", 1));
            assertEquals(List.of("a", "b"), engine.topics());
            engine.partition("a", 2).append(List.of(Record.of("k", "v")));
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of("a", "b"), engine.topics());
            assertEquals(3, engine.topic("a").orElseThrow().partitionCount());
            assertEquals(1, engine.partition("a", 2).highWatermark());
            assertTrue(engine.deleteTopic("a"));
            assertFalse(engine.deleteTopic("a"));
            assertEquals(List.of("b"), engine.topics());
        }
        assertFalse(Files.exists(dir.resolve("topics/a")));
    }

    /** segment.ms is measured on the engine's clock, from the first append (the clock here is years behind the wall clock). */
    @Test
    void rollsByAgeOnTheEngineClock() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"ms\": 1000}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            p.append(EngineFixture.records(0, 1, 10));
            fx.clock.addAndGet(500);
            p.append(EngineFixture.records(1, 1, 10));
            assertEquals(1, p.segmentCount());
            fx.clock.addAndGet(600);
            p.append(EngineFixture.records(2, 1, 10));
            assertEquals(List.of(0L, 2L), p.segmentBaseOffsets());
            assertEquals(expected(0, 3, 10), readAll(p, 0));
        }
    }

    /**
     * The age of the active segment survives a restart. At open its first append time is not known
     * (the log's modification time is its last append), so, as in Kafka's
     * {@code LogSegment.shouldRoll}, the segment also rolls when a batch's timestamp lies more than
     * {@code segment.ms} past its first batch's. Before, each reopen restarted the age from the
     * last append: an engine reopened more often than {@code segment.ms} (a service restarted
     * daily, a {@code rivven produce} per batch) never rolled a quiet partition by age, so time
     * retention never deleted anything of it.
     */
    @Test
    void theAgeOfTheActiveSegmentSurvivesAReopen() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"ms\": 1000}, \"flush\": {\"mode\": \"os\"}");
        long t = EngineFixture.T0;
        for (int i = 0; i < 3; i++) {
            fx.clock.set(t + i * 600L);
            try (StorageEngine engine = fx.open()) {
                if (i == 0) {
                    engine.createTopic("t", 1);
                }
                PartitionLog p = engine.partition("t", 0);
                p.append(List.of(Record.of(t + i * 600L, "key-" + i, "value-" + i)));
                Files.setLastModifiedTime(p.segments().getLast().logFile(), java.nio.file.attribute.FileTime.fromMillis(t + i * 600L));
            }
        }
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of(0L, 2L), engine.partition("t", 0).segmentBaseOffsets(),
                    "the third append came 1200 ms after the segment's first");
        }
    }

    /**
     * Record timestamps far from the engine clock do not roll by themselves: a replay of records
     * ten years old (or stamped in the future) stays in one segment while neither clock moves past
     * segment.ms; a batch whose timestamp lies past segment.ms from the first batch's rolls.
     */
    @Test
    void oldOrFutureRecordTimestampsAloneDoNotRollEveryBatch() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"ms\": 1000}, \"flush\": {\"mode\": \"os\"}");
        long tenYears = 10L * 365 * 24 * 3600 * 1000;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("old", 1);
            engine.createTopic("future", 1);
            PartitionLog old = engine.partition("old", 0);
            PartitionLog future = engine.partition("future", 0);
            for (int i = 0; i < 10; i++) {
                old.append(List.of(Record.of(EngineFixture.T0 - tenYears + i, "k", "v")));
                future.append(List.of(Record.of(EngineFixture.T0 + tenYears + i, "k", "v")));
            }
            assertEquals(1, old.segmentCount());
            assertEquals(1, future.segmentCount());
            old.append(List.of(Record.of(EngineFixture.T0 - tenYears + 1001, "k", "v")));
            assertEquals(List.of(0L, 10L), old.segmentBaseOffsets());
        }
    }

    /** As Kafka's: a segment rolls once it is older than segment.ms, not when it is exactly that old. */
    @Test
    void rollsByAgeOnlyPastSegmentMs() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"ms\": 1000}, \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            long t = fx.clock.get();
            p.append(List.of(Record.of(t, "a", "1")));
            fx.clock.set(t + 1000);
            p.append(List.of(Record.of(t + 1000, "b", "2")));
            assertEquals(1, p.segmentCount(), "exactly segment.ms old");
            fx.clock.set(t + 1001);
            p.append(List.of(Record.of(t + 1001, "c", "3")));
            assertEquals(List.of(0L, 2L), p.segmentBaseOffsets());
        }
    }

    /** A full index rolls the segment: with room for three offset entries, segments hold a handful of batches. */
    @Test
    void rollsWhenAnIndexIsFull() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"indexMaxBytes\": 24, \"indexIntervalBytes\": 1},"
                + " \"flush\": {\"mode\": \"os\"}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 12, 1, 10);
            assertTrue(p.segmentCount() >= 4, "segments: " + p.segmentBaseOffsets());
            assertEquals(expected(0, 12, 10), readAll(p, 0));
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    @Test
    void indexFilesTooSmallForTwoTimeEntriesAreRefusedBeforeAnythingIsOpened() {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"indexMaxBytes\": 12}");
        io.rivven.api.ConfigException e = assertThrows(io.rivven.api.ConfigException.class, fx::open);
        assertTrue(e.getMessage().contains("defaults.segment.indexMaxBytes") && e.getMessage().contains("24"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("topics")));
    }

    @Test
    void ioBackendOptionsAreCheckedBeforeTheDataDirectoryIsTouched() {
        Path data = dir.resolve("data");
        io.rivven.core.config.RivvenConfig config = io.rivven.core.config.RivvenConfig.parse("{\"dataDir\": \""
                + data.toString().replace("\\", "\\\\") + "\", \"pluginDirs\": [], \"io\": {\"type\": \"nio\", \"directIo\": true}}",
                "test.json");
        io.rivven.api.ConfigException e = assertThrows(io.rivven.api.ConfigException.class,
                () -> StorageEngine.builder(config).plugins(EngineFixture.PLUGINS).open());
        assertEquals("test.json → io.directIo: unknown option; accepted: mmapReadsFromBytes", e.getMessage());
        assertFalse(Files.exists(data), "the data directory was created before the I/O backend's options were checked");
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
