package io.rivven.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.io.BatchStats;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.io.IoBatch;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link IoBackendProvider} must pass. A backend's test extends this class and
 * implements {@link #provider()}; it may override {@link #config()} to test a non-default
 * configuration, and add tests of its own.
 *
 * <p>What it checks: the provider (valid name, consistent {@code isSupported}, unknown options
 * rejected); opening (create, missing file, read-only mode, reopen); append (single and gathering
 * over heap and direct buffers at non-zero positions, returned positions, size); positional write;
 * reads (short at end, -1 past the end, {@code readFully}'s {@link EOFException} naming the file);
 * {@code transferTo} (whole, partial at end of file, into a channel that takes little per call);
 * truncate; preallocation (invisible: size, content and reads unchanged, also after close);
 * {@code renameTo} (the handle follows the file, also read-only; never onto an existing file); sync;
 * close; the batch executor (ordering, {@link BatchStats}, failure mid-batch); one
 * appender with several readers, where no reader may ever see a byte below the size it observed
 * that differs from what was written; and the same under thread interrupts, which must not break
 * the file for threads that were not interrupted. When the provider is not supported on this machine, the
 * file tests are skipped (reported as aborted), the provider tests still run.
 *
 * <p>Test methods are public so that JUnit can call them when the testkit is a named module.
 */
public abstract class IoBackendContract {

    private Path dir;
    private IoBackend backend;
    private final List<IoFile> opened = new ArrayList<>();

    /** The provider under test; a new or shared instance, it is stateless. */
    protected abstract IoBackendProvider provider();

    /** The configuration the backend is created with; the default has no options. */
    protected PluginConfig config() {
        return PluginConfig.empty("contract → io");
    }

    @BeforeEach
    public final void setUpIoBackendContract(@TempDir Path tempDir) {
        this.dir = tempDir;
    }

    @AfterEach
    public final void tearDownIoBackendContract() throws IOException {
        IOException first = null;
        for (IoFile f : opened) {
            try {
                f.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        opened.clear();
        if (backend != null) {
            backend.close();
            backend = null;
        }
        if (first != null) {
            throw first;
        }
    }

    /** The temporary directory of the running test. */
    protected final Path dir() {
        return dir;
    }

    /** The backend under test, created on first use (skips the test when the provider is not supported here). */
    protected final IoBackend backend() {
        if (backend == null) {
            IoBackendProvider p = provider();
            Assumptions.assumeTrue(p.isSupported(), () -> p.name() + " is not supported here: " + p.unsupportedReason());
            backend = p.create(config());
            assertNotNull(backend, p.name() + ": create returned null");
        }
        return backend;
    }

    /** Opens {@code name} under {@link #dir()}; closed after the test. */
    protected final IoFile open(String name, OpenMode mode) throws IOException {
        IoFile f = backend().open(dir.resolve(name), mode);
        opened.add(f);
        return f;
    }

    // ---------------------------------------------------------------- provider

    @Test
    public void providerNameIsValidAndStable() {
        IoBackendProvider p = provider();
        assertTrue(PluginProvider.isValidName(p.name()), "invalid provider name '" + p.name() + "'");
        assertEquals(p.name(), provider().name(), "name must be stable");
    }

    @Test
    public void isSupportedIsConsistent() {
        IoBackendProvider p = provider();
        boolean supported = p.isSupported();
        assertEquals(supported, p.isSupported(), "isSupported must not change between calls");
        if (supported) {
            assertEquals("", p.unsupportedReason(), "unsupportedReason must be empty when supported");
            try (IoBackend b = p.create(config())) {
                assertEquals(p.name(), b.name());
            } catch (IOException e) {
                fail("closing a fresh backend failed", e);
            }
        } else {
            assertFalse(p.unsupportedReason().isBlank(), "an unsupported backend must say why");
            assertThrows(UnsupportedOperationException.class, () -> p.create(config()));
        }
    }

    @Test
    public void unknownOptionIsRejected() {
        IoBackendProvider p = provider();
        Assumptions.assumeTrue(p.isSupported(), () -> p.name() + " is not supported here: " + p.unsupportedReason());
        Map<String, Object> options = new LinkedHashMap<>(config().asMap());
        options.put("no-such-option", 1L);
        PluginConfig bad = PluginConfig.of(config().path(), options);
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(bad).close());
        assertTrue(e.getMessage().contains("no-such-option"), "the message must name the option: " + e.getMessage());
    }

    @Test
    public void backendCloseIsIdempotent() throws IOException {
        IoBackend b = backend();
        b.close();
        b.close();
        backend = null;
    }

    // ---------------------------------------------------------------- open

    @Test
    public void readWriteCreatesMissingFile() throws IOException {
        IoFile f = open("new.log", OpenMode.READ_WRITE);
        assertEquals(dir.resolve("new.log"), f.path());
        assertTrue(Files.exists(dir.resolve("new.log")));
        assertEquals(0, f.size());
        assertEquals(-1, f.read(ByteBuffer.allocate(4), 0));
    }

    @Test
    public void readModeOnMissingFileThrowsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> open("missing.log", OpenMode.READ));
        assertFalse(Files.exists(dir.resolve("missing.log")), "READ must not create the file");
    }

    @Test
    public void readModeReadsAndRejectsWrites() throws IOException {
        byte[] data = pattern(0, 100);
        Files.write(dir.resolve("ro.log"), data);
        IoFile f = open("ro.log", OpenMode.READ);
        assertEquals(100, f.size());
        assertArrayEquals(data, readAll(f, 0, 100));
        assertThrows(NonWritableChannelException.class, () -> f.append(ByteBuffer.wrap(new byte[] {1})));
        assertThrows(NonWritableChannelException.class, () -> f.write(ByteBuffer.wrap(new byte[] {1}), 0));
        assertThrows(NonWritableChannelException.class, () -> f.truncate(10));
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("ro.log")), "a rejected write changed the file");
    }

    @Test
    public void appendStartsAtTheExistingSize() throws IOException {
        Files.write(dir.resolve("old.log"), pattern(0, 77));
        IoFile f = open("old.log", OpenMode.READ_WRITE);
        assertEquals(77, f.size());
        assertEquals(77, f.append(ByteBuffer.wrap(pattern(77, 23))));
        assertEquals(100, f.size());
        assertArrayEquals(pattern(0, 100), Files.readAllBytes(dir.resolve("old.log")));
    }

    @Test
    public void reopenSeesTheData() throws IOException {
        IoFile f = backend().open(dir.resolve("re.log"), OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 300)));
        f.sync(false);
        f.close();
        IoFile r = open("re.log", OpenMode.READ);
        assertEquals(300, r.size());
        assertArrayEquals(pattern(0, 300), readAll(r, 0, 300));
        IoFile w = open("re.log", OpenMode.READ_WRITE);
        assertEquals(300, w.append(ByteBuffer.wrap(pattern(300, 10))));
        assertArrayEquals(pattern(0, 310), readAll(w, 0, 310));
    }

    // ---------------------------------------------------------------- append and write

    @Test
    public void appendReturnsThePositionOfItsFirstByte() throws IOException {
        IoFile f = open("a.log", OpenMode.READ_WRITE);
        assertEquals(0, f.append(ByteBuffer.wrap(pattern(0, 10))));
        assertEquals(10, f.append(ByteBuffer.wrap(pattern(10, 1))));
        assertEquals(11, f.append(direct(pattern(11, 989))));
        assertEquals(1000, f.size());
        assertEquals(1000, f.append(ByteBuffer.allocate(0)), "an empty append returns the end");
        assertEquals(1000, f.size());
        assertArrayEquals(pattern(0, 1000), readAll(f, 0, 1000));
    }

    @Test
    public void gatheringAppendWritesEveryBufferInOrder() throws IOException {
        IoFile f = open("g.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 5)));
        // heap and direct buffers, with non-zero positions, limits below capacity, an empty one, a slice
        ByteBuffer heap = ByteBuffer.allocate(64);
        heap.position(7).put(pattern(5, 20)).flip().position(7);
        ByteBuffer dir1 = ByteBuffer.allocateDirect(50);
        dir1.position(3).put(pattern(25, 30)).flip().position(3);
        ByteBuffer empty = ByteBuffer.allocate(8).position(8);
        ByteBuffer slice = ByteBuffer.wrap(concat(new byte[11], pattern(55, 45))).position(11).slice();
        long p = f.append(heap, dir1, empty, slice);
        assertEquals(5, p);
        assertEquals(100, f.size());
        for (ByteBuffer b : List.of(heap, dir1, empty, slice)) {
            assertFalse(b.hasRemaining(), "append must consume every buffer");
        }
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100));
    }

    @Test
    public void gatheringAppendOfManyAndLargeBuffers() throws IOException {
        IoFile f = open("big.log", OpenMode.READ_WRITE);
        // more buffers than one writev takes (IOV_MAX is 1024 on Linux), and several MiB in total
        ByteBuffer[] many = new ByteBuffer[1500];
        long pos = 0;
        for (int i = 0; i < many.length; i++) {
            int len = 1 + i % 37;
            many[i] = i % 2 == 0 ? ByteBuffer.wrap(pattern(pos, len)) : direct(pattern(pos, len));
            pos += len;
        }
        assertEquals(0, f.append(many));
        ByteBuffer large = direct(pattern(pos, 3 << 20));
        ByteBuffer large2 = ByteBuffer.wrap(pattern(pos + (3 << 20), 2 << 20));
        assertEquals(pos, f.append(large, large2));
        long total = pos + (5 << 20);
        assertEquals(total, f.size());
        assertArrayEquals(pattern(0, (int) total), readAll(f, 0, (int) total));
    }

    @Test
    public void positionalWriteOverwritesAndExtends() throws IOException {
        IoFile f = open("w.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        f.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 10);
        assertEquals(100, f.size(), "a write inside the file does not change its size");
        byte[] expected = pattern(0, 100);
        expected[10] = expected[11] = expected[12] = 9;
        assertArrayEquals(expected, readAll(f, 0, 100));

        ByteBuffer beyond = direct(pattern(150, 50));
        f.write(beyond, 150);
        assertFalse(beyond.hasRemaining());
        assertEquals(200, f.size(), "a write past the end extends the file");
        assertArrayEquals(new byte[50], readAll(f, 100, 50), "the gap reads as zeros");
        assertArrayEquals(pattern(150, 50), readAll(f, 150, 50));
        assertEquals(200, f.append(ByteBuffer.wrap(pattern(200, 5))), "the next append lands at the new end");
        assertEquals(205, f.size());
    }

    // ---------------------------------------------------------------- read

    @Test
    public void readsAtPositionsShortAtTheEndAndMinusOnePastIt() throws IOException {
        IoFile f = open("r.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 1000)));

        ByteBuffer heap = ByteBuffer.allocate(120).position(20);
        int n = f.read(heap, 500);
        assertTrue(n > 0 && n <= 100, "read returned " + n);
        assertArrayEquals(pattern(500, n), Arrays.copyOfRange(heap.array(), 20, 20 + n));
        assertEquals(20 + n, heap.position());

        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        n = f.read(direct, 990);
        assertEquals(10, n, "a read at the end returns what is left");
        assertArrayEquals(pattern(990, 10), bytes(direct.flip()));

        assertEquals(-1, f.read(ByteBuffer.allocate(10), 1000), "at the end");
        assertEquals(-1, f.read(ByteBuffer.allocate(10), 5000), "past the end");
        ByteBuffer untouched = ByteBuffer.allocate(10);
        f.read(untouched, 5000);
        assertEquals(0, untouched.position());
    }

    @Test
    public void readFullyFillsOrThrowsEofNamingTheFile() throws IOException {
        IoFile f = open("rf.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        ByteBuffer dst = ByteBuffer.allocateDirect(60);
        f.readFully(dst, 40);
        assertFalse(dst.hasRemaining());
        assertArrayEquals(pattern(40, 60), bytes(dst.flip()));

        EOFException e = assertThrows(EOFException.class, () -> f.readFully(ByteBuffer.allocate(20), 90));
        assertTrue(e.getMessage() != null && e.getMessage().contains("rf.log"),
                "the EOFException must name the file: " + e.getMessage());
    }

    // ---------------------------------------------------------------- transferTo

    @Test
    public void transferToCopiesTheBytesAndIsShortOnlyAtEof() throws IOException {
        IoFile f = open("t.log", OpenMode.READ_WRITE);
        int size = (2 << 20) + 123;
        f.append(direct(pattern(0, size)));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel ch = Channels.newChannel(out)) {
            assertEquals(1000, f.transferTo(100, 1000, ch));
            assertArrayEquals(pattern(100, 1000), out.toByteArray());
            out.reset();
            assertEquals(50, f.transferTo(size - 50, 500, ch), "short only at end of file");
            assertArrayEquals(pattern(size - 50, 50), out.toByteArray());
            assertEquals(0, f.transferTo(size, 10, ch), "nothing at end of file");
            assertEquals(0, f.transferTo(size + 10, 10, ch), "nothing past the end");
        }

        Path copy = dir.resolve("copy.bin");
        try (FileChannel target = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertEquals(size, f.transferTo(0, size, target));
        }
        assertArrayEquals(pattern(0, size), Files.readAllBytes(copy));
    }

    @Test
    public void transferToLoopsOverATargetTakingLittlePerCall() throws IOException {
        IoFile f = open("t2.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100_000)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel stingy = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = Math.min(src.remaining(), 777);
                byte[] b = new byte[n];
                src.get(b);
                out.write(b, 0, n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        assertEquals(90_000, f.transferTo(5_000, 90_000, stingy));
        assertArrayEquals(pattern(5_000, 90_000), out.toByteArray());
    }

    // ---------------------------------------------------------------- truncate, sync, close

    @Test
    public void truncateShrinksAndMovesTheAppendPosition() throws IOException {
        IoFile f = open("tr.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 500)));
        f.truncate(200);
        assertEquals(200, f.size());
        assertEquals(200, Files.size(dir.resolve("tr.log")));
        assertEquals(-1, f.read(ByteBuffer.allocate(10), 200));
        assertEquals(200, f.append(ByteBuffer.wrap(pattern(200, 50))), "the next append lands at the new end");
        assertArrayEquals(pattern(0, 250), readAll(f, 0, 250));

        f.truncate(10_000);
        assertEquals(250, f.size(), "truncating to a larger size is a no-op");
        assertEquals(250, Files.size(dir.resolve("tr.log")));
        f.truncate(250);
        assertEquals(250, f.size());
        f.truncate(0);
        assertEquals(0, f.size());
        assertEquals(0, f.append(ByteBuffer.wrap(pattern(0, 3))));
    }

    @Test
    public void preallocationIsInvisible() throws IOException {
        IoFile f = open("pre.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 300)));
        boolean reserved = f.preallocate(1 << 20);
        assertEquals(300, f.size(), "preallocate must not change the size (reserved: " + reserved + ")");
        assertEquals(300, Files.size(dir.resolve("pre.log")));
        assertEquals(-1, f.read(ByteBuffer.allocate(10), 300), "nothing readable past the end");
        f.preallocate(100); // below the end: nothing to do
        assertEquals(300, f.size());
        assertEquals(300, f.append(ByteBuffer.wrap(pattern(300, 5000))), "appends land at the end, inside the reservation");
        f.truncate(f.size());
        assertEquals(5300, f.size(), "truncate to the size cuts nothing");
        assertArrayEquals(pattern(0, 5300), readAll(f, 0, 5300));
        f.preallocate(2 << 20);
        f.sync(false);
        f.close();
        assertEquals(5300, Files.size(dir.resolve("pre.log")), "close keeps every byte and adds none");
        IoFile again = open("pre.log", OpenMode.READ_WRITE);
        assertEquals(5300, again.size());
        assertArrayEquals(pattern(0, 5300), readAll(again, 0, 5300));

        IoFile ro = open("pre.log", OpenMode.READ);
        try {
            assertFalse(ro.preallocate(1 << 20), "a read-only file reserves nothing");
        } catch (NonWritableChannelException expected) {
            // refusing is as good
        }
        assertEquals(5300, Files.size(dir.resolve("pre.log")));
    }

    @Test
    public void syncWithAndWithoutMetadata() throws IOException {
        IoFile f = open("s.log", OpenMode.READ_WRITE);
        f.sync(false);
        f.sync(true);
        f.append(ByteBuffer.wrap(pattern(0, 4096)));
        f.sync(false);
        f.append(direct(pattern(4096, 100)));
        f.sync(true);
        f.sync(true);
        assertEquals(4196, f.size());
        assertArrayEquals(pattern(0, 4196), Files.readAllBytes(dir.resolve("s.log")));
    }

    @Test
    public void closeIsIdempotentAndLaterOperationsFailNamingTheFile() throws IOException {
        IoFile f = open("c.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        f.close();
        f.close();
        List<IoOp> ops = List.of(
                () -> f.append(ByteBuffer.wrap(new byte[1])),
                () -> f.write(ByteBuffer.wrap(new byte[1]), 0),
                () -> f.read(ByteBuffer.allocate(1), 0),
                () -> f.transferTo(0, 1, Channels.newChannel(new ByteArrayOutputStream())),
                () -> f.sync(false),
                () -> f.truncate(0),
                () -> f.renameTo(dir.resolve("moved.log")));
        for (IoOp op : ops) {
            IOException e = assertThrows(IOException.class, op::run);
            assertTrue(e.getMessage() != null && e.getMessage().contains("c.log"),
                    "an operation on a closed file must fail naming it: " + e);
        }
        assertArrayEquals(pattern(0, 10), Files.readAllBytes(dir.resolve("c.log")));
        assertFalse(Files.exists(dir.resolve("moved.log")), "a closed file is not renamed");
    }

    // ---------------------------------------------------------------- rename

    @Test
    public void renameToMovesTheFileAndTheHandleFollowsIt() throws IOException {
        IoFile f = open("00000000000000000000.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        Path target = dir.resolve("00000000000000000000.log.deleted");
        f.renameTo(target);
        assertEquals(target, f.path(), "path() after renameTo");
        assertFalse(Files.exists(dir.resolve("00000000000000000000.log")), "the old name is gone");
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100), "reads go on after the rename");
        assertEquals(100, f.append(ByteBuffer.wrap(pattern(100, 50))));
        f.sync(false);
        f.truncate(120);
        assertEquals(120, f.size());
        assertArrayEquals(pattern(0, 120), Files.readAllBytes(target), "appends and truncation went to the renamed file");
        f.renameTo(dir.resolve("again.log"));
        assertEquals(dir.resolve("again.log"), f.path());
        assertArrayEquals(pattern(0, 120), readAll(f, 0, 120));
    }

    @Test
    public void renameToOfAReadOnlyFile() throws IOException {
        Files.write(dir.resolve("sealed.log"), pattern(0, 64));
        IoFile f = open("sealed.log", OpenMode.READ);
        Path target = dir.resolve("sealed.log.deleted");
        f.renameTo(target);
        assertEquals(target, f.path());
        assertEquals(64, f.size());
        assertArrayEquals(pattern(0, 64), readAll(f, 0, 64));
        assertArrayEquals(pattern(0, 64), Files.readAllBytes(target));
    }

    @Test
    public void renameToOntoAnExistingFileMovesNothing() throws IOException {
        IoFile f = open("a.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        Files.write(dir.resolve("b.log"), pattern(50, 5));
        assertThrows(FileAlreadyExistsException.class, () -> f.renameTo(dir.resolve("b.log")));
        assertEquals(dir.resolve("a.log"), f.path());
        assertArrayEquals(pattern(50, 5), Files.readAllBytes(dir.resolve("b.log")), "the existing file is untouched");
        f.append(ByteBuffer.wrap(pattern(10, 10)));
        assertArrayEquals(pattern(0, 20), Files.readAllBytes(dir.resolve("a.log")), "the handle stays usable");
    }

    // ---------------------------------------------------------------- batches

    @Test
    public void batchRunsMixedOpsInOrderWithStats() throws IOException {
        IoFile a = open("ba.log", OpenMode.READ_WRITE);
        IoFile b = open("bb.log", OpenMode.READ_WRITE);
        b.append(ByteBuffer.wrap(pattern(0, 10)));

        ByteBuffer readA = ByteBuffer.allocate(30);
        ByteBuffer readB = ByteBuffer.allocateDirect(100).position(5);
        ByteBuffer pastEnd = ByteBuffer.allocate(8);
        IoBatch batch = IoBatch.builder()
                .append(a, ByteBuffer.wrap(pattern(0, 10)))
                .append(a, direct(pattern(10, 10)))
                .append(a, ByteBuffer.wrap(pattern(20, 5)))
                .write(b, 10, ByteBuffer.wrap(pattern(10, 20)))
                .read(a, 0, readA)              // sees all three appends: 25 of 30 bytes
                .sync(a, false)
                .append(b, ByteBuffer.wrap(pattern(30, 6)))
                .read(b, 1, readB)              // 35 bytes, short at the end
                .read(b, 500, pastEnd)          // nothing
                .sync(b, true)
                .build();
        BatchStats stats = backend().execute(batch);

        assertEquals(new BatchStats(10, 5, 3, 2, 10 + 10 + 5 + 20 + 6, 25 + 35), stats);
        assertEquals(25, a.size());
        assertEquals(36, b.size());
        assertArrayEquals(pattern(0, 25), Arrays.copyOf(readA.array(), 25));
        assertEquals(25, readA.position());
        assertEquals(40, readB.position());
        assertArrayEquals(pattern(1, 35), bytes(readB.flip().position(5)));
        assertEquals(0, pastEnd.position());
        assertArrayEquals(pattern(0, 36), Files.readAllBytes(dir.resolve("bb.log")));
    }

    @Test
    public void batchKeepsOrderBetweenAppendsAndWritesToOneFile() throws IOException {
        IoFile f = open("order.log", OpenMode.READ_WRITE);
        ByteBuffer same = ByteBuffer.wrap(new byte[] {'x', 'y'});
        IoBatch batch = IoBatch.builder()
                .append(f, ByteBuffer.wrap(new byte[] {'a', 'a', 'a', 'a'}))
                .write(f, 1, ByteBuffer.wrap(new byte[] {'b', 'b'}))
                .append(f, ByteBuffer.wrap(new byte[] {'c', 'c'}))
                .append(f, same)
                .append(f, same)                // already consumed: appends nothing
                .append(f, ByteBuffer.allocate(0))
                .append(f, ByteBuffer.wrap(new byte[] {'d'}))
                .build();
        BatchStats stats = backend().execute(batch);
        assertEquals(new BatchStats(7, 7, 0, 0, 4 + 2 + 2 + 2 + 0 + 0 + 1, 0), stats);
        assertArrayEquals("abbaccxyd".getBytes(java.nio.charset.StandardCharsets.US_ASCII), readAll(f, 0, 9));
        assertEquals(9, f.size());
    }

    @Test
    public void batchOfManyAppendsToOneFile() throws IOException {
        IoFile f = open("many.log", OpenMode.READ_WRITE);
        IoBatch.Builder builder = IoBatch.builder();
        long pos = 0;
        for (int i = 0; i < 2000; i++) {
            int len = i % 13;
            builder.append(f, i % 3 == 0 ? direct(pattern(pos, len)) : ByteBuffer.wrap(pattern(pos, len)));
            pos += len;
        }
        BatchStats stats = backend().execute(builder.sync(f, false).build());
        assertEquals(new BatchStats(2001, 2000, 0, 1, pos, 0), stats);
        assertEquals(pos, f.size());
        assertArrayEquals(pattern(0, (int) pos), readAll(f, 0, (int) pos));
    }

    @Test
    public void emptyBatch() throws IOException {
        assertEquals(new BatchStats(0, 0, 0, 0, 0, 0), backend().execute(IoBatch.builder().build()));
    }

    @Test
    public void batchStopsAtAnOpOnAClosedFileAfterApplyingTheOpsBefore() throws IOException {
        IoFile a = open("fa.log", OpenMode.READ_WRITE);
        IoFile closed = open("fc.log", OpenMode.READ_WRITE);
        closed.close();
        IoBatch batch = IoBatch.builder()
                .append(a, ByteBuffer.wrap(pattern(0, 10)))
                .append(a, ByteBuffer.wrap(pattern(10, 10)))
                .append(closed, ByteBuffer.wrap(pattern(0, 10)))
                .append(a, ByteBuffer.wrap(pattern(20, 10)))
                .build();
        assertThrows(IOException.class, () -> backend().execute(batch));
        assertEquals(20, a.size(), "the appends before the failing op took effect, the one after did not");
        assertArrayEquals(pattern(0, 20), Files.readAllBytes(dir.resolve("fa.log")));
        assertEquals(0, Files.size(dir.resolve("fc.log")));
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * One appender and several readers on the same file, for a bounded number of operations: every
     * byte a reader sees below the size it observed must be the byte written there. Readers use
     * read, readFully and transferTo.
     */
    @Test
    public void oneAppenderAndSeveralReaders() throws Exception {
        IoFile f = open("concurrent.log", OpenMode.READ_WRITE);
        int appends = 2000;
        int readers = 3;
        int maxReadsPerReader = 20_000;
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        try {
            Future<Long> writer = pool.submit(() -> {
                try {
                    SplittableRandom rnd = new SplittableRandom(42);
                    long pos = 0;
                    for (int i = 0; i < appends; i++) {
                        int parts = 1 + rnd.nextInt(3);
                        ByteBuffer[] srcs = new ByteBuffer[parts];
                        long start = pos;
                        for (int k = 0; k < parts; k++) {
                            int len = 1 + rnd.nextInt(400);
                            srcs[k] = rnd.nextBoolean() ? ByteBuffer.wrap(pattern(pos, len)) : direct(pattern(pos, len));
                            pos += len;
                        }
                        assertEquals(start, f.append(srcs), "append position");
                        if (i % 500 == 499) {
                            f.sync(false);
                        }
                    }
                    return pos;
                } finally {
                    done.set(true);
                }
            });
            List<Future<Integer>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int seed = r;
                readerResults.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    int reads = 0;
                    // until the appender is done (and at least a few reads), at most maxReadsPerReader
                    while ((!done.get() || reads < 100) && reads < maxReadsPerReader) {
                        long size = f.size();
                        if (size == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        long start = rnd.nextLong(size);
                        int len = (int) Math.min(1 + rnd.nextInt(4096), size - start);
                        byte[] got;
                        switch (reads % 3) {
                            case 0 -> {
                                ByteBuffer dst = ByteBuffer.allocate(len);
                                f.readFully(dst, start);
                                got = dst.array();
                            }
                            case 1 -> {
                                ByteBuffer dst = ByteBuffer.allocateDirect(len);
                                f.readFully(dst, start);
                                got = bytes(dst.flip());
                            }
                            default -> {
                                ByteArrayOutputStream out = new ByteArrayOutputStream(len);
                                long n = f.transferTo(start, len, Channels.newChannel(out));
                                assertEquals(len, n, "transferTo below the observed size must not be short");
                                got = out.toByteArray();
                            }
                        }
                        byte[] want = pattern(start, len);
                        if (!Arrays.equals(want, got)) {
                            int at = Arrays.mismatch(want, got);
                            fail("reader saw byte " + got[at] + " at position " + (start + at) + ", written was "
                                    + want[at] + " (observed size " + size + ")");
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            long total = writer.get();
            for (Future<Integer> r : readerResults) {
                r.get();
            }
            assertEquals(total, f.size());
            assertArrayEquals(pattern(0, (int) total), readAll(f, 0, (int) total));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Thread interrupts ({@code Future.cancel(true)}, {@code shutdownNow()}) are the application's
     * business and must not break a file for anyone else: the engine shares one open file between
     * its writer and many readers. A writer and a reader are interrupted over and over (by another
     * thread, and by themselves right before some calls) while two other readers read. Required:
     * the interrupted threads' operations complete or fail with an {@link IOException} and never
     * clear the interrupt flag; the other readers never fail; no reader sees a byte below the size
     * it observed that differs from what was written; every acknowledged append is intact at the
     * end; and the file works for everyone once the interrupts stop.
     */
    @Test
    public void interruptsDoNotBreakTheFileForOtherThreads() throws Exception {
        IoFile f = open("interrupts.log", OpenMode.READ_WRITE);
        int appends = 1500;
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> acknowledged = new ArrayList<>();
        CompletableFuture<Integer> writerFailures = new CompletableFuture<>();
        Thread writer = startThread(writerFailures, () -> {
            SplittableRandom rnd = new SplittableRandom(3);
            int failures = 0;
            for (int i = 0; i < appends; i++) {
                boolean self = i % 3 == 0;
                long at = f.size();
                ByteBuffer[] srcs = new ByteBuffer[1 + rnd.nextInt(3)];
                long len = 0;
                for (int k = 0; k < srcs.length; k++) {
                    int n = 1 + rnd.nextInt(500);
                    srcs[k] = rnd.nextBoolean() ? ByteBuffer.wrap(pattern(at + len, n)) : direct(pattern(at + len, n));
                    len += n;
                }
                if (self) {
                    Thread.currentThread().interrupt();
                }
                try {
                    assertEquals(at, f.append(srcs), "append position");
                    acknowledged.add(new long[] {at, len});
                    if (i % 100 == 99) {
                        f.sync(false);
                    }
                } catch (IOException e) {
                    failures++; // allowed for an interrupted thread; what was acknowledged must stay intact
                }
                if (self) {
                    assertTrue(Thread.currentThread().isInterrupted(), "an I/O call cleared the caller's interrupt flag");
                }
                Thread.interrupted();
            }
            return failures;
        });
        List<CompletableFuture<Integer>> reads = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            boolean interrupted = r == 0;
            int seed = r;
            CompletableFuture<Integer> done = new CompletableFuture<>();
            reads.add(done);
            readers.add(startThread(done, () -> readWhileInterrupted(f, seed, stop, interrupted)));
        }
        List<Thread> victims = List.of(writer, readers.get(0));
        Thread interrupter = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                victims.forEach(Thread::interrupt);
                LockSupport.parkNanos(100_000);
            }
        });
        try {
            writerFailures.get();
        } finally {
            stop.set(true);
            interrupter.join();
            writer.join();
            for (Thread t : readers) {
                t.join();
            }
        }
        for (CompletableFuture<Integer> done : reads) {
            done.get(); // the innocent readers (1 and 2) threw nothing
        }

        // the interrupts are over: the file works for everyone, and nothing acknowledged was lost
        long end = f.size();
        assertEquals(end, f.append(ByteBuffer.wrap(pattern(end, 100))), "append after the interrupts");
        f.sync(true);
        acknowledged.add(new long[] {end, 100});
        IoFile fresh = open("interrupts.log", OpenMode.READ);
        for (long[] a : acknowledged) {
            byte[] want = pattern(a[0], (int) a[1]);
            assertArrayEquals(want, readAll(f, a[0], (int) a[1]), "acknowledged append at " + a[0]);
            assertArrayEquals(want, readAll(fresh, a[0], (int) a[1]), "acknowledged append at " + a[0] + ", reopened");
        }
    }

    /**
     * Reads random ranges below the observed size until {@code stop} and checks every byte. An
     * {@code interrupted} reader may get an {@link IOException} (its target may even be closed by
     * the JDK during a {@code transferTo}); the others may not.
     */
    private static int readWhileInterrupted(IoFile f, int seed, AtomicBoolean stop, boolean interrupted)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int reads = 0;
        while (!stop.get()) {
            long size = f.size();
            if (size == 0) {
                Thread.onSpinWait();
                continue;
            }
            long start = rnd.nextLong(size);
            int len = (int) Math.min(1 + rnd.nextInt(2048), size - start);
            boolean self = interrupted && reads % 4 == 0;
            if (self) {
                Thread.currentThread().interrupt();
            }
            byte[] got;
            try {
                if (reads % 2 == 0) {
                    ByteBuffer dst = reads % 4 == 0 ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
                    f.readFully(dst, start);
                    got = bytes(dst.flip());
                } else {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(len);
                    assertEquals(len, f.transferTo(start, len, Channels.newChannel(out)),
                            "transferTo below the observed size must not be short");
                    got = out.toByteArray();
                }
            } catch (IOException e) {
                if (!interrupted) {
                    throw e;
                }
                got = null;
            }
            if (self) {
                assertTrue(Thread.currentThread().isInterrupted(), "an I/O call cleared the caller's interrupt flag");
            }
            if (got != null) {
                byte[] want = pattern(start, len);
                if (!Arrays.equals(want, got)) {
                    int at = Arrays.mismatch(want, got);
                    fail("reader saw byte " + got[at] + " at position " + (start + at) + ", written was " + want[at]
                            + " (observed size " + size + ")");
                }
            }
            reads++;
        }
        Thread.interrupted();
        return reads;
    }

    /** Runs {@code task} in a new platform thread that completes {@code result} with what it returns or throws. */
    private static <T> Thread startThread(CompletableFuture<T> result, Callable<T> task) {
        return Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    /** An I/O call that may throw, for lists of operations. */
    @FunctionalInterface
    protected interface IoOp {
        void run() throws IOException;
    }

    /**
     * The bytes the contract writes at file positions {@code [position, position + length)}: a
     * function of the position, so that any read can be checked without remembering what was written.
     */
    public static byte[] pattern(long position, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            long p = position + i;
            b[i] = (byte) ((p * 0x9E3779B97F4A7C15L) >>> 56 ^ p);
        }
        return b;
    }

    /** A direct buffer holding {@code bytes}, position 0. */
    public static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** The remaining bytes of {@code b} (consumed). */
    public static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Reads exactly {@code length} bytes at {@code position} with {@link IoFile#readFully}. */
    public static byte[] readAll(IoFile f, long position, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        f.readFully(dst, position);
        return dst.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
