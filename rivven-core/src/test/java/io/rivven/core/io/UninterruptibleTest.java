package io.rivven.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UninterruptibleTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void anInterruptBeforeTheCallClosesNothingAndIsKept() throws IOException {
        Path f = dir.resolve("a");
        Files.write(f, new byte[] {1, 2, 3});
        Thread.currentThread().interrupt();
        byte[] got = Uninterruptible.run(() -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(3);
                ch.read(b, 0);
                return b.array();
            }
        });
        assertArrayEquals(new byte[] {1, 2, 3}, got);
        assertTrue(Thread.interrupted(), "the flag is set again");
    }

    @Test
    void anOperationWhoseChannelAnInterruptClosedIsRedoneOnANewOne() throws IOException {
        Path f = dir.resolve("b");
        Files.write(f, new byte[] {7});
        AtomicInteger attempts = new AtomicInteger();
        long size = Uninterruptible.run(() -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                if (attempts.incrementAndGet() < 3) {
                    Thread.currentThread().interrupt(); // as if it arrived during the call
                }
                return ch.size();
            }
        });
        assertEquals(1, size);
        assertEquals(3, attempts.get());
        assertTrue(Thread.interrupted());
    }

    @Test
    void aThreadInterruptedInATightLoopGivesUp() {
        AtomicInteger attempts = new AtomicInteger();
        assertThrows(ClosedByInterruptException.class, () -> Uninterruptible.run(() -> {
            attempts.incrementAndGet();
            throw new ClosedByInterruptException();
        }));
        assertEquals(Uninterruptible.MAX_ATTEMPTS, attempts.get());
        assertFalse(Thread.currentThread().isInterrupted(), "no interrupt was ever set: none is invented");
        IOException other = new IOException("disk");
        assertSame(other, assertThrows(IOException.class, () -> Uninterruptible.run(() -> {
            throw other;
        })), "other failures are not retried");
    }

    @Test
    void fsyncOfAFileAndADirectoryIgnoresTheInterrupt() throws IOException {
        Path f = dir.resolve("c");
        Files.write(f, new byte[100]);
        Thread.currentThread().interrupt();
        Uninterruptible.fsync(f);
        Uninterruptible.fsync(dir);
        assertTrue(Thread.interrupted(), "the flag is untouched");
    }
}
