package io.rivven.io.nio;

import static io.rivven.testkit.IoBackendContract.bytes;
import static io.rivven.testkit.IoBackendContract.direct;
import static io.rivven.testkit.IoBackendContract.pattern;
import static io.rivven.testkit.IoBackendContract.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.io.BatchStats;
import io.rivven.api.io.IoBatch;
import io.rivven.api.io.OpenMode;
import io.rivven.io.nio.InterruptingChannel.Mode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thread interrupts against {@link NioFile}: an interrupted thread's operation completes and keeps
 * its interrupt flag; a channel closed by an interrupt (of this thread or another) is reopened and
 * the operation redone exactly, also after {@link NioFile#renameTo}; a file renamed behind its back or
 * replaced meanwhile is refused; close still closes.
 * {@link InterruptingChannel} makes interrupts land mid-operation deterministically; the last test
 * uses real interrupts from another thread.
 */
class NioFileInterruptTest {

    @TempDir
    Path dir;
    private final NioBackend backend = new NioBackend(-1); // reads through the channel, which these tests break
    private final List<NioFile> files = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        Thread.interrupted();
        for (NioFile f : files) {
            f.close();
        }
    }

    private NioFile open(String name, OpenMode mode) throws IOException {
        NioFile f = (NioFile) backend.open(dir.resolve(name), mode);
        files.add(f);
        return f;
    }

    /** A file whose channels (the first and every reopened one) strike while {@code strikes} lasts. */
    private NioFile striking(String name, OpenMode mode, Mode how, AtomicInteger strikes) throws IOException {
        Path p = dir.resolve(name);
        if (Files.notExists(p)) {
            Files.createFile(p);
        }
        ReopenableChannel.Opener opener = InterruptingChannel.opener(how, strikes);
        NioFile f = new NioFile(p, opener.reopen(p, mode), mode, false, opener);
        files.add(f);
        return f;
    }

    /** Closes {@code ch} exactly as a thread interrupted while using it does: from another thread, through the JDK. */
    static void closeLikeAnInterruptedThread(FileChannel ch) throws InterruptedException {
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                ch.size();
            } catch (IOException expected) {
                // ClosedByInterruptException: the channel is closed now
            }
        });
        t.start();
        t.join();
        assertFalse(ch.isOpen(), "the interrupted thread's call should have closed the channel");
    }

    /** Asserts this thread's interrupt flag is set, and clears it. */
    private static void assertInterruptKept(String after) {
        assertTrue(Thread.interrupted(), "the interrupt flag must survive " + after);
    }

    // ---------------------------------------------------------------- interrupted before the call

    @Test
    void everyOperationOfAnInterruptedThreadCompletesAndKeepsTheFlag() throws IOException {
        NioFile f = open("before.log", OpenMode.READ_WRITE);
        Thread.currentThread().interrupt();
        assertEquals(0, f.append(ByteBuffer.wrap(pattern(0, 100))));
        assertInterruptKept("append");
        Thread.currentThread().interrupt();
        assertEquals(100, f.append(ByteBuffer.wrap(pattern(100, 50)), direct(pattern(150, 50))));
        assertInterruptKept("a gathering append");
        Thread.currentThread().interrupt();
        f.write(ByteBuffer.wrap(pattern(200, 56)), 200);
        assertInterruptKept("write");
        Thread.currentThread().interrupt();
        f.sync(false);
        assertInterruptKept("sync");
        Thread.currentThread().interrupt();
        ByteBuffer dst = ByteBuffer.allocate(256);
        f.readFully(dst, 0);
        assertInterruptKept("readFully");
        assertArrayEquals(pattern(0, 256), dst.array());
        Thread.currentThread().interrupt();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(256, f.transferTo(0, 256, Channels.newChannel(out)));
        assertInterruptKept("transferTo");
        assertArrayEquals(pattern(0, 256), out.toByteArray());
        Thread.currentThread().interrupt();
        f.truncate(250);
        assertInterruptKept("truncate");
        Thread.currentThread().interrupt();
        assertEquals(250, f.size());
        assertInterruptKept("size");

        NioFile r = open("before.log", OpenMode.READ);
        Thread.currentThread().interrupt();
        assertEquals(250, r.size());
        assertInterruptKept("size of a READ file");
        Thread.currentThread().interrupt();
        assertArrayEquals(pattern(0, 250), readAll(r, 0, 250));
        assertInterruptKept("read of a READ file");

        assertEquals(0, f.reopens() + r.reopens(), "an interrupt before the call must not close the channel");
        assertTrue(f.currentChannel().isOpen() && r.currentChannel().isOpen());
        assertArrayEquals(pattern(0, 250), Files.readAllBytes(dir.resolve("before.log")));
    }

    // ---------------------------------------------------------------- interrupted during the call

    @ParameterizedTest
    @EnumSource(OpenMode.class)
    void anInterruptDuringAReadIsAbsorbedAndTheReadRedone(OpenMode mode) throws IOException {
        Files.write(dir.resolve("r.log"), pattern(0, 1000));
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("r.log", mode, Mode.SELF, strikes);
        ByteBuffer dst = ByteBuffer.allocate(205).position(5);
        strikes.set(1);
        assertEquals(200, f.read(dst, 10));
        assertInterruptKept("a read cut short by it");
        assertEquals(205, dst.position());
        assertArrayEquals(pattern(10, 200), Arrays.copyOfRange(dst.array(), 5, 205));
        assertEquals(1, f.reopens());

        strikes.set(1);
        assertEquals(1000, f.size());
        if (mode == OpenMode.READ) { // a READ file asks its channel for the size, a READ_WRITE file knows it
            assertInterruptKept("size");
            assertEquals(2, f.reopens());
        } else {
            assertFalse(Thread.interrupted());
            assertEquals(1, f.reopens());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void writesCutShortByAnInterruptAreRedoneExactly(Mode how) throws IOException {
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("w.log", OpenMode.READ_WRITE, how, strikes);
        int reopens = 0;

        strikes.set(1);
        assertEquals(0, f.append(ByteBuffer.wrap(pattern(0, 300))));
        assertEquals(how == Mode.SELF, Thread.interrupted(), "the flag is this thread's only if it was interrupted");
        assertEquals(++reopens, f.reopens());

        ByteBuffer heap = ByteBuffer.allocate(120).position(20);
        heap.put(pattern(300, 100)).flip().position(20);
        ByteBuffer dir1 = direct(pattern(400, 77));
        ByteBuffer last = ByteBuffer.wrap(pattern(477, 23));
        strikes.set(1);
        assertEquals(300, f.append(heap, dir1, last));
        assertEquals(how == Mode.SELF, Thread.interrupted());
        assertFalse(heap.hasRemaining() || dir1.hasRemaining() || last.hasRemaining(), "every buffer consumed");
        assertEquals(++reopens, f.reopens());

        byte[] expected = pattern(0, 500);
        byte[] patch = pattern(9_999, 64);
        System.arraycopy(patch, 0, expected, 100, 64);
        strikes.set(1);
        f.write(direct(patch), 100);
        assertEquals(how == Mode.SELF, Thread.interrupted());
        assertEquals(++reopens, f.reopens());

        strikes.set(1);
        f.truncate(450);
        assertEquals(how == Mode.SELF, Thread.interrupted());
        reopens = f.reopens(); // truncate asks for the size first: one strike, one reopen, either way

        assertEquals(450, f.append(ByteBuffer.wrap(pattern(450, 10)), ByteBuffer.wrap(pattern(460, 10))),
                "a gathering append after a reopen seeks the new channel");
        System.arraycopy(pattern(450, 20), 0, expected, 450, 20);
        assertEquals(470, f.size());
        assertArrayEquals(Arrays.copyOf(expected, 470), Files.readAllBytes(dir.resolve("w.log")));
        assertEquals(reopens, f.reopens());
    }

    @Test
    void batchedAppendsCutShortAreRedoneExactly() throws IOException {
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("batch.log", OpenMode.READ_WRITE, Mode.SELF, strikes);
        strikes.set(1);
        IoBatch batch = IoBatch.builder()
                .append(f, ByteBuffer.wrap(pattern(0, 10)))
                .append(f, direct(pattern(10, 20)))
                .append(f, ByteBuffer.wrap(pattern(30, 30)))
                .sync(f, false)
                .build();
        assertEquals(new BatchStats(4, 3, 0, 1, 60, 0), backend.execute(batch));
        assertInterruptKept("a batch");
        assertEquals(60, f.size());
        assertArrayEquals(pattern(0, 60), Files.readAllBytes(dir.resolve("batch.log")));
        assertEquals(1, f.reopens());
    }

    @Test
    void writerSeeksAfterAnotherThreadReopenedTheChannel() throws Exception {
        NioFile f = open("seek.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 40)), ByteBuffer.wrap(pattern(40, 60)));
        closeLikeAnInterruptedThread(f.currentChannel());
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100)); // a reader reopens: the new channel is at 0
        assertEquals(1, f.reopens());
        assertEquals(100, f.append(ByteBuffer.wrap(pattern(100, 5)), direct(pattern(105, 5))));
        assertArrayEquals(pattern(0, 110), Files.readAllBytes(dir.resolve("seek.log")));
        assertFalse(Thread.currentThread().isInterrupted(), "another thread's interrupt is not this thread's");
    }

    @Test
    void everyOperationSurvivesAChannelClosedByAnotherThreadsInterrupt() throws Exception {
        NioFile f = open("other.log", OpenMode.READ_WRITE);
        NioFile r = open("other.log", OpenMode.READ);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        List<IoStep> steps = List.of(
                () -> assertEquals(100, r.size()),
                () -> assertArrayEquals(pattern(0, 100), readAll(r, 0, 100)),
                () -> assertArrayEquals(pattern(0, 100), readAll(f, 0, 100)),
                () -> assertEquals(100, f.append(ByteBuffer.wrap(pattern(100, 10)))),
                () -> assertEquals(110, f.append(ByteBuffer.wrap(pattern(110, 10)), direct(pattern(120, 10)))),
                () -> f.write(ByteBuffer.wrap(pattern(130, 10)), 130),
                () -> f.sync(true),
                () -> f.truncate(135),
                () -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    assertEquals(135, f.transferTo(0, 1000, Channels.newChannel(out)));
                    assertArrayEquals(pattern(0, 135), out.toByteArray());
                });
        int reopens = 0;
        for (IoStep step : steps) {
            closeLikeAnInterruptedThread(f.currentChannel());
            closeLikeAnInterruptedThread(r.currentChannel());
            step.run();
            // the step reopened the file it used; reopen the other one too before the next round
            readAll(f, 0, 1);
            readAll(r, 0, 1);
            reopens += 2;
            assertEquals(reopens, f.reopens() + r.reopens());
        }
        assertArrayEquals(pattern(0, 135), Files.readAllBytes(dir.resolve("other.log")));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void transferToResumesWhenAnotherThreadsInterruptClosedTheSource() throws IOException {
        Files.write(dir.resolve("t.log"), pattern(0, 5000));
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("t.log", OpenMode.READ, Mode.OTHER, strikes);
        strikes.set(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        assertEquals(4000, f.transferTo(1000, 4000, target));
        assertArrayEquals(pattern(1000, 4000), out.toByteArray());
        assertTrue(target.isOpen(), "the caller's target is not touched");
        assertEquals(1, f.reopens());
    }

    @Test
    void transferToOfAThreadInterruptedDuringItReportsTheClosedTargetAndTheFileStaysUsable() throws IOException {
        Files.write(dir.resolve("t2.log"), pattern(0, 5000));
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("t2.log", OpenMode.READ, Mode.SELF, strikes);
        strikes.set(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        IOException e = assertThrows(IOException.class, () -> f.transferTo(0, 4000, target));
        assertInterruptKept("a transfer cut short by it");
        assertTrue(e.getMessage().contains("t2.log") && e.getMessage().contains("target channel is closed")
                && e.getMessage().contains("interrupted"), e.getMessage());
        assertFalse(target.isOpen());
        byte[] got = out.toByteArray();
        assertArrayEquals(pattern(0, got.length), got, "what reached the target is the file's bytes");

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(4000, f.transferTo(0, 4000, Channels.newChannel(again)), "the file itself is fine");
        assertArrayEquals(pattern(0, 4000), again.toByteArray());
    }

    // ---------------------------------------------------------------- limits

    @Test
    void aFileRenamedThroughRenameToIsReopenedAtItsNewPath() throws Exception {
        NioFile f = open("00000000000000000000.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        Path moved = dir.resolve("00000000000000000000.log.deleted");
        f.renameTo(moved);

        closeLikeAnInterruptedThread(f.currentChannel());
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100), "the reopen follows the rename");
        assertEquals(1, f.reopens());
        f.append(ByteBuffer.wrap(pattern(100, 20)));
        Thread.currentThread().interrupt();
        f.sync(false); // the sync handle, opened now, by the new path: not interruptible
        assertInterruptKept("a sync through the handle opened after the rename");
        assertArrayEquals(pattern(0, 120), Files.readAllBytes(moved));
        assertFalse(Files.exists(dir.resolve("00000000000000000000.log")), "a reopen never creates the old name");
    }

    @Test
    void renameToRefusesAPathThatNamesAnotherFileNow() throws Exception {
        NioFile f = open("x.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        Files.move(dir.resolve("x.log"), dir.resolve("x.log.old"));
        Files.write(dir.resolve("x.log"), pattern(50, 7)); // another file under the name
        IOException e = assertThrows(IOException.class, () -> f.renameTo(dir.resolve("z.log")));
        assertTrue(e.getMessage().contains("x.log") && e.getMessage().contains("replaced")
                && e.getMessage().contains("nothing was moved"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("z.log")));
        assertArrayEquals(pattern(50, 7), Files.readAllBytes(dir.resolve("x.log")), "the other file stays where it is");
    }

    @Test
    void aFileRenamedBehindItsBackIsNotReopened() throws Exception {
        NioFile f = open("00000000000000000000.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        Path moved = dir.resolve("00000000000000000000.log.deleted");
        Files.move(dir.resolve("00000000000000000000.log"), moved);
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100), "an open channel reads a renamed file");

        closeLikeAnInterruptedThread(f.currentChannel());
        ByteBuffer dst = ByteBuffer.allocate(10);
        IOException e = assertThrows(IOException.class, () -> f.read(dst, 0));
        assertTrue(e.getMessage().contains(dir.resolve("00000000000000000000.log").toAbsolutePath().toString())
                && e.getMessage().contains("interrupt") && e.getMessage().contains("deleted or renamed"), e.getMessage());
        assertEquals(0, dst.position(), "nothing was read");
        IOException append = assertThrows(IOException.class, () -> f.append(ByteBuffer.wrap(new byte[5])));
        assertTrue(append.getMessage().contains("deleted or renamed"), append.getMessage());
        assertEquals(100, f.size());
        assertFalse(Files.exists(dir.resolve("00000000000000000000.log")), "a reopen never creates the file");
        assertArrayEquals(pattern(0, 100), Files.readAllBytes(moved));
    }

    @Test
    void aFileReplacedMeanwhileIsRefused() throws Exception {
        Path p = dir.resolve("swap.log");
        Files.write(p, pattern(0, 100));
        NioFile r = open("swap.log", OpenMode.READ);
        NioFile w = open("swap.log", OpenMode.READ_WRITE);
        Files.move(p, dir.resolve("swap.log.old"));
        byte[] other = new byte[100];
        Arrays.fill(other, (byte) 7);
        Files.write(p, other);

        closeLikeAnInterruptedThread(r.currentChannel());
        closeLikeAnInterruptedThread(w.currentChannel());
        ByteBuffer dst = ByteBuffer.allocate(50);
        IOException e = assertThrows(IOException.class, () -> r.read(dst, 0));
        assertTrue(e.getMessage().contains("swap.log") && e.getMessage().contains("replaced"), e.getMessage());
        assertEquals(0, dst.position(), "no byte of the other file");
        assertThrows(IOException.class, () -> w.append(ByteBuffer.wrap(pattern(100, 10))));
        assertThrows(IOException.class, () -> w.write(ByteBuffer.wrap(pattern(0, 10)), 0));
        assertArrayEquals(other, Files.readAllBytes(p), "the other file was not written to");
        assertEquals(0, r.reopens() + w.reopens());
    }

    @Test
    void closeStillClosesAndNothingReopens() throws IOException {
        NioFile f = open("close.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        f.sync(false);
        FileChannel ch = f.currentChannel();
        f.close();
        assertFalse(ch.isOpen());
        for (IoStep step : List.<IoStep>of(
                () -> f.read(ByteBuffer.allocate(1), 0),
                () -> f.append(ByteBuffer.wrap(new byte[1])),
                () -> f.append(ByteBuffer.wrap(new byte[1]), ByteBuffer.wrap(new byte[1])),
                () -> f.sync(false),
                () -> f.truncate(0),
                () -> f.transferTo(0, 1, Channels.newChannel(new ByteArrayOutputStream())))) {
            ClosedChannelException e = assertThrows(ClosedChannelException.class, step::run);
            assertTrue(e.getMessage().contains("close.log") && e.getMessage().contains("closed"), e.getMessage());
        }
        assertEquals(0, f.reopens());
        assertFalse(f.currentChannel().isOpen());
    }

    @Test
    void tooManyClosesInOneOperationFailClearlyAndTheFileRecovers() throws IOException {
        Files.write(dir.resolve("storm.log"), pattern(0, 100));
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("storm.log", OpenMode.READ, Mode.SELF, strikes);
        strikes.set(ReopenableChannel.MAX_OWN_CLOSES + 3);
        ByteBuffer dst = ByteBuffer.allocate(10);
        IOException e = assertThrows(IOException.class, () -> f.read(dst, 0));
        assertInterruptKept("a read that gave up");
        assertTrue(e.getMessage().contains("storm.log") && e.getMessage().contains("giving up"), e.getMessage());
        assertEquals(2, strikes.get());
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100), "the next call absorbs the two strikes left");
        assertInterruptKept("the next read");
    }

    @Test
    void closesByOtherThreadsGetALargerBudgetThanOnesOwnInterrupts() throws IOException {
        Files.write(dir.resolve("others.log"), pattern(0, 100));
        AtomicInteger strikes = new AtomicInteger();
        NioFile f = striking("others.log", OpenMode.READ, Mode.OTHER, strikes);
        strikes.set(ReopenableChannel.MAX_OWN_CLOSES * 4);
        assertArrayEquals(pattern(0, 100), readAll(f, 0, 100), "an innocent thread outlasts many closes");
        assertFalse(Thread.currentThread().isInterrupted());
        assertEquals(ReopenableChannel.MAX_OWN_CLOSES * 4, f.reopens());

        strikes.set(ReopenableChannel.MAX_CLOSES + 1);
        IOException e = assertThrows(IOException.class, () -> f.read(ByteBuffer.allocate(10), 0));
        assertTrue(e.getMessage().contains("giving up"), e.getMessage());
    }

    // ---------------------------------------------------------------- sync

    @Test
    void syncGoesThroughTheSecondHandleNotTheChannel() throws IOException {
        Path p = dir.resolve("handle.log");
        FaultyChannel ch = new FaultyChannel(FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), Integer.MAX_VALUE, Long.MAX_VALUE, true);
        NioFile f = new NioFile(p, ch, OpenMode.READ_WRITE, true);
        files.add(f);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        Thread.currentThread().interrupt();
        f.sync(false);
        f.sync(true);
        assertInterruptKept("sync");
        assertEquals(0, ch.forceCalls, "the channel's force is not used while the sync handle is there");
        assertFalse(f.directorySyncPending());
    }

    @Test
    void failedFsyncSurfacesOnceNamingTheFile() throws IOException {
        AtomicInteger fsyncs = new AtomicInteger();
        ReopenableChannel.Opener failing = new ReopenableChannel.Opener() {
            @Override
            ReopenableChannel.SyncHandle openSyncHandle(Path path, OpenMode mode) {
                return new ReopenableChannel.SyncHandle() {
                    @Override
                    public void force(boolean metadata) throws IOException {
                        fsyncs.incrementAndGet();
                        throw new IOException("injected: Input/output error");
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        Path p = dir.resolve("fsync.log");
        NioFile f = new NioFile(p, FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), OpenMode.READ_WRITE, true, failing);
        files.add(f);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        for (boolean metadata : new boolean[] {false, true}) {
            int before = fsyncs.get();
            IOException e = assertThrows(IOException.class, () -> f.sync(metadata));
            assertEquals(before + 1, fsyncs.get(), "a failed sync must not be retried");
            assertTrue(e.getMessage().contains("fsync.log") && e.getMessage().contains(metadata ? "fsync" : "fdatasync")
                    && e.getMessage().contains("do not retry"), e.getMessage());
            assertEquals("injected: Input/output error", e.getCause().getMessage());
        }
        assertTrue(f.directorySyncPending(), "no directory sync after a failed file sync");
    }

    @Test
    void withoutASyncHandleAFailedForceSurfacesOnce() throws IOException {
        Path p = dir.resolve("force.log");
        FaultyChannel ch = new FaultyChannel(FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), Integer.MAX_VALUE, Long.MAX_VALUE, true);
        NioFile f = new NioFile(p, ch, OpenMode.READ_WRITE, false, noSyncHandle(ReopenableChannel.Opener.DEFAULT));
        files.add(f);
        for (boolean metadata : new boolean[] {false, true}) {
            int before = ch.forceCalls;
            IOException e = assertThrows(IOException.class, () -> f.sync(metadata));
            assertEquals(before + 1, ch.forceCalls, "a failed sync must not be retried");
            assertTrue(e.getMessage().contains("force.log") && e.getMessage().contains(metadata ? "fsync" : "fdatasync")
                    && e.getMessage().contains("do not retry"), e.getMessage());
        }
    }

    @Test
    void aFileRenamedBeforeItsFirstSyncSyncsThroughItsChannel() throws Exception {
        NioFile f = open("ren.log", OpenMode.READ_WRITE);
        f.append(ByteBuffer.wrap(pattern(0, 100)));
        Files.move(dir.resolve("ren.log"), dir.resolve("ren.log.deleted"));
        Thread.currentThread().interrupt();
        f.sync(false); // retention renamed it, the flusher still syncs it: no sync handle, the channel's force
        assertInterruptKept("sync through the channel");

        closeLikeAnInterruptedThread(f.currentChannel());
        IOException e = assertThrows(IOException.class, () -> f.sync(false));
        assertTrue(e.getMessage().contains("ren.log") && e.getMessage().contains("deleted or renamed"), e.getMessage());
    }

    @Test
    void withoutASyncHandleAForceCutShortByAnInterruptFailsTheSync() throws IOException {
        Path p = dir.resolve("cut.log");
        Files.createFile(p);
        AtomicInteger strikes = new AtomicInteger();
        ReopenableChannel.Opener opener = noSyncHandle(InterruptingChannel.opener(Mode.SELF, strikes));
        NioFile f = new NioFile(p, opener.reopen(p, OpenMode.READ_WRITE), OpenMode.READ_WRITE, false, opener);
        files.add(f);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        strikes.set(1);
        IOException e = assertThrows(IOException.class, () -> f.sync(false));
        assertInterruptKept("a sync cut short");
        assertTrue(e.getMessage().contains("cut.log") && e.getMessage().contains("result is unknown")
                && e.getMessage().contains("this platform has none"), e.getMessage());
        assertArrayEquals(pattern(0, 10), readAll(f, 0, 10), "the file itself is reopened for the next caller");
    }

    @Test
    void theDirectorySyncOfAnInterruptedThreadCompletes() throws IOException {
        NioFile f = open("new.log", OpenMode.READ_WRITE);
        assertTrue(f.directorySyncPending());
        f.append(ByteBuffer.wrap(pattern(0, 8)));
        Thread.currentThread().interrupt();
        f.sync(false);
        assertInterruptKept("the directory sync");
        assertFalse(f.directorySyncPending());
    }

    // ---------------------------------------------------------------- real interrupts

    /**
     * One writer and one reader are interrupted over and over by another thread while two readers
     * read: nobody's operation fails, every byte read is the byte written, and the interrupts did
     * close the channel (the test goes on until they have, a bounded number of times).
     */
    @Test
    void nothingFailsWhileThreadsAreInterruptedRepeatedly() throws Exception {
        NioFile f = open("stress.log", OpenMode.READ_WRITE);
        NioFile r = open("stress.log", OpenMode.READ);
        int appends = 3000;
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Long> written = new CompletableFuture<>();
        Thread writer = start(written, () -> {
            SplittableRandom rnd = new SplittableRandom(7);
            long pos = 0;
            for (int i = 0; i < appends; i++) {
                int parts = 1 + rnd.nextInt(3);
                ByteBuffer[] srcs = new ByteBuffer[parts];
                long start = pos;
                for (int k = 0; k < parts; k++) {
                    int len = 1 + rnd.nextInt(600);
                    srcs[k] = rnd.nextBoolean() ? ByteBuffer.wrap(pattern(pos, len)) : direct(pattern(pos, len));
                    pos += len;
                }
                assertEquals(start, f.append(srcs));
                if (i % 300 == 299) {
                    f.sync(false);
                }
            }
            return pos;
        });
        List<CompletableFuture<Integer>> reads = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            NioFile via = k == 1 ? r : f;
            int seed = k;
            CompletableFuture<Integer> done = new CompletableFuture<>();
            reads.add(done);
            readers.add(start(done, () -> readUntil(via, seed, stop, seed == 0)));
        }
        List<Thread> victims = List.of(writer, readers.get(0)); // readers 1 and 2 are never interrupted
        Thread interrupter = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                victims.forEach(Thread::interrupt);
                LockSupport.parkNanos(50_000);
            }
        });
        try {
            long total = written.get();
            for (int rounds = 0; f.reopens() + r.reopens() == 0 && rounds < 400; rounds++) {
                Thread.sleep(5); // bounded: the readers go on until an interrupt has landed inside a call
            }
            stop.set(true);
            int count = 0;
            for (CompletableFuture<Integer> done : reads) {
                count += done.get();
            }
            assertTrue(count > 0);
            assertTrue(f.reopens() + r.reopens() > 0, "no interrupt landed inside a call: the test proved nothing");
            assertEquals(total, f.size());
            assertArrayEquals(pattern(0, (int) total), Files.readAllBytes(dir.resolve("stress.log")));
        } finally {
            stop.set(true);
            interrupter.join();
            writer.join();
            for (Thread t : readers) {
                t.join();
            }
        }
    }

    /** Runs {@code task} in a new platform thread, completing {@code result} with what it returns or throws. */
    private static <T> Thread start(CompletableFuture<T> result, Callable<T> task) {
        return Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
    }

    /**
     * Reads random ranges below the observed size with read, readFully and transferTo until {@code stop}.
     * An {@code interrupted} reader's transfer may fail because the JDK closed its target (the only
     * failure an interrupted thread may see); it goes on with a new target.
     */
    private static int readUntil(NioFile f, int seed, AtomicBoolean stop, boolean interrupted) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int reads = 0;
        while (!stop.get()) {
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
                    WritableByteChannel target = Channels.newChannel(out);
                    try {
                        assertEquals(len, f.transferTo(start, len, target));
                    } catch (IOException e) {
                        if (!interrupted || target.isOpen() || !e.getMessage().contains("target channel is closed")) {
                            throw e;
                        }
                    }
                    got = out.toByteArray();
                    len = got.length;
                }
            }
            byte[] want = pattern(start, len);
            if (!Arrays.equals(want, got)) {
                int at = Arrays.mismatch(want, got);
                fail("read byte " + got[at] + " at position " + (start + at) + ", written was " + want[at]);
            }
            reads++;
        }
        Thread.interrupted();
        return reads;
    }

    private static ReopenableChannel.Opener noSyncHandle(ReopenableChannel.Opener base) {
        return new ReopenableChannel.Opener() {
            @Override
            FileChannel reopen(Path path, OpenMode mode) throws IOException {
                return base.reopen(path, mode);
            }

            @Override
            ReopenableChannel.SyncHandle openSyncHandle(Path path, OpenMode mode) {
                return null;
            }
        };
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }
}
