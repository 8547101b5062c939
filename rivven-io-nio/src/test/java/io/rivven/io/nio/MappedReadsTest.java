package io.rivven.io.nio;

import static io.rivven.testkit.IoBackendContract.pattern;
import static io.rivven.testkit.IoBackendContract.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads served from a memory mapping ({@link MappedReads}) through {@link NioFile}. */
class MappedReadsTest {

    static final int KIB = 1024;

    @TempDir
    Path dir;
    private final List<NioFile> files = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (NioFile f : files) {
            f.close();
        }
    }

    private NioFile open(String name, OpenMode mode, long fromBytes) throws IOException {
        Path p = dir.resolve(name);
        FileChannel ch = mode == OpenMode.READ ? FileChannel.open(p, StandardOpenOption.READ)
                : FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        NioFile f = new NioFile(p, ch, mode, false, fromBytes);
        files.add(f);
        return f;
    }

    private static void append(NioFile f, int bytes) throws IOException {
        f.append(ByteBuffer.wrap(pattern(f.size(), bytes)));
    }

    @Test
    void aSmallFileIsReadThroughTheChannelAndALargeOneThroughAMapping() throws IOException {
        NioFile f = open("a.log", OpenMode.READ_WRITE, 64 * KIB);
        append(f, 10 * KIB);
        assertArrayEquals(pattern(0, 10 * KIB), readAll(f, 0, 10 * KIB));
        assertEquals(0, f.mappedLength(), "below mmapReadsFromBytes nothing is mapped");
        append(f, 100 * KIB);
        assertArrayEquals(pattern(5000, 90 * KIB), readAll(f, 5000, 90 * KIB));
        assertEquals(110 * KIB, f.mappedLength(), "everything visible is mapped");
        // heap and direct destinations, at an offset inside the buffer
        ByteBuffer direct = ByteBuffer.allocateDirect(3000).position(100);
        assertEquals(2900, f.read(direct, 7777));
        byte[] got = new byte[2900];
        direct.position(100).get(got);
        assertArrayEquals(pattern(7777, 2900), got);
    }

    @Test
    void aGrowingFileIsRemappedOnlyWhenItsUnmappedTailIsAsLargeAsTheMapping() throws IOException {
        NioFile f = open("g.log", OpenMode.READ_WRITE, 16 * KIB);
        append(f, 16 * KIB);
        readAll(f, 0, 1);
        assertEquals(16 * KIB, f.mappedLength());
        append(f, 10 * KIB); // tail 10 KiB < 16 KiB mapped: the tail is read through the channel
        assertArrayEquals(pattern(15 * KIB, 11 * KIB), readAll(f, 15 * KIB, 11 * KIB), "a read across the mapping's end");
        assertEquals(16 * KIB, f.mappedLength());
        append(f, 6 * KIB); // tail 16 KiB: remapped for a read in the tail
        assertArrayEquals(pattern(30 * KIB, 2 * KIB), readAll(f, 30 * KIB, 2 * KIB));
        assertEquals(32 * KIB, f.mappedLength());
        assertEquals(-1, f.read(ByteBuffer.allocate(1), 32 * KIB), "end of file");
    }

    @Test
    void truncationDropsTheMappingAndReadsSeeTheNewEnd() throws IOException {
        NioFile f = open("t.log", OpenMode.READ_WRITE, 0);
        append(f, 64 * KIB);
        readAll(f, 0, 64 * KIB);
        assertEquals(64 * KIB, f.mappedLength());
        f.truncate(10 * KIB);
        assertEquals(0, f.mappedLength(), "no mapping may cover bytes past the end");
        assertEquals(-1, f.read(ByteBuffer.allocate(10), 20 * KIB));
        assertArrayEquals(pattern(0, 10 * KIB), readAll(f, 0, 10 * KIB));
        f.append(ByteBuffer.wrap(new byte[5 * KIB])); // new bytes where the old ones were
        assertArrayEquals(new byte[5 * KIB], readAll(f, 10 * KIB, 5 * KIB));
    }

    @Test
    void aReadOnlyHandleMapsTheFileAsItIsAndFollowsItsGrowth() throws IOException {
        NioFile w = open("r.log", OpenMode.READ_WRITE, -1);
        append(w, 40 * KIB);
        NioFile r = open("r.log", OpenMode.READ, 8 * KIB);
        assertArrayEquals(pattern(0, 40 * KIB), readAll(r, 0, 40 * KIB));
        assertEquals(40 * KIB, r.mappedLength());
        assertEquals(0, w.mappedLength(), "-1: never mapped");
        append(w, 50 * KIB);
        assertArrayEquals(pattern(0, 90 * KIB), readAll(r, 0, 90 * KIB));
        assertEquals(90 * KIB, r.mappedLength());
        w.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100); // an overwrite shows through the mapping
        assertArrayEquals(new byte[] {1, 2, 3}, readAll(r, 100, 3));
    }

    @Test
    void aRenamedFileIsMappedAtItsNewPath() throws IOException {
        NioFile f = open("m.log", OpenMode.READ_WRITE, 16 * KIB);
        append(f, 8 * KIB);
        f.renameTo(dir.resolve("m.log.deleted"));
        append(f, 24 * KIB); // the first mapping is made after the rename, by the new path
        assertArrayEquals(pattern(0, 32 * KIB), readAll(f, 0, 32 * KIB));
        assertEquals(32 * KIB, f.mappedLength(), "mapped through the new path");
        f.renameTo(dir.resolve("m2.log"));
        append(f, 32 * KIB); // remapped by the path after a second rename
        assertArrayEquals(pattern(40 * KIB, 24 * KIB), readAll(f, 40 * KIB, 24 * KIB));
        assertEquals(64 * KIB, f.mappedLength());
    }

    /**
     * A mapping asks the file's path once: a rename (and a new file under the old name) between
     * opening the path and checking its identity must not map the other file. Here the path is
     * read before the rename for the open and after it for the identity check, as a reader racing
     * {@link NioFile#renameTo} would.
     */
    @Test
    void aRenameDuringAMappingNeverMapsAnotherFile() throws IOException {
        Path old = dir.resolve("r.log");
        Path moved = dir.resolve("r.log.deleted");
        java.nio.file.Files.write(old, pattern(0, 32 * KIB));
        Object key = java.nio.file.Files.readAttributes(old, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        int[] calls = {0};
        MappedReads.Source source = new MappedReads.Source() {
            @Override
            public long visibleSize() {
                return 32 * KIB;
            }

            @Override
            public Path path() {
                if (calls[0]++ > 0) {
                    return moved; // read after the rename
                }
                try { // read before the rename, which happens now, and another file takes the old name
                    java.nio.file.Files.move(old, moved);
                    java.nio.file.Files.write(old, pattern(5000, 32 * KIB));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return old;
            }

            @Override
            public Object fileKey() {
                return key;
            }
        };
        MappedReads m = new MappedReads(new FilePath(old), 16 * KIB, true);
        try {
            ByteBuffer dst = ByteBuffer.allocate(100);
            int n = m.read(dst, 0, source);
            if (n != MappedReads.NOT_SERVED) {
                assertArrayEquals(pattern(0, n), java.util.Arrays.copyOf(dst.array(), n),
                        "the mapping serves the file opened, not the one now under its old name");
            }
        } finally {
            m.close();
        }
    }

    /** A small read-only file costs no size check per read; it is mapped once a read goes past the size last checked. */
    @Test
    void aSmallReadOnlyFileIsNotAskedItsSizeOnEveryRead() throws IOException {
        NioFile w = open("small.log", OpenMode.READ_WRITE, -1);
        append(w, 4 * KIB);
        NioFile r = open("small.log", OpenMode.READ, 16 * KIB);
        assertArrayEquals(pattern(0, 4 * KIB), readAll(r, 0, 4 * KIB));
        assertEquals(0, r.mappedLength());
        append(w, 60 * KIB);
        assertArrayEquals(pattern(100, 1000), readAll(r, 100, 1000)); // below the size checked: the channel
        assertEquals(0, r.mappedLength());
        assertArrayEquals(pattern(10 * KIB, 1000), readAll(r, 10 * KIB, 1000)); // past it: the size is asked, mapped
        assertEquals(64 * KIB, r.mappedLength());
    }

    @Test
    void afterCloseNothingIsReadFromTheMapping() throws IOException {
        NioFile f = open("c.log", OpenMode.READ_WRITE, 0);
        append(f, 8 * KIB);
        readAll(f, 0, 8 * KIB);
        f.close();
        assertEquals(0, f.mappedLength());
        IOException e = assertThrows(IOException.class, () -> f.read(ByteBuffer.allocate(10), 0));
        assertTrue(e.getMessage().contains("c.log"), e.getMessage());
    }

    /**
     * Readers beside a writer that appends and now and then truncates (each truncation dropping
     * the mapping under them): every byte a reader gets below the size it observed is the byte
     * written there, and nothing crashes.
     */
    @Test
    void readersBesideAnAppendingAndTruncatingWriterOnlyEverSeeWrittenBytes() throws Exception {
        NioFile f = open("s.log", OpenMode.READ_WRITE, 4 * KIB);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = r;
                readers.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    int reads = 0;
                    while (!stop.get()) {
                        long size = f.size();
                        if (size == 0) {
                            continue;
                        }
                        long start = rnd.nextLong(size);
                        int len = (int) Math.min(1 + rnd.nextInt(16 * KIB), size - start);
                        ByteBuffer dst = reads % 2 == 0 ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
                        int n = f.read(dst, start);
                        if (n > 0) {
                            byte[] got = new byte[n];
                            dst.flip().get(got);
                            // bytes below the size observed are the pattern, unless a truncation and
                            // re-append replaced them meanwhile (the re-append writes the pattern too)
                            assertArrayEquals(pattern(start, n), got, "read at " + start);
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            SplittableRandom rnd = new SplittableRandom(42);
            for (int i = 0; i < 3000; i++) {
                if (i % 100 == 99) {
                    f.truncate(f.size() / 2);
                } else {
                    append(f, 1 + rnd.nextInt(8 * KIB));
                }
            }
            stop.set(true);
            for (Future<Integer> r : readers) {
                assertTrue(r.get() > 0);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertArrayEquals(pattern(0, (int) f.size()), readAll(f, 0, (int) f.size()));
    }

    /**
     * Dropping a mapping closes its shared arena, and the JDK stops each thread copying from it
     * with an asynchronous exception that also sets the thread's interrupt flag. A read served by
     * the channel after that must not hand the application an interrupt that nobody sent.
     */
    @Test
    void droppingAMappingUnderReadersNeverLeavesThemInterrupted() throws Exception {
        NioFile f = open("i.log", OpenMode.READ_WRITE, 4 * KIB);
        append(f, 256 * KIB);
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                ByteBuffer dst = ByteBuffer.allocateDirect(64 * KIB);
                try {
                    while (!stop.get()) {
                        dst.clear();
                        f.read(dst, 0); // below 128 KiB: the same bytes whatever the writer does
                        reads.incrementAndGet();
                        if (Thread.currentThread().isInterrupted()) {
                            throw new AssertionError("a read left its thread interrupted");
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        try {
            for (int round = 0; round < 500 && failures.isEmpty(); round++) {
                long before = reads.get();
                while (reads.get() < before + 2 && failures.isEmpty()) {
                    Thread.onSpinWait();
                }
                f.truncate(128 * KIB); // drops the mapping under the readers
                append(f, 128 * KIB);
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertTrue(failures.isEmpty(), () -> "readers failed: " + failures);
    }

    @Test
    void theOptionIsCheckedAndDefaultsToOneMebibyte() throws IOException {
        NioBackendProvider provider = new NioBackendProvider();
        ConfigException bad = assertThrows(ConfigException.class,
                () -> provider.create(PluginConfig.of("rivven.json → io", Map.of("mmapReadsFromBytes", -2))));
        assertTrue(bad.getMessage().contains("mmapReadsFromBytes"), bad.getMessage());
        IoFile f = provider.create(PluginConfig.empty("rivven.json → io")).open(dir.resolve("d.log"), OpenMode.READ_WRITE);
        try {
            NioFile nf = (NioFile) f;
            append(nf, 512 * KIB);
            readAll(nf, 0, 10);
            assertEquals(0, nf.mappedLength());
            append(nf, 512 * KIB);
            readAll(nf, 0, 10);
            assertEquals(Os.WINDOWS ? 0 : 1024 * KIB, nf.mappedLength());
        } finally {
            f.close();
        }
    }
}
