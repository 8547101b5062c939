package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.expected;
import static io.rivven.core.log.EngineFixture.readAll;
import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.index.KeyLookup;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Index types are plugins: a test-only index ({@link KeySetIndexProvider}, an exact key set per
 * segment), registered through {@link Plugins#builder()} and configured in the topic's
 * {@code "indexes"}, must see every appended batch and be rebuilt from the log during recovery.
 */
class IndexPluginTest {

    static final int PER_BATCH = 3;
    static final int VALUE = 40;

    @TempDir
    Path dir;

    static Plugins plugins() {
        return EngineFixture.pluginsWith(new KeySetIndexProvider());
    }

    static EngineFixture fixture(Path dataDir, String indexOptions) {
        return new EngineFixture(dataDir).plugins(plugins()).defaults("\"segment\": {\"bytes\": 1024, \"indexIntervalBytes\": 128,"
                + " \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"os\"}, \"indexes\": [{\"type\": \"keyset\"" + indexOptions + "}]");
    }

    /** The keys of each segment's records, by reading the log. */
    static List<Set<String>> keysBySegment(PartitionLog p) {
        List<Long> bases = p.segmentBaseOffsets();
        List<Set<String>> out = new java.util.ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            out.add(new TreeSet<>());
        }
        for (String line : readAll(p, p.logStartOffset())) {
            long offset = Long.parseLong(line.substring(0, line.indexOf(':')));
            int segment = 0;
            while (segment + 1 < bases.size() && bases.get(segment + 1) <= offset) {
                segment++;
            }
            out.get(segment).add(line.split(":", 3)[1]);
        }
        return out;
    }

    /** Every segment's key index holds exactly the keys of its records. */
    static void assertIndexesHoldExactlyTheKeys(PartitionLog p) throws IOException {
        List<Set<String>> expected = keysBySegment(p);
        List<Segment> segments = p.segments();
        Set<String> all = new TreeSet<>();
        expected.forEach(all::addAll);
        for (int i = 0; i < segments.size(); i++) {
            KeyLookup keys = segments.get(i).indexes().get(2).as(KeyLookup.class);
            for (String k : all) {
                assertEquals(expected.get(i).contains(k), keys.mightContain(utf8(k)),
                        "segment " + segments.get(i).baseOffset() + ", key " + k);
            }
        }
    }

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pluginIndexSeesEveryAppendedBatchAndIsWrittenToItsFiles() throws IOException {
        EngineFixture fx = fixture(dir, "");
        List<Set<String>> bySegment;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 20, PER_BATCH, VALUE);
            assertTrue(p.segmentCount() >= 4, "segments: " + p.segmentCount());
            assertIndexesHoldExactlyTheKeys(p);
            bySegment = keysBySegment(p);
        }
        Path pdir = fx.partitionDir("t", 0);
        List<Path> files = EngineFixture.files(pdir, KeySetIndexProvider.SUFFIX);
        assertEquals(bySegment.size(), files.size());
        for (int i = 0; i < files.size(); i++) {
            assertEquals(bySegment.get(i), KeySetIndexProvider.keysIn(files.get(i)), files.get(i).toString());
        }
        try (StorageEngine engine = fx.open()) {
            assertIndexesHoldExactlyTheKeys(engine.partition("t", 0)); // closed segments open their files read-only
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    @ParameterizedTest(name = "clean shutdown before: {0}")
    @ValueSource(booleans = {true, false})
    void deletedPluginIndexFilesAreRebuiltFromTheLog(boolean clean) throws IOException {
        EngineFixture fx = fixture(dir, "");
        LogRecoveryTest.write(fx, 20, clean);
        Path pdir = fx.partitionDir("t", 0);
        for (Path f : EngineFixture.files(pdir, KeySetIndexProvider.SUFFIX)) {
            Files.delete(f);
        }
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(40, p.highWatermark());
            assertIndexesHoldExactlyTheKeys(p);
        }
        assertEquals(EngineFixture.files(pdir, LogFiles.LOG).size(), EngineFixture.files(pdir, KeySetIndexProvider.SUFFIX).size());
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    @Test
    void keysOfABatchCutOffByRecoveryAreNotInTheRebuiltIndex() throws IOException {
        EngineFixture fx = fixture(dir, "");
        StorageEngine e = fx.open();
        e.createTopic("t", 1);
        PartitionLog p = e.partition("t", 0);
        p.append(records(0, 2, VALUE));
        p.append(List.of(Record.of(EngineFixture.T0, "torn", "value")));
        e.abandonForTest();
        Path log = EngineFixture.files(fx.partitionDir("t", 0), LogFiles.LOG).getLast();
        EngineFixture.truncate(log, Files.size(log) - 3);
        try (StorageEngine engine = fx.open()) {
            PartitionLog q = engine.partition("t", 0);
            assertEquals(2, q.highWatermark());
            KeyLookup keys = q.segments().getLast().indexes().get(2).as(KeyLookup.class);
            assertTrue(keys.mightContain(utf8("key-1")));
            assertFalse(keys.mightContain(utf8("torn")), "the torn batch's key was dropped with it");
        }
    }

    /**
     * An index that throws on a batch makes the append fail without failing the partition: the
     * log and the other indexes are cut back, the offsets are not used, and the next append works.
     */
    @Test
    void aBatchAnIndexRefusesIsNotAppended() throws IOException {
        EngineFixture fx = fixture(dir, ", \"refuse\": \"poison\"");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 8, PER_BATCH, VALUE);
            long size = p.sizeInBytes();
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> p.append(List.of(Record.of("a", "1"), Record.of("poison", "2"))));
            assertTrue(refused.getMessage().contains("poison"), refused.getMessage());
            assertFalse(p.isFailed());
            assertEquals(24, p.highWatermark());
            assertEquals(size, p.sizeInBytes());
            assertEquals(24, p.append(records(24, PER_BATCH, VALUE)).baseOffset());
            assertEquals(expected(0, 27, VALUE), readAll(p, 0));
            assertIndexesHoldExactlyTheKeys(p);
        }
        assertTrue(fx.verify().isClean(), () -> fx.verify().problems().toString());
    }

    /**
     * The timestamp of a batch an index refused is not the segment's largest timestamp: the time
     * index had taken the batch before the plugin index refused it, and its cut-back kept the
     * refused timestamp as an "upper bound", which the roll wrote as the file's last entry; after a
     * restart, a refused far-future timestamp kept the segment (and every later one) from ever
     * being deleted by time.
     */
    @Test
    void theTimestampOfARefusedBatchDoesNotDelayRetention() throws IOException {
        EngineFixture fx = new EngineFixture(dir).plugins(plugins()).defaults("\"segment\": {\"bytes\": 1024,"
                + " \"indexIntervalBytes\": 128, \"indexMaxBytes\": 4096}, \"flush\": {\"mode\": \"os\"},"
                + " \"retention\": {\"ms\": 1000}, \"indexes\": [{\"type\": \"keyset\", \"refuse\": \"poison\"}]");
        long future = EngineFixture.T0 + 10L * 365 * 24 * 3600 * 1000;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            EngineFixture.fill(p, 3, PER_BATCH, VALUE);
            assertThrows(IllegalArgumentException.class, () -> p.append(List.of(Record.of(future, "poison", "x"))));
            p.roll();
            p.append(records(9, PER_BATCH, VALUE));
            assertEquals(EngineFixture.T0 + 8, p.segments().getFirst().maxTimestamp());
        }
        fx.clock.set(EngineFixture.T0 + 10_000);
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            assertEquals(EngineFixture.T0 + 8, p.segments().getFirst().maxTimestamp());
            assertEquals(1, p.applyRetention());
            assertEquals(9, p.logStartOffset());
        }
    }
}
