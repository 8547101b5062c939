package io.rivven.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.OffsetPosition;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.index.TimeLookup;
import io.rivven.testkit.SimpleBatchInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LazyIndexTest {

    @TempDir
    Path dir;

    private static final PluginConfig NO_OPTIONS = PluginConfig.empty("test");

    /** Counts how often the index is opened. */
    private static final class CountingProvider implements IndexProvider {
        final AtomicInteger opened = new AtomicInteger();
        final IndexProvider delegate = new OffsetIndexProvider();

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String fileSuffix() {
            return delegate.fileSuffix();
        }

        @Override
        public void validate(PluginConfig config) {
            delegate.validate(config);
        }

        @Override
        public SegmentIndex create(IndexContext context, PluginConfig config) throws IOException {
            opened.incrementAndGet();
            return delegate.create(context, config);
        }
    }

    private IndexContext ctx(boolean writable) {
        return new IndexContext("t", 0, 100, dir.resolve("00000000000000000100.index"), writable, 4096, 1);
    }

    private void writeSealedIndex() throws IOException {
        try (SegmentIndex index = new OffsetIndexProvider().create(ctx(true), NO_OPTIONS)) {
            index.append(SimpleBatchInfo.of(100, 10, 1, 0, 50));
            index.append(SimpleBatchInfo.of(110, 10, 1, 50, 50));
            index.append(SimpleBatchInfo.of(120, 10, 1, 100, 50));
            index.seal();
        }
    }

    @Test
    void nothingTouchesTheDiskUntilFirstUse() throws IOException {
        CountingProvider provider = new CountingProvider();
        LazyIndex lazy = new LazyIndex(provider, ctx(true), NO_OPTIONS);
        assertFalse(lazy.isOpened());
        assertEquals(0, lazy.sizeInBytes(), "missing file: 0 bytes");
        lazy.flush();
        lazy.close();
        lazy.close();
        assertEquals(0, provider.opened.get());
        assertFalse(Files.exists(lazy.file()), "closing an unopened writable index creates nothing");
        assertThrows(IllegalStateException.class, lazy::get, "closed for good");
    }

    @Test
    void readOnlyIndexAnswersSizeFullAndSealWithoutOpening() throws IOException {
        writeSealedIndex();
        CountingProvider provider = new CountingProvider();
        try (LazyIndex lazy = new LazyIndex(provider, ctx(false), NO_OPTIONS)) {
            assertEquals(16, lazy.sizeInBytes(), "the file's length");
            assertTrue(lazy.isFull());
            lazy.seal();
            lazy.flush();
            assertEquals(0, provider.opened.get());
            assertEquals(new OffsetPosition(119, 50), lazy.as(OffsetLookup.class).lookup(125));
            assertEquals(1, provider.opened.get());
            assertEquals(16, lazy.sizeInBytes());
            lazy.sanityCheck();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> lazy.as(TimeLookup.class));
            assertEquals("index type 'offset' (00000000000000000100.index) does not implement TimeLookup", e.getMessage());
            assertEquals(1, provider.opened.get());
        }
    }

    @Test
    void aRenamedIndexOpensUnderItsNewName() throws IOException {
        writeSealedIndex();
        CountingProvider provider = new CountingProvider();
        try (LazyIndex lazy = new LazyIndex(provider, ctx(false), NO_OPTIONS)) {
            Path target = dir.resolve("00000000000000000100.index.deleted");
            lazy.renameTo(target);
            assertEquals(target, lazy.file());
            assertEquals(target, lazy.context().file());
            assertFalse(Files.exists(dir.resolve("00000000000000000100.index")));
            assertEquals(0, provider.opened.get(), "renaming opens nothing");
            assertEquals(new OffsetPosition(119, 50), lazy.as(OffsetLookup.class).lookup(125));
            lazy.sanityCheck();

            Files.write(dir.resolve("taken.index"), new byte[8]);
            assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> lazy.renameTo(dir.resolve("taken.index")));
            assertEquals(target, lazy.file(), "nothing moved");
            assertEquals(8, Files.size(dir.resolve("taken.index")));
        }
    }

    /**
     * An index opened, sealed and not yet flushed, then renamed (retention renaming a segment that
     * rolled a moment ago): the opened index is told the new name, so the flush fsyncs the file
     * where it is now instead of failing on the old name.
     */
    @Test
    void anOpenedIndexIsToldItsNewName() throws IOException {
        CountingProvider provider = new CountingProvider();
        try (LazyIndex lazy = new LazyIndex(provider, ctx(true), NO_OPTIONS)) {
            lazy.append(SimpleBatchInfo.of(100, 10, 1, 0, 50));
            lazy.append(SimpleBatchInfo.of(110, 10, 1, 50, 50));
            lazy.seal(); // the sealed file changed since the last flush: flush() fsyncs it by path
            Path target = dir.resolve("00000000000000000100.index.deleted");
            lazy.renameTo(target);
            lazy.flush();
            assertEquals(target, ((OffsetIndex) lazy.get()).file());
            assertEquals(new OffsetPosition(119, 50), lazy.as(OffsetLookup.class).lookup(125));
        }
    }

    /**
     * A peek at the file by path ({@code readFile}) that a rename overtakes between taking the
     * path and opening the file (the reader renames it itself here, deterministically) reads the
     * file under its new name; a file that is really missing stays missing.
     */
    @Test
    void aPeekOvertakenByARenameReadsTheFileUnderItsNewName() throws IOException {
        writeSealedIndex();
        LazyIndex lazy = new LazyIndex(new CountingProvider(), ctx(false), NO_OPTIONS);
        Path target = dir.resolve("00000000000000000100.index.deleted");
        List<Path> tried = new ArrayList<>();
        long size = lazy.readFile(file -> {
            tried.add(file);
            if (tried.size() == 1) {
                lazy.renameTo(target); // retention, between the path and the open
            }
            return Files.size(file);
        });
        assertEquals(16, size, "two entries");
        assertEquals(List.of(dir.resolve("00000000000000000100.index"), target), tried);

        Files.delete(target);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> lazy.readFile(Files::size));
        lazy.close();
    }

    @Test
    void writableIndexOpensOnFirstAppend() throws IOException {
        CountingProvider provider = new CountingProvider();
        try (LazyIndex lazy = new LazyIndex(provider, ctx(true), NO_OPTIONS)) {
            lazy.append(SimpleBatchInfo.of(100, 10, 1, 0, 50));
            lazy.append(SimpleBatchInfo.of(110, 10, 1, 50, 50));
            assertTrue(lazy.isOpened());
            assertFalse(lazy.isFull());
            lazy.truncateTo(200);
            lazy.seal();
            assertTrue(lazy.isFull());
            assertEquals(8, lazy.sizeInBytes());
        }
        assertEquals(8, Files.size(dir.resolve("00000000000000000100.index")));
    }

    @Test
    void concurrentFirstUsesOpenOnce() throws Exception {
        writeSealedIndex();
        CountingProvider provider = new CountingProvider();
        try (LazyIndex lazy = new LazyIndex(provider, ctx(false), NO_OPTIONS)) {
            CountDownLatch start = new CountDownLatch(1);
            List<SegmentIndex> seen = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        seen.add(lazy.get());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(8, seen.size());
            assertEquals(1, provider.opened.get());
            seen.forEach(s -> assertSame(seen.getFirst(), s));
        }
    }

    @Test
    void missingReadOnlyFileIsReportedAsCorruptByTheSanityCheck() {
        LazyIndex lazy = new LazyIndex(new OffsetIndexProvider(), ctx(false), NO_OPTIONS);
        CorruptIndexException e = assertThrows(CorruptIndexException.class, lazy::sanityCheck);
        assertTrue(e.getMessage().endsWith("00000000000000000100.index: index file is missing; it must be rebuilt from the log"),
                e.getMessage());
        assertFalse(lazy.isOpened());
    }
}
