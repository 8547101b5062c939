package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code offsetForTimestamp} against its definition (Kafka's {@code fetchOffsetsByTimestamp}): the
 * first offset at or above the log start whose record timestamp is {@code >=} the target, with
 * timestamps that go backwards within and across batches and segments, records without a timestamp
 * (-1), sparse index entries, in the session, after a clean and after an unclean reopen, and after
 * retention moved the log start.
 */
class TimestampLookupTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void everyTargetFindsTheFirstRecordAtOrAboveIt(long seed) throws IOException {
        Random random = new Random(seed);
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 1500, \"indexIntervalBytes\": "
                + (1 + random.nextInt(300)) + "}, \"flush\": {\"mode\": \"os\"}, \"retention\": {\"bytes\": 6000}");
        List<Long> timestamps = new ArrayList<>();
        long t = EngineFixture.T0;
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            for (int b = 0; b < 120; b++) {
                List<Record> batch = new ArrayList<>();
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int kind = random.nextInt(10);
                    long ts = kind == 0 ? -1 : kind < 3 ? t - random.nextInt(400) : (t += random.nextInt(30));
                    batch.add(Record.of(ts, "k" + timestamps.size(), "value-" + timestamps.size()));
                    timestamps.add(ts);
                }
                p.append(batch);
            }
            check(p, timestamps, random, "in the session");
        }
        try (StorageEngine engine = fx.open()) {
            check(engine.partition("t", 0), timestamps, random, "after a clean reopen");
        }
        Path partition = fx.partitionDir("t", 0);
        Files.delete(partition.resolve(LogFiles.CLEAN_SHUTDOWN));
        Files.deleteIfExists(partition.resolve(LogFiles.RECOVERY_POINT));
        try (StorageEngine engine = fx.open()) {
            PartitionLog p = engine.partition("t", 0);
            check(p, timestamps, random, "after an unclean reopen");
            p.applyRetention();
            check(p, timestamps, random, "after retention");
        }
    }

    private static void check(PartitionLog p, List<Long> timestamps, Random random, String when) {
        List<Long> targets = new ArrayList<>(List.of(-2L, -1L, 0L, Long.MAX_VALUE));
        for (long ts : timestamps) {
            targets.add(ts);
            targets.add(ts + 1);
            targets.add(ts - 1);
        }
        for (int i = 0; i < 50; i++) {
            targets.add(EngineFixture.T0 - 500 + random.nextInt(6000));
        }
        long start = p.logStartOffset();
        for (long target : targets) {
            OptionalLong expected = OptionalLong.empty();
            for (int o = (int) start; o < timestamps.size(); o++) {
                if (timestamps.get(o) >= target) {
                    expected = OptionalLong.of(o);
                    break;
                }
            }
            assertEquals(expected, p.offsetForTimestamp(target), when + ": target " + target + ", log start " + start);
        }
    }
}
