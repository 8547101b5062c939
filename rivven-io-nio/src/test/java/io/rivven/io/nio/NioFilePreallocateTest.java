package io.rivven.io.nio;

import static io.rivven.testkit.DiskSpace.allocatedBytes;
import static io.rivven.testkit.IoBackendContract.pattern;
import static io.rivven.testkit.IoBackendContract.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NioFile#preallocate}: on Linux the reserved blocks really exist past the end (as
 * {@code stat} counts them), appends go into them, and {@code truncate} to the size and
 * {@code close} give back what was not filled.
 */
class NioFilePreallocateTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void linuxWithNativeAccess() {
        assumeTrue(Fallocate.AVAILABLE, "fallocate needs Linux and native access for io.rivven.io.nio");
    }

    @Test
    void reservedBlocksExistPastTheEndAndTruncateGivesThemBack() throws IOException {
        Path p = dir.resolve("a.log");
        NioFile f = open(p);
        f.append(ByteBuffer.wrap(pattern(0, 1000)));
        assertTrue(f.preallocate(4 * MIB));
        assertEquals(4 * MIB, f.reservedEnd());
        assertEquals(1000, f.size());
        assertEquals(1000, Files.size(p));
        assertTrue(allocatedBytes(p) >= 4 * MIB, "allocated " + allocatedBytes(p));

        f.append(ByteBuffer.wrap(pattern(1000, 100_000)));
        assertTrue(f.preallocate(3 * MIB), "already reserved");
        assertEquals(4 * MIB, f.reservedEnd(), "a smaller end reserves nothing more");

        f.truncate(f.size());
        assertEquals(101_000, f.size());
        assertEquals(0, f.reservedEnd());
        assertTrue(allocatedBytes(p) < 101_000 + 64 * 1024, "allocated after the release: " + allocatedBytes(p));
        assertArrayEquals(pattern(0, 101_000), readAll(f, 0, 101_000));
        f.close();
    }

    @Test
    void closeGivesBackWhatWasReservedAndKeepsEveryByte() throws IOException {
        Path p = dir.resolve("b.log");
        NioFile f = open(p);
        f.append(ByteBuffer.wrap(pattern(0, 5000)));
        assertTrue(f.preallocate(2 * MIB));
        f.close();
        assertEquals(5000, Files.size(p));
        assertTrue(allocatedBytes(p) < 5000 + 64 * 1024, "allocated after close: " + allocatedBytes(p));
        assertArrayEquals(pattern(0, 5000), Files.readAllBytes(p));
    }

    @Test
    void truncatingBelowTheEndAlsoDropsTheReservation() throws IOException {
        Path p = dir.resolve("c.log");
        NioFile f = open(p);
        f.append(ByteBuffer.wrap(pattern(0, 50_000)));
        assertTrue(f.preallocate(2 * MIB));
        f.truncate(20_000);
        assertEquals(0, f.reservedEnd());
        assertTrue(allocatedBytes(p) < 20_000 + 64 * 1024, "allocated: " + allocatedBytes(p));
        assertTrue(f.preallocate(MIB), "reserves again after a cut");
        f.append(ByteBuffer.wrap(pattern(20_000, 10)));
        assertArrayEquals(pattern(0, 20_010), readAll(f, 0, 20_010));
        f.close();
    }

    @Test
    void truncateToTheSizeAlsoGivesBackWhatAnotherHandleLeftReserved() throws IOException {
        Path p = dir.resolve("f.log");
        NioFile crashed = open(p); // a process that dies with its reservation: never released
        crashed.append(ByteBuffer.wrap(pattern(0, 5000)));
        assertTrue(crashed.preallocate(2 * MIB));
        NioFile next = open(p);
        assertTrue(allocatedBytes(p) >= 2 * MIB);
        next.truncate(next.size());
        assertEquals(5000, next.size());
        assertTrue(allocatedBytes(p) < 5000 + 64 * 1024, "allocated after the release: " + allocatedBytes(p));
        assertArrayEquals(pattern(0, 5000), readAll(next, 0, 5000));
        next.close();
        crashed.close();
        assertEquals(5000, Files.size(p));
    }

    @Test
    void aFileReplacedAtThePathIsNeverReservedThroughTheNewName() throws IOException {
        Path p = dir.resolve("d.log");
        NioFile f = open(p);
        f.append(ByteBuffer.wrap(pattern(0, 10)));
        Files.move(p, dir.resolve("d.moved"));
        Files.writeString(p, "someone else's file", StandardCharsets.UTF_8);
        assertFalse(f.preallocate(MIB), "the path names another file now");
        assertFalse(f.preallocate(2 * MIB), "and the file stops trying");
        assertEquals("someone else's file", Files.readString(p));
        assertTrue(allocatedBytes(p) < 64 * 1024);
        f.close();
    }

    @Test
    void readOnlyFilesReserveNothing() throws IOException {
        Path p = dir.resolve("e.log");
        Files.write(p, pattern(0, 100));
        NioFile f = new NioFile(p, FileChannel.open(p, StandardOpenOption.READ), OpenMode.READ, false);
        try {
            f.preallocate(MIB);
        } catch (ReadOnlyFileException expected) {
            // refused, as every write
        } finally {
            f.close();
        }
        assertEquals(100, Files.size(p));
    }

    private static NioFile open(Path p) throws IOException {
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new NioFile(p, ch, OpenMode.READ_WRITE, true);
    }
}
