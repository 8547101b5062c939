package io.rivven.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kill -9 with real processes: a child JVM ({@link CrashChild}) appends with {@code flush.mode}
 * {@code always} (and, in a second run, {@code os}, where an acknowledged append is only in the
 * page cache, which survives the process, and where the engine reserves log space ahead with
 * {@code fallocate}) from several threads and prints every acknowledged append; the test
 * kills it with SIGKILL ({@link Process#destroyForcibly()} on Linux) at a random moment, sometimes
 * while it is still opening (recovering) the engine. After each kill a copy of the directory is
 * opened here, in this process, and must hold every acknowledged record at its offset, intact,
 * with nothing corrupt in the log (every batch valid, offsets contiguous, every record one the
 * child wrote); the next child then opens the original directory and recovers it itself. Every
 * third round also cuts the unacknowledged tail at a random byte, as a power loss could. After
 * the last round the original is checked the same way.
 */
class CrashTest {

    static final int ROUNDS = 20;
    static final int PARTITIONS = 2;
    static final int THREADS = 3;

    @TempDir
    Path tmp;

    /** One acknowledged append. */
    record Ack(int partition, long baseOffset, long firstRecord, int count) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "os"})
    void everyAcknowledgedRecordSurvivesSigkill(String flushMode) throws Exception {
        Path data = tmp.resolve("data");
        Random rnd = new Random(Long.getLong("rivven.crash.seed", System.nanoTime()));
        List<Ack> acked = new ArrayList<>();
        int roundsWithAcks = 0;
        for (int round = 0; round < ROUNDS; round++) {
            boolean early = round % 8 == 7; // kill during startup and recovery
            List<Ack> acks = runAndKill(data, flushMode, round, early ? rnd.nextInt(400) : 50 + rnd.nextInt(550), early);
            acked.addAll(acks);
            roundsWithAcks += acks.isEmpty() ? 0 : 1;
            if (round % 3 == 1) {
                tearUnacknowledgedTails(data, acked, rnd);
            }
            Path copy = tmp.resolve("check-" + round);
            copyTree(data, copy);
            check(copy, flushMode, acked, "after round " + round);
            deleteTree(copy);
        }
        check(data, flushMode, acked, "at the end");
        assertTrue(roundsWithAcks >= ROUNDS / 2, "only " + roundsWithAcks + " of " + ROUNDS + " rounds acknowledged appends");
    }

    /**
     * Starts a child, kills it {@code delayMs} after it is ready (or after it started, when
     * {@code early}), and returns the appends it acknowledged.
     */
    private List<Ack> runAndKill(Path data, String flushMode, int round, long delayMs, boolean early) throws Exception {
        Path log = tmp.resolve("child-" + round + ".err");
        List<String> lines = KilledChild.runAndKill(childCommand(data, flushMode, (long) round * 10_000_000L), log, delayMs, early);
        List<Ack> acks = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length != 6 || !f[0].equals("acked") || !f[5].equals(".")) {
                continue; // "ready ." and the last line, which the kill may cut: not acknowledged
            }
            acks.add(new Ack(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Integer.parseInt(f[4])));
        }
        return acks;
    }

    /**
     * A SIGKILL does not tear writes (each append is one write call, which the kernel completes), a
     * power loss may: what was not fsynced can be cut anywhere. Under {@code flush.mode=always} that
     * is only what was not acknowledged, so this cuts each partition's last segment at a random
     * byte after its last acknowledged batch, often inside a batch.
     */
    private static void tearUnacknowledgedTails(Path data, List<Ack> acked, Random rnd) throws IOException {
        for (int p = 0; p < PARTITIONS; p++) {
            Path dir = data.resolve("topics").resolve(CrashChild.TOPIC).resolve("partition-" + p);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Path last;
            try (Stream<Path> files = Files.list(dir)) {
                last = files.filter(f -> f.getFileName().toString().endsWith(".log")).max(Comparator.naturalOrder()).orElse(null);
            }
            if (last == null) {
                continue;
            }
            int part = p;
            long lastAcked = acked.stream().filter(a -> a.partition() == part).mapToLong(a -> a.baseOffset() + a.count() - 1)
                    .max().orElse(-1);
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(last));
            RecordBatchReader r = new RecordBatchReader(bytes);
            long keep = 0;
            try {
                for (RecordBatch b; (b = r.next()) != null; ) {
                    if (b.baseOffset() <= lastAcked) {
                        keep = b.position() + b.sizeInBytes();
                    }
                }
            } catch (io.rivven.core.record.CorruptRecordException e) {
                // a tail torn by an earlier round, not yet recovered: nothing acknowledged is there
            }
            long cut = keep + (long) (rnd.nextDouble() * (bytes.capacity() - keep + 1));
            try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                ch.truncate(Math.min(cut, bytes.capacity()));
            }
        }
    }

    /** java, with everything this test runs with on the class path, running {@link CrashChild}. */
    private static List<String> childCommand(Path data, String flushMode, long firstRecord) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Set<String> path = new LinkedHashSet<>();
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        path.add(basedir.resolve("target/test-classes").toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    path.add(entry);
                }
            }
        }
        // native access: the nio backend reserves log space ahead (fallocate through FFM, flush mode
        // os) only with it, so the kills land in that write path too
        return List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, path),
                CrashChild.class.getName(), data.toString(), Long.toString(firstRecord), Integer.toString(PARTITIONS),
                Integer.toString(THREADS), flushMode);
    }

    /**
     * Opens {@code data} in this process and checks every partition from offset 0: valid batches,
     * contiguous offsets, records the child wrote (value derived from the key), no record twice;
     * and every acknowledged record at its offset.
     */
    private static void check(Path data, String flushMode, List<Ack> acked, String when) throws IOException {
        try (StorageEngine engine = StorageEngine.open(CrashChild.config(data, flushMode))) {
            if (engine.topic(CrashChild.TOPIC).isEmpty()) {
                assertTrue(acked.isEmpty(), when + ": the topic is gone but appends were acknowledged");
                return;
            }
            List<Map<Long, Long>> recordAt = new ArrayList<>();
            Set<Long> seen = new java.util.HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionLog log = engine.partition(CrashChild.TOPIC, p);
                assertEquals(0, log.logStartOffset(), when);
                Map<Long, Long> byOffset = ReadBack.records(log, 0, when + ": partition " + p);
                for (long n : byOffset.values()) {
                    assertTrue(seen.add(n), when + ": record " + n + " appears twice");
                }
                recordAt.add(byOffset);
            }
            for (Ack a : acked) {
                for (int i = 0; i < a.count(); i++) {
                    Long n = recordAt.get(a.partition()).get(a.baseOffset() + i);
                    if (n == null || n != a.firstRecord() + i) {
                        fail(when + ": acknowledged record " + (a.firstRecord() + i) + " at offset " + (a.baseOffset() + i)
                                + " of partition " + a.partition() + " is " + (n == null ? "missing" : "record " + n)
                                + " (high watermark " + engine.partition(CrashChild.TOPIC, a.partition()).highWatermark() + ")");
                    }
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.exists(p)) {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
