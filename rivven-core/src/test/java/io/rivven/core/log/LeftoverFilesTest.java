package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.core.log.EngineFixture.records;
import static io.rivven.core.log.LogRecoveryTest.PER_BATCH;
import static io.rivven.core.log.LogRecoveryTest.VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What interrupted operations leave behind: {@code .deleted}, {@code .cleaned}, {@code .swap} and
 * {@code .tmp} files, index files without a log, segments below the log start offset, topic
 * directories without their metadata, topic directories being deleted.
 */
class LeftoverFilesTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "clean shutdown before: {0}")
    @ValueSource(booleans = {true, false})
    void deletedCleanedAndTmpFilesAreRemoved(boolean clean) throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, clean);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        Files.copy(logs.getFirst(), pdir.resolve(logs.getFirst().getFileName() + LogFiles.DELETED));
        Files.write(pdir.resolve(LogFiles.baseName(7) + ".index" + LogFiles.DELETED), new byte[16]);
        Files.write(pdir.resolve(LogFiles.baseName(0) + ".log" + LogFiles.CLEANED), new byte[100]);
        Files.write(pdir.resolve(LogFiles.RECOVERY_POINT + ".tmp"), new byte[] {1, 2});
        try (StorageEngine engine = fx.open()) {
            assertEquals(expected(0, 40, VALUE), readAll(engine.partition("t", 0), 0));
            for (String f : EngineFixture.names(pdir)) {
                assertFalse(f.endsWith(LogFiles.DELETED) || f.endsWith(LogFiles.CLEANED) || f.endsWith(".tmp"), f);
            }
        }
        assertTrue(fx.verify().isClean());
    }

    /**
     * A complete {@code .log.swap} replaces the segments whose base offsets lie in its range; here
     * it holds the batches of the second and third segments (as a compaction that kept everything
     * would), so the third segment disappears and the second one holds both.
     */
    @Test
    void completeSwapReplacesTheSegmentsItCovers() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, true);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        assertTrue(logs.size() >= 4, "segments: " + logs);
        Path swap = pdir.resolve(logs.get(1).getFileName() + LogFiles.SWAP);
        try (OutputStream out = Files.newOutputStream(swap)) {
            out.write(Files.readAllBytes(logs.get(1)));
            out.write(Files.readAllBytes(logs.get(2)));
        }
        Files.write(pdir.resolve(logs.get(1).getFileName().toString().replace(".log", ".index") + LogFiles.SWAP), new byte[8]);
        long merged = Files.size(swap);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(expected(0, 40, VALUE), readAll(p, 0));
            assertEquals(logs.size() - 1, p.segmentCount());
            assertFalse(Files.exists(logs.get(2)), "the covered segment is gone");
            assertFalse(Files.exists(swap));
            assertEquals(merged, Files.size(logs.get(1)));
            for (String f : EngineFixture.names(pdir)) {
                assertFalse(f.endsWith(LogFiles.SWAP), f);
            }
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    @ParameterizedTest(name = "swap {0}")
    @ValueSource(strings = {"torn", "corrupt", "empty"})
    void damagedOrEmptySwapIsRolledBack(String kind) throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, true);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        Path swap = pdir.resolve(logs.get(1).getFileName() + LogFiles.SWAP);
        byte[] a = Files.readAllBytes(logs.get(1));
        byte[] b = Files.readAllBytes(logs.get(2));
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        switch (kind) {
            case "torn" -> Files.write(swap, java.util.Arrays.copyOf(both, both.length - 5));
            case "corrupt" -> {
                both[a.length + 30] ^= 0x55;
                Files.write(swap, both);
            }
            default -> Files.write(swap, new byte[0]);
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(expected(0, 40, VALUE), readAll(p, 0));
            assertEquals(logs.size(), p.segmentCount(), "the original segments stay");
            assertFalse(Files.exists(swap));
            assertEquals(a.length, Files.size(logs.get(1)));
        }
    }

    /**
     * Index files whose segment has no log (left by an interrupted deletion or truncation) are
     * removed; here they sit exactly where the next roll puts its segment, with stale entries that
     * would otherwise be taken for the new segment's.
     */
    @Test
    void indexFilesWithoutALogAreRemovedBeforeTheirBaseIsReused() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, true);
        Path pdir = fx.partitionDir("t", 0);
        byte[] stale = new byte[64];
        for (int i = 0; i < stale.length; i++) {
            stale[i] = (byte) (i * 37 + 5);
        }
        Files.write(LogFiles.file(pdir, 40, LogFiles.OFFSET_INDEX), stale);
        Files.write(LogFiles.file(pdir, 40, LogFiles.TIME_INDEX), stale);
        try (StorageEngine engine = fx.open()) {
            assertFalse(Files.exists(LogFiles.file(pdir, 40, LogFiles.OFFSET_INDEX)));
            PartitionLog p = engine.partition("t", 0);
            p.roll();
            assertEquals(40, p.segmentBaseOffsets().getLast());
            EngineFixture.fill(p, 0, PER_BATCH, VALUE);
            for (int i = 0; i < 10; i++) {
                p.append(records(40 + i * PER_BATCH, PER_BATCH, VALUE));
            }
            assertEquals(expected(0, 60, VALUE), readAll(p, 0));
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /** Retention checkpoints the new log start, then deletes; a crash in between leaves segments below it. */
    @Test
    void segmentsBelowTheLogStartOffsetAreDeleted() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, true);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        long start = LogFiles.baseOffsetOf(logs.get(2).getFileName().toString()).orElseThrow();
        Checkpoint.writeLong(pdir.resolve(LogFiles.LOG_START_OFFSET), start);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(start, p.logStartOffset());
            assertEquals(start, (long) p.segmentBaseOffsets().getFirst());
            assertFalse(Files.exists(logs.get(0)));
            assertFalse(Files.exists(logs.get(1)));
            assertEquals(expected((int) start, 40 - (int) start, VALUE), readAll(p, start));
        }
    }

    @Test
    void topicDirectoryWithoutMetadataIsRemovedWhenEmptyAndRebuiltWhenItHoldsData() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("empty", 3);
            engine.createTopic("full", 3);
            EngineFixture.fill(engine.partition("full", 2), 5, PER_BATCH, VALUE);
            engine.createTopic("x.deleted", 1); // a valid topic name: must survive
            EngineFixture.fill(engine.partition("x.deleted", 0), 1, PER_BATCH, VALUE);
        }
        Path topics = dir.resolve("topics");
        Files.delete(topics.resolve("empty").resolve(TopicMetadata.FILE));
        Files.writeString(topics.resolve("full").resolve(TopicMetadata.FILE), "damaged");
        Files.createDirectories(topics.resolve("foreign"));
        Files.writeString(topics.resolve("foreign").resolve("notes.txt"), "not ours");
        Files.createDirectories(topics.resolve("lost+found"));
        Files.createDirectories(topics.resolve("gone~1700000000000.deleted").resolve("partition-0"));
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of("full", "x.deleted"), engine.topics());
            assertEquals(3, engine.topic("full").orElseThrow().partitionCount());
            assertEquals(expected(0, 10, VALUE), readAll(engine.partition("full", 2), 0));
            assertEquals(2, engine.partition("x.deleted", 0).highWatermark());
        }
        assertFalse(Files.exists(topics.resolve("empty")), "an interrupted creation is removed");
        assertFalse(Files.exists(topics.resolve("gone~1700000000000.deleted")), "an interrupted deletion is finished");
        assertTrue(Files.exists(topics.resolve("foreign").resolve("notes.txt")), "foreign files are left alone");
        assertTrue(Files.exists(topics.resolve("lost+found")));
        assertTrue(TopicMetadata.read(topics.resolve("full")).isPresent(), "metadata rewritten");
    }
}
