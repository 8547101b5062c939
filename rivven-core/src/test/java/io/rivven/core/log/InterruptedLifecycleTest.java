package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.core.log.LogRecoveryTest.PER_BATCH;
import static io.rivven.core.log.LogRecoveryTest.VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a crash leaves in the middle of a topic creation, a topic deletion, a roll and a
 * recovery, built by hand: each must open, keep every record it held, and leave no topic half
 * there. ({@code LifecycleCrashTest} in rivven-it kills real processes at random moments of the
 * same operations.)
 */
class InterruptedLifecycleTest {

    @TempDir
    Path dir;

    /** createTopic writes the metadata last: a crash before its rename leaves partition directories and a temp file. */
    @Test
    void creationCutBeforeTheMetadataRenameIsRemoved() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        Path t = dir.resolve("topics").resolve("half");
        Files.createDirectories(t.resolve("partition-0"));
        Files.createDirectories(t.resolve("partition-1"));
        Files.writeString(t.resolve(TopicMetadata.FILE + ".tmp"), Checkpoint.encode("partitions=3"));
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of(), engine.topics());
            engine.createTopic("half", 2); // the name is free again
            assertEquals(2, engine.topic("half").orElseThrow().partitionCount());
        }
        assertFalse(Files.exists(t.resolve("partition-2")));
    }

    /** A directory of foreign files where a topic would go is ignored at open, and createTopic does not take it over. */
    @Test
    void aForeignDirectoryIsNotTakenOverByCreateTopic() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        Path t = dir.resolve("topics").resolve("t");
        Files.createDirectories(t);
        Files.writeString(t.resolve("notes.txt"), "not Rivven's");
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of(), engine.topics());
            StorageException e = assertThrows(StorageException.class, () -> engine.createTopic("t", 1));
            assertTrue(e.getMessage().contains(t.toAbsolutePath().toString()) && e.getMessage().contains("move it away"),
                    e.getMessage());
            assertEquals(List.of(), engine.topics());
        }
        assertEquals(List.of(t.resolve("notes.txt")), EngineFixture.files(t, "txt"));
        assertFalse(Files.exists(t.resolve(TopicMetadata.FILE)));
    }

    /** Metadata written, then the crash came before every partition had its first segment: the topic opens whole. */
    @Test
    void creationCutAfterTheMetadataOpensWithEveryPartition() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        Path t = dir.resolve("topics").resolve("t");
        Files.createDirectories(t.resolve("partition-0"));
        new TopicMetadata(3).write(t);
        try (StorageEngine engine = fx.open()) {
            assertEquals(3, engine.topic("t").orElseThrow().partitionCount());
            for (int p = 0; p < 3; p++) {
                EngineFixture.fill(engine.partition("t", p), 2, PER_BATCH, VALUE);
            }
        }
        try (StorageEngine engine = fx.open()) {
            for (int p = 0; p < 3; p++) {
                assertEquals(expected(0, 4, VALUE), readAll(engine.partition("t", p), 0));
            }
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /**
     * deleteTopic renames the whole directory first: a crash after the rename leaves
     * {@code <name>~<millis>.deleted}, partly deleted or not, beside a new topic of the same name;
     * the open finishes the deletion and leaves the new topic alone.
     */
    @Test
    void deletionCutAfterTheRenameIsFinishedAndANewTopicOfTheSameNameIsUntouched() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            EngineFixture.fill(engine.partition("t", 1), 20, PER_BATCH, VALUE);
        }
        Path topics = dir.resolve("topics");
        Path doomed = topics.resolve(TopicMetadata.deletedTopicDirName("t", EngineFixture.T0));
        Files.move(topics.resolve("t"), doomed);
        Files.delete(doomed.resolve(TopicMetadata.FILE)); // as deleteTree goes: the metadata before the partitions
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of(), engine.topics(), "the deleted topic stays deleted");
            engine.createTopic("t", 1);
            EngineFixture.fill(engine.partition("t", 0), 3, PER_BATCH, VALUE);
            engine.abandonForTest(); // and crash again before the leftover is gone
        }
        EngineFixture.copyTree(topics.resolve("t"), topics.resolve("t~1.deleted")); // not yet deleted at all
        try (StorageEngine engine = fx.open()) {
            assertEquals(List.of("t"), engine.topics());
            assertEquals(1, engine.topic("t").orElseThrow().partitionCount());
            assertEquals(expected(0, 6, VALUE), readAll(engine.partition("t", 0), 0));
        }
        assertEquals(List.of("t"), EngineFixture.names(topics));
    }

    /**
     * A roll cut after the new (empty) segment was created and before the recovery point moved:
     * the sealed segment is validated and its trimmed indexes rebuilt, and appends go on in the
     * empty segment.
     */
    @Test
    void rollCutBeforeTheCheckpointRecovers() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        long hw;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 3, PER_BATCH, VALUE);
            hw = p.highWatermark();
            p.roll();
            engine.abandonForTest();
        }
        Path pdir = fx.partitionDir("t", 0);
        Checkpoint.writeLong(pdir.resolve(LogFiles.RECOVERY_POINT), 0);
        Files.delete(LogFiles.file(pdir, 0, LogFiles.TIME_INDEX)); // its trim may or may not have happened
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(hw, (long) p.segmentBaseOffsets().getLast());
            assertEquals(hw, p.highWatermark());
            assertEquals(expected(0, 6, VALUE), readAll(p, 0));
            EngineFixture.fill(p, 2, PER_BATCH, VALUE);
            assertEquals(10, readAll(p, 0).size());
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /**
     * Recovery truncates a segment that is not the last one (its tail was lost) and then deletes
     * every later segment; a crash between the two leaves a shorter segment followed by the later
     * ones. The next recovery must come to the same end (a contiguous log ending where the
     * truncation cut), not keep the later segments after a hole of missing offsets.
     */
    @Test
    void recoveryCutBetweenTruncatingAndDeletingTheLaterSegmentsLeavesNoHole() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        LogRecoveryTest.write(fx, 20, false);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        assertTrue(logs.size() >= 3, "segments: " + logs);
        List<long[]> batches = EngineFixture.batches(logs.getFirst());
        EngineFixture.truncate(logs.getFirst(), batches.get(batches.size() - 2)[0] + batches.get(batches.size() - 2)[1]);
        Checkpoint.writeLong(pdir.resolve(LogFiles.RECOVERY_POINT), 0);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            List<String> all = readAll(p, 0);
            assertEquals(expected(0, all.size(), VALUE), all, "contiguous from 0");
            assertEquals(all.size(), p.highWatermark());
            assertEquals(1, p.segmentCount());
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }
}
