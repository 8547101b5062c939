package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogVerifier}: what {@code rivven verify} reports, and that it changes nothing. */
class LogVerifierTest {

    @TempDir
    Path dir;

    private EngineFixture write(int batches) throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 2);
            engine.createTopic("u", 1);
            EngineFixture.fill(engine.partition("t", 0), batches, 2, 40);
            EngineFixture.fill(engine.partition("t", 1), 3, 2, 40);
            EngineFixture.fill(engine.partition("u", 0), 2, 2, 40);
        }
        return fx;
    }

    @Test
    void aCleanDirectoryHasNoProblemsAndIsCounted() throws IOException {
        EngineFixture fx = write(20);
        VerifyReport r = fx.verify();
        assertTrue(r.isClean(), r.problems().toString());
        long logs = 0;
        long bytes = 0;
        long batches = 0;
        for (String[] tp : new String[][] {{"t", "0"}, {"t", "1"}, {"u", "0"}}) {
            for (Path log : EngineFixture.files(fx.partitionDir(tp[0], Integer.parseInt(tp[1])), LogFiles.LOG)) {
                logs++;
                bytes += Files.size(log);
                batches += EngineFixture.batches(log).size();
            }
        }
        assertEquals(new VerifyReport(List.of(), logs, batches, bytes), r);
        assertEquals(20 + 3 + 2, r.batches());

        VerifyReport onlyU = LogVerifier.verify(fx.config(), EngineFixture.PLUGINS, Optional.of("u"));
        assertEquals(1, onlyU.segments());
        assertEquals(2, onlyU.batches());
        assertThrows(UnknownTopicException.class, () -> LogVerifier.verify(fx.config(), EngineFixture.PLUGINS, Optional.of("nope")));
    }

    @Test
    void aFlippedByteIsReportedWithItsFileAndTheBatchPosition() throws IOException {
        EngineFixture fx = write(20);
        Path log = EngineFixture.files(fx.partitionDir("t", 0), LogFiles.LOG).get(1);
        long[] third = EngineFixture.batches(log).get(2);
        EngineFixture.flip(log, third[0] + third[1] - 1, 0x10); // the last byte of a record: the CRC catches it
        VerifyReport r = fx.verify();
        assertEquals(1, r.problems().size(), r.problems().toString());
        VerifyReport.Problem p = r.problems().getFirst();
        assertEquals(log.toAbsolutePath(), p.file());
        assertEquals(third[0], p.position());
        assertTrue(p.message().contains("CRC") && p.message().contains("position " + third[0]), p.message());
    }

    /**
     * After a clean shutdown the next open trusts closed segments and does not truncate a damaged
     * one: verify must not claim it does, and must say how to have it repaired; following that
     * advice repairs it.
     */
    @Test
    void aDamagedSegmentTheNextOpenTrustsIsReportedWithHowToHaveItRepaired() throws IOException {
        EngineFixture fx = write(20);
        Path pdir = fx.partitionDir("t", 0);
        Path log = EngineFixture.files(pdir, LogFiles.LOG).get(1);
        long[] third = EngineFixture.batches(log).get(2);
        EngineFixture.flip(log, third[0] + third[1] - 1, 0x10);
        VerifyReport.Problem p = fx.verify().problems().getFirst();
        assertFalse(p.message().contains("recovery truncates the segment here"), p.message());
        Path marker = pdir.resolve(LogFiles.CLEAN_SHUTDOWN).toAbsolutePath();
        Path recoveryPoint = pdir.resolve(LogFiles.RECOVERY_POINT).toAbsolutePath();
        assertTrue(p.message().contains("the next open does not repair it") && p.message().contains(marker.toString())
                && p.message().contains(recoveryPoint.toString()), p.message());

        try (StorageEngine engine = fx.open()) {
            assertEquals(40, engine.partition("t", 0).highWatermark(), "the open trusted the damaged segment");
        }
        Files.delete(marker);
        Files.delete(recoveryPoint);
        try (StorageEngine engine = fx.open()) {
            assertEquals(third[2], engine.partition("t", 0).highWatermark(), "truncated at the damaged batch");
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /** One offset-index entry pointing far past the log is reported alone, not every entry after it too. */
    /** A segment missing between two others (deleted by hand, say) leaves a hole in the offsets: reported. */
    @Test
    void aHoleBetweenSegmentsIsReported() throws IOException {
        EngineFixture fx = write(20);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        assertTrue(logs.size() >= 3, "segments: " + logs);
        long missingFrom = base(logs.get(1));
        long nextBase = base(logs.get(2));
        try (var files = Files.list(pdir)) {
            for (Path f : files.filter(f -> LogFiles.baseOffsetOf(f.getFileName().toString()).orElse(-1) == missingFrom).toList()) {
                Files.delete(f);
            }
        }
        VerifyReport r = fx.verify();
        assertEquals(1, r.problems().size(), r.problems().toString());
        VerifyReport.Problem p = r.problems().getFirst();
        assertEquals(logs.get(2).toAbsolutePath(), p.file());
        assertTrue(p.message().contains("offsets " + missingFrom + " to " + (nextBase - 1) + " are missing"), p.message());
    }

    @Test
    void oneWildIndexEntryIsTheOnlyEntryReported() throws IOException {
        EngineFixture fx = write(20);
        Path index = EngineFixture.files(fx.partitionDir("t", 0), LogFiles.OFFSET_INDEX).getFirst();
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
        assertTrue(entries.capacity() >= 3 * 8, "entries: " + entries.capacity() / 8);
        entries.putInt(8 + 4, 0x00FF0000);
        Files.write(index, entries.array());
        List<VerifyReport.Problem> entryProblems = fx.verify().problems().stream()
                .filter(p -> p.file().equals(index.toAbsolutePath()) && p.position() >= 0).toList();
        assertEquals(1, entryProblems.size(), entryProblems.toString());
        assertEquals(8, entryProblems.getFirst().position());
        assertTrue(entryProblems.getFirst().message().contains("past the valid batches"), entryProblems.toString());
    }

    /**
     * After a crash the active segment's index files keep their preallocated zero tail: verify
     * reports each such file, not every one of the hundreds of zero entries as a bad entry.
     */
    @Test
    void thePreallocatedZeroTailOfACrashedActiveSegmentIsNotAFloodOfBadEntries() throws IOException {
        EngineFixture fx = LogRecoveryTest.fixture(dir);
        StorageEngine e = fx.open();
        e.createTopic("t", 1);
        EngineFixture.fill(e.partition("t", 0), 20, 2, 40);
        e.abandonForTest();
        Path pdir = fx.partitionDir("t", 0);
        long active = base(EngineFixture.files(pdir, LogFiles.LOG).getLast());
        for (String suffix : List.of(LogFiles.OFFSET_INDEX, LogFiles.TIME_INDEX)) {
            Path index = LogFiles.file(pdir, active, suffix).toAbsolutePath();
            assertTrue(Files.size(index) > 4000, "preallocated: " + Files.size(index));
            List<VerifyReport.Problem> problems = fx.verify().problems().stream().filter(p -> p.file().equals(index)).toList();
            assertTrue(!problems.isEmpty() && problems.size() <= 2, problems.toString());
        }
    }

    /**
     * A directory after a crash, with damage of every kind: verify reports each one and leaves
     * every byte, every name and every modification time as it was.
     */
    @Test
    void verifyReportsEveryKindOfDamageAndChangesNothing() throws IOException {
        EngineFixture fx = write(20);
        Path pdir = fx.partitionDir("t", 0);
        List<Path> logs = EngineFixture.files(pdir, LogFiles.LOG);
        Path last = logs.getLast();
        EngineFixture.append(last, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0});     // torn tail
        Path zeroed = LogFiles.file(pdir, base(logs.get(1)), LogFiles.OFFSET_INDEX);
        Files.write(zeroed, new byte[(int) Files.size(zeroed)]);                                          // zeroed index
        Path missing = LogFiles.file(pdir, base(logs.get(2)), LogFiles.TIME_INDEX);
        Files.delete(missing);                                                                            // missing index
        Path shifted = LogFiles.file(pdir, base(logs.getFirst()), LogFiles.OFFSET_INDEX);
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(shifted));
        entries.putInt(4, entries.getInt(4) + 1);                                                         // entry 0 points into a batch
        Files.write(shifted, entries.array());
        Path orphan = LogFiles.file(pdir, 999_999, LogFiles.OFFSET_INDEX);
        Files.write(orphan, new byte[8]);                                                                 // index without a log
        Files.writeString(pdir.resolve(LogFiles.RECOVERY_POINT), "garbage");                              // damaged checkpoint
        Files.delete(pdir.resolve(LogFiles.CLEAN_SHUTDOWN));
        Files.delete(dir.resolve("topics/u").resolve(TopicMetadata.FILE));                                // no topic metadata

        long tornAt = Files.size(last) - 18;
        Map<String, String> before = snapshot(dir);
        VerifyReport r = fx.verify();
        assertEquals(before, snapshot(dir), "verify changed the directory");

        assertProblem(r, p -> p.file().equals(last.toAbsolutePath()) && p.position() == tornAt
                && p.message().contains("incomplete batch"));
        assertProblem(r, p -> p.file().equals(zeroed.toAbsolutePath()));
        assertProblem(r, p -> p.file().equals(missing.toAbsolutePath()) && p.message().contains("missing"));
        assertProblem(r, p -> p.file().equals(shifted.toAbsolutePath()) && p.position() == 0 && p.message().contains("entry 0"));
        assertProblem(r, p -> p.file().equals(orphan.toAbsolutePath()) && p.message().contains("without a segment log"));
        assertProblem(r, p -> p.file().equals(pdir.resolve(LogFiles.RECOVERY_POINT).toAbsolutePath()));
        assertProblem(r, p -> p.file().equals(dir.resolve("topics/u").resolve(TopicMetadata.FILE).toAbsolutePath()));

        try (StorageEngine engine = fx.open()) {
            assertEquals(40, engine.partition("t", 0).highWatermark());
        }
        VerifyReport after = fx.verify();
        assertTrue(after.isClean(), "the engine repaired everything: " + after.problems());
    }

    private static long base(Path log) {
        return LogFiles.baseOffsetOf(log.getFileName().toString()).orElseThrow();
    }

    private static void assertProblem(VerifyReport r, Predicate<VerifyReport.Problem> p) {
        assertTrue(r.problems().stream().anyMatch(p), "no such problem among " + r.problems());
    }

    /** Every file under root: relative path -> size, modification time and SHA-256 of its content. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(key, "dir");
                    continue;
                }
                out.put(key, Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis() + " " + sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
