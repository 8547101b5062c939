package io.rivven.io.nio;

import static io.rivven.testkit.IoBackendContract.direct;
import static io.rivven.testkit.IoBackendContract.pattern;
import static io.rivven.testkit.IoBackendContract.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.io.BatchStats;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.io.IoBatch;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.testkit.IoBackendContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The I/O backend contract for {@code nio}, plus what is special to it. */
class NioBackendTest extends IoBackendContract {

    @Override
    protected IoBackendProvider provider() {
        return new NioBackendProvider();
    }

    // ---------------------------------------------------------------- discovery

    @Test
    void serviceLoaderFindsNio() {
        getClass().getModule().addUses(IoBackendProvider.class);
        List<String> names = ServiceLoader.load(IoBackendProvider.class).stream()
                .map(p -> p.get().name()).toList();
        assertTrue(names.contains("nio"), "found " + names);
    }

    @Test
    void servicesFileMatchesModuleProvides() throws IOException {
        String services;
        try (InputStream in = NioBackendProvider.class.getModule()
                .getResourceAsStream("META-INF/services/" + IoBackendProvider.class.getName())) {
            assertTrue(in != null, "META-INF/services/" + IoBackendProvider.class.getName() + " is missing");
            services = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertEquals(NioBackendProvider.class.getName(), services);
        ModuleDescriptor descriptor = NioBackendProvider.class.getModule().getDescriptor();
        if (descriptor != null) { // null when the tests run on the class path
            assertEquals(List.of(NioBackendProvider.class.getName()), descriptor.provides().stream()
                    .filter(p -> p.service().equals(IoBackendProvider.class.getName()))
                    .flatMap(p -> p.providers().stream()).toList());
        }
    }

    @Test
    void anUnknownOptionIsRejectedNamingItsPath() {
        PluginConfig config = PluginConfig.of("rivven.json → io", Map.of("preallocate", true));
        ConfigException e = assertThrows(ConfigException.class, () -> provider().create(config));
        assertEquals("rivven.json → io.preallocate", e.path());
        assertTrue(e.getMessage().contains("accepted: mmapReadsFromBytes"), e.getMessage());
    }

    @Test
    void openAfterBackendCloseFails() throws IOException {
        backend().close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> backend().open(dir().resolve("x.log"), OpenMode.READ_WRITE));
        assertTrue(e.getMessage().contains("x.log"), e.getMessage());
    }

    // ---------------------------------------------------------------- messages

    @Test
    void missingFileMessageNamesThePathAndTheFix() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> open("gone.log", OpenMode.READ));
        assertEquals(dir().resolve("gone.log").toAbsolutePath().toString(), e.getFile());
        assertTrue(e.getMessage().contains("READ_WRITE"), e.getMessage());
    }

    @Test
    void missingDirectoryFailsForReadWrite() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> open("no-dir/x.log", OpenMode.READ_WRITE));
        assertTrue(e.getMessage().contains("x.log"), e.getMessage());
    }

    @Test
    void readOnlyWriteMessageNamesTheFile() throws IOException {
        Files.write(dir().resolve("ro.log"), new byte[10]);
        IoFile f = open("ro.log", OpenMode.READ);
        NonWritableChannelException e = assertThrows(NonWritableChannelException.class,
                () -> f.append(ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains("ro.log") && e.getMessage().contains("READ_WRITE"), e.getMessage());
    }

    @Test
    void closedFileThrowsClosedChannelExceptionNamingIt() throws IOException {
        IoFile f = open("closed.log", OpenMode.READ_WRITE);
        f.close();
        ClosedChannelException e = assertThrows(ClosedChannelException.class, () -> f.read(ByteBuffer.allocate(1), 0));
        assertTrue(e.getMessage().contains("closed.log") && e.getMessage().contains("closed"), e.getMessage());
        assertThrows(ClosedChannelException.class, f::size);
    }

    @Test
    void anInterruptedThreadsReadCompletesAndTheFileStaysOpenForEveryone() throws IOException {
        IoFile f = open("intr.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        Thread.currentThread().interrupt();
        ByteBuffer dst = ByteBuffer.allocate(5);
        try {
            assertEquals(5, f.read(dst, 2));
            assertTrue(Thread.currentThread().isInterrupted(), "the read must keep the thread's interrupt flag");
        } finally {
            Thread.interrupted();
        }
        assertArrayEquals(pattern(2, 5), dst.array());
        assertArrayEquals(pattern(0, 10), readAll(f, 0, 10), "later operations work");
        assertEquals(0, ((NioFile) f).reopens(), "entering with the flag set must not even close the channel");
    }

    // ---------------------------------------------------------------- nio specifics

    @Test
    void readModeSizeFollowsAnotherHandlesAppends() throws IOException {
        IoFile w = open("shared.log", OpenMode.READ_WRITE);
        IoFile r = open("shared.log", OpenMode.READ);
        assertEquals(0, r.size());
        w.append(ByteBuffer.wrap(pattern(0, 42)));
        assertEquals(42, r.size());
        assertArrayEquals(pattern(0, 42), readAll(r, 0, 42));
    }

    @Test
    void firstSyncOfACreatedFileAlsoSyncsItsDirectory() throws IOException {
        NioFile created = (NioFile) open("created.log", OpenMode.READ_WRITE);
        assertTrue(created.directorySyncPending());
        created.append(ByteBuffer.wrap(pattern(0, 8)));
        created.sync(false);
        assertFalse(created.directorySyncPending());

        NioFile existing = (NioFile) open("created.log", OpenMode.READ_WRITE);
        assertFalse(existing.directorySyncPending(), "opening an existing file creates no directory entry");
    }

    @Test
    void shortWritesAndTransfersAreLooped() throws IOException {
        FaultyChannel ch = faulty("short.log", 7, Long.MAX_VALUE, false);
        NioFile f = new NioFile(dir().resolve("short.log"), ch, OpenMode.READ_WRITE, false);
        assertEquals(0, f.append(ByteBuffer.wrap(pattern(0, 50))));
        assertEquals(50, f.append(ByteBuffer.wrap(pattern(50, 3)), direct(pattern(53, 40)), ByteBuffer.wrap(pattern(93, 7))));
        f.write(direct(pattern(100, 30)), 100);
        assertEquals(130, f.size());
        assertTrue(ch.writeCalls >= 130 / 7, "the channel wrote at most 7 bytes per call: " + ch.writeCalls);
        assertArrayEquals(pattern(0, 130), Files.readAllBytes(dir().resolve("short.log")));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(125, f.transferTo(5, 200, Channels.newChannel(out)), "all up to the end of file");
        assertArrayEquals(pattern(5, 125), out.toByteArray());
        f.close();
    }

    @Test
    void failedAppendLeavesTheAppendPosition() throws IOException {
        FaultyChannel ch = faulty("fail.log", 4, 30, false);
        NioFile f = new NioFile(dir().resolve("fail.log"), ch, OpenMode.READ_WRITE, false);
        f.append(ByteBuffer.wrap(pattern(0, 20)));
        IOException e = assertThrows(IOException.class,
                () -> f.append(ByteBuffer.wrap(pattern(20, 8)), ByteBuffer.wrap(pattern(28, 8))));
        assertTrue(e.getMessage().contains("fail.log") && e.getMessage().contains("append of 16 bytes at position 20"),
                e.getMessage());
        assertEquals(20, f.size(), "a failed append does not move the append position");
        f.close();
    }

    @Test
    void coalescedAppendsFailingMidwayKeepTheCompletedOnes() throws IOException {
        // the channel fails after 25 bytes: the first two appends (10 + 10) complete, the third breaks
        FaultyChannel ch = faulty("coalesce.log", Integer.MAX_VALUE / 2, 25, false);
        NioFile f = new NioFile(dir().resolve("coalesce.log"), ch, OpenMode.READ_WRITE, false);
        IoBatch batch = IoBatch.builder()
                .append(f, ByteBuffer.wrap(pattern(0, 10)))
                .append(f, direct(pattern(10, 10)))
                .append(f, ByteBuffer.wrap(pattern(20, 10)))
                .append(f, ByteBuffer.wrap(pattern(30, 10)))
                .build();
        IOException e = assertThrows(IOException.class, () -> backend().execute(batch));
        assertTrue(e.getMessage().contains("coalesce.log"), e.getMessage());
        assertEquals(20, f.size(), "the appends written completely took effect, the rest did not");
        assertArrayEquals(pattern(0, 20), readAll(f, 0, 20));
        f.close();
    }

    @Test
    void consecutiveAppendsAreOneGatheringWrite() throws IOException {
        FaultyChannel ch = faulty("one.log", Integer.MAX_VALUE, Long.MAX_VALUE, false);
        NioFile f = new NioFile(dir().resolve("one.log"), ch, OpenMode.READ_WRITE, false);
        IoBatch.Builder b = IoBatch.builder();
        for (int i = 0; i < 10; i++) {
            b.append(f, ByteBuffer.wrap(pattern(i * 10L, 10)));
        }
        BatchStats stats = backend().execute(b.build());
        assertEquals(new BatchStats(10, 10, 0, 0, 100, 0), stats);
        assertEquals(1, ch.writeCalls, "ten adjacent appends, one write");
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100));
        f.close();
    }

    @Test
    void runsAreCappedAndStillCorrect() throws IOException {
        IoFile f = open("cap.log", OpenMode.READ_WRITE);
        IoBatch.Builder b = IoBatch.builder();
        int ops = NioBackend.MAX_RUN * 2 + 3;
        for (int i = 0; i < ops; i++) {
            b.append(f, ByteBuffer.wrap(pattern(i * 3L, 3)));
        }
        assertEquals(new BatchStats(ops, ops, 0, 0, ops * 3L, 0), backend().execute(b.build()));
        assertArrayEquals(pattern(0, ops * 3), readAll(f, 0, ops * 3));
    }

    @Test
    void batchWithAForeignIoFileUsesItsMethods() throws IOException {
        IoFile real = open("foreign.log", OpenMode.READ_WRITE);
        IoFile foreign = new ForwardingIoFile(real);
        BatchStats stats = backend().execute(IoBatch.builder()
                .append(foreign, ByteBuffer.wrap(pattern(0, 4)))
                .append(foreign, ByteBuffer.wrap(pattern(4, 4)))
                .build());
        assertEquals(new BatchStats(2, 2, 0, 0, 8, 0), stats);
        assertArrayEquals(pattern(0, 8), readAll(real, 0, 8));
    }

    private FaultyChannel faulty(String name, int maxPerCall, long writeBudget, boolean forceFails) throws IOException {
        FileChannel real = FileChannel.open(dir().resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new FaultyChannel(real, maxPerCall, writeBudget, forceFails);
    }

    /** An IoFile of another implementation, as a wrapper would be. */
    private record ForwardingIoFile(IoFile d) implements IoFile {
        @Override
        public Path path() {
            return d.path();
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public long append(ByteBuffer... srcs) throws IOException {
            return d.append(srcs);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            d.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target)
                throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public void sync(boolean metadata) throws IOException {
            d.sync(metadata);
        }

        @Override
        public void truncate(long size) throws IOException {
            d.truncate(size);
        }

        @Override
        public void close() throws IOException {
            d.close();
        }
    }
}
