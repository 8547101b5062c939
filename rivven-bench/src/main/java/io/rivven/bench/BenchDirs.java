package io.rivven.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Scratch directories for the storage benchmarks. They live under the system property
 * {@code rivven.bench.dir} (set by {@code rivven-bench/run} from {@code RIVVEN_BENCH_DIR}),
 * else under {@code java.io.tmpdir}. The file system matters: both Kafka's and Rivven's logs of
 * one run are written to the same place, and it should be a real disk (not tmpfs) when the
 * {@code interval} flush mode is measured. Directories not deleted by {@link #delete} (a benchmark
 * that failed before its tear-down) are deleted when the JVM exits. Thread-safe.
 */
public final class BenchDirs {

    /** The system property naming the parent directory of every scratch directory. */
    public static final String PROPERTY = "rivven.bench.dir";

    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path dir : LIVE) {
                try {
                    delete(dir);
                } catch (RuntimeException e) {
                    System.err.println("rivven-bench: " + e.getMessage());
                }
            }
        }, "rivven-bench-cleanup"));
    }

    private BenchDirs() {
    }

    /** A new empty directory {@code <base>/<prefix><random>}. */
    public static Path create(String prefix) {
        Path base = Paths.get(System.getProperty(PROPERTY, System.getProperty("java.io.tmpdir")));
        try {
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, prefix);
            LIVE.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory under " + base.toAbsolutePath()
                    + " (system property " + PROPERTY + "); make it writable or point " + PROPERTY
                    + " (RIVVEN_BENCH_DIR for rivven-bench/run) elsewhere", e);
        }
    }

    /** Deletes {@code dir} and everything under it; a missing directory is fine. */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        LIVE.remove(dir);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete scratch directory " + dir.toAbsolutePath(), e);
        }
    }

    /** Total size in bytes of the regular files under {@code dir} whose names end with {@code suffix}. */
    public static long sizeOf(Path dir, String suffix) {
        try (Stream<Path> all = Files.walk(dir)) {
            long total = 0;
            for (Path p : all.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).toList()) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dir.toAbsolutePath(), e);
        }
    }
}
