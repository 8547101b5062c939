package io.rivven.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 with real processes on every write path but the plain append: a child JVM
 * ({@link LifecycleCrashChild}) creates topics, appends a little, rolls segments, applies
 * retention and deletes topics, printing each step before and after it; the test kills it with
 * SIGKILL at a random moment (sometimes while it opens and recovers the engine). After each kill a
 * copy of the directory is opened here and must hold:
 * <ul>
 *   <li>every topic whose creation returned (and was not being deleted), with all its partitions;
 *       a topic whose creation or deletion was cut short either exists whole (its partition count)
 *       or not at all; no topic whose deletion returned; no other directory under {@code topics};</li>
 *   <li>per partition, the log start offset retention last reported (or, when retention was cut
 *       short, one at least as high), contiguous offsets from there to the high watermark, only
 *       records the child wrote, and every acknowledged record at or above the log start, at its
 *       offset.</li>
 * </ul>
 * The next child opens the original directory, recovers it itself, and must find the same topics.
 */
class LifecycleCrashTest {

    static final int ROUNDS = 24;

    @TempDir
    Path tmp;

    /** What the test knows about one incarnation of a topic name. */
    static final class TopicModel {
        final int partitions;
        /** Whether the creation returned and no deletion started. */
        boolean live;
        boolean creating = true;
        boolean deleting;
        final List<Map<Long, Long>> acked = new ArrayList<>();   // per partition: offset -> record number
        final long[] logStart;
        final boolean[] retaining;

        TopicModel(int partitions) {
            this.partitions = partitions;
            this.logStart = new long[partitions];
            this.retaining = new boolean[partitions];
            for (int p = 0; p < partitions; p++) {
                acked.add(new HashMap<>());
            }
        }
    }

    @Test
    void topicCreationRollRetentionAndDeletionSurviveSigkill() throws Exception {
        Path data = tmp.resolve("data");
        long seed = Long.getLong("rivven.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Map<String, TopicModel> model = new TreeMap<>();
        int steps = 0;
        for (int round = 0; round < ROUNDS; round++) {
            boolean early = round % 8 == 7; // kill during startup and recovery
            List<String> lines = runAndKill(data, round, early ? rnd.nextInt(600) : 50 + rnd.nextInt(450), early);
            String when = "round " + round + " (seed " + seed + ")";
            steps += apply(lines, model, when);
            Path copy = tmp.resolve("check-" + round);
            CrashTest.copyTree(data, copy);
            check(copy, model, "after " + when);
            CrashTest.deleteTree(copy);
        }
        check(data, model, "at the end");
        assertTrue(steps >= ROUNDS * 5, "only " + steps + " steps in " + ROUNDS + " rounds");
    }

    /** Applies the child's lines to the model, checking them; returns the number of steps. */
    private static int apply(List<String> lines, Map<String, TopicModel> model, String when) {
        Set<String> existing = new TreeSet<>();
        int steps = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (!f[f.length - 1].equals(".")) {
                continue; // cut by the kill
            }
            steps++;
            TopicModel m = f.length > 1 ? model.get(f[1]) : null;
            switch (f[0]) {
                case "ready" -> {
                    Set<String> live = new TreeSet<>();
                    model.forEach((t, tm) -> {
                        if (tm.live) {
                            live.add(t);
                        }
                    });
                    assertEquals(live, existing, when + ": the child opened other topics than the test's copy");
                }
                case "exists" -> {
                    assertNotNull(m, when + ": the child found topic " + f[1] + ", which the test does not know");
                    assertTrue(m.live, when + ": the child found topic " + f[1] + ", which is gone in the test's copy");
                    assertEquals(m.partitions, Integer.parseInt(f[2]), when + ": partitions of " + f[1]);
                    existing.add(f[1]);
                }
                case "creating" -> {
                    assertTrue(m == null || !m.live, when + ": creating " + f[1] + ", which exists");
                    model.put(f[1], new TopicModel(Integer.parseInt(f[2])));
                }
                case "created" -> {
                    m.creating = false;
                    m.live = true;
                }
                case "acked" -> {
                    int p = Integer.parseInt(f[2]);
                    long base = Long.parseLong(f[3]);
                    long first = Long.parseLong(f[4]);
                    int count = Integer.parseInt(f[5]);
                    for (int i = 0; i < count; i++) {
                        m.acked.get(p).put(base + i, first + i);
                    }
                }
                case "retaining" -> m.retaining[Integer.parseInt(f[2])] = true;
                case "retained" -> {
                    int p = Integer.parseInt(f[2]);
                    m.retaining[p] = false;
                    m.logStart[p] = Long.parseLong(f[3]);
                }
                case "deleting" -> {
                    m.live = false;
                    m.deleting = true;
                }
                case "deleted" -> model.remove(f[1]);
                default -> fail(when + ": unexpected line from the child: " + line);
            }
        }
        return steps;
    }

    /** Starts a child, kills it {@code delayMs} after it is ready (or after it started, when {@code early}); its lines. */
    private List<String> runAndKill(Path data, int round, long delayMs, boolean early) throws Exception {
        Path log = tmp.resolve("child-" + round + ".err");
        return KilledChild.runAndKill(childCommand(data, (long) round * 10_000_000L), log, delayMs, early);
    }

    private static List<String> childCommand(Path data, long firstRecord) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Set<String> path = new LinkedHashSet<>();
        path.add(Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/test-classes").toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    path.add(entry);
                }
            }
        }
        return List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, path),
                LifecycleCrashChild.class.getName(), data.toString(), Long.toString(firstRecord));
    }

    /** Opens {@code data} here and checks it against the model (see the class comment), then settles the model. */
    private static void check(Path data, Map<String, TopicModel> model, String when) throws IOException {
        try (StorageEngine engine = StorageEngine.open(LifecycleCrashChild.config(data))) {
            for (String t : engine.topics()) {
                TopicModel m = model.get(t);
                assertNotNull(m, when + ": topic " + t + " exists, but its deletion returned (or it was never created)");
                assertEquals(m.partitions, engine.topic(t).orElseThrow().partitionCount(), when + ": partitions of topic " + t);
            }
            for (var it = model.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                String t = e.getKey();
                TopicModel m = e.getValue();
                boolean exists = engine.topic(t).isPresent();
                if (m.live) {
                    assertTrue(exists, when + ": topic " + t + " is gone, but its creation returned");
                } else if (!exists) {
                    it.remove(); // a creation or deletion cut short, either way
                    continue;
                }
                for (int p = 0; p < m.partitions; p++) {
                    checkPartition(engine.partition(t, p), m, p, when);
                }
                m.live = true;
                m.creating = false;
                m.deleting = false;
            }
        }
        try (Stream<Path> dirs = Files.list(data.resolve("topics"))) {
            assertEquals(model.keySet(), new TreeSet<>(dirs.map(d -> d.getFileName().toString()).toList()),
                    when + ": directories under topics/ after open");
        }
    }

    private static void checkPartition(PartitionLog log, TopicModel m, int p, String when) throws IOException {
        String name = log.topic() + "-" + p;
        long start = log.logStartOffset();
        if (m.retaining[p]) {
            assertTrue(start >= m.logStart[p], when + ": " + name + " log start " + start + " moved back from " + m.logStart[p]);
        } else {
            assertEquals(m.logStart[p], start, when + ": " + name + " log start (retention reported " + m.logStart[p] + ")");
        }
        m.logStart[p] = start;
        m.retaining[p] = false;
        Map<Long, Long> found = ReadBack.records(log, start, when + ": " + name);
        for (Map.Entry<Long, Long> a : m.acked.get(p).entrySet()) {
            if (a.getKey() < start) {
                continue; // removed by retention
            }
            Long n = found.get(a.getKey());
            if (n == null || !n.equals(a.getValue())) {
                fail(when + ": acknowledged record " + a.getValue() + " at offset " + a.getKey() + " of " + name + " is "
                        + (n == null ? "missing" : "record " + n) + " (log [" + start + ", " + log.highWatermark() + "))");
            }
        }
        m.acked.get(p).keySet().removeIf(o -> o < start);
    }
}
