package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One engine per data directory, across this JVM and other processes. */
class DataDirLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondEngineInThisJvmIsRefusedUntilTheFirstCloses() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        try (StorageEngine first = fx.open()) {
            first.createTopic("t", 1);
            first.partition("t", 0).append(EngineFixture.records(0, 3, 10));
            DataDirInUseException e = assertThrows(DataDirInUseException.class, fx::open);
            assertTrue(e.getMessage().contains("data directory " + dir.toAbsolutePath() + " is in use by another engine in this JVM"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("process id " + ProcessHandle.current().pid()), e.getMessage());
            assertEquals(3, first.partition("t", 0).highWatermark(), "the refused open touched nothing");
        }
        try (StorageEngine again = fx.open()) {
            assertEquals(3, again.partition("t", 0).highWatermark());
        }
        assertTrue(Files.exists(dir.resolve(DataDirLock.FILE_NAME)), "the lock file stays; only the lock goes");
    }

    /** A data directory that cannot be created is named as the data directory, with what stood in the way. */
    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamedWithTheReason() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path data = file.resolve("data");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> DataDirLock.acquire(data));
        assertTrue(e.getMessage().startsWith("cannot create the data directory " + data.toAbsolutePath() + " (dataDir): "
                + file), e.getMessage());
        assertTrue(e.getMessage().endsWith("; create it, or set dataDir to a directory that can be created"), e.getMessage());
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsDeathReleasesIt() throws Exception {
        Files.createDirectories(dir);
        Path holder = dir.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.ByteBuffer;
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class Holder {
                    public static void main(String[] args) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        if (c.tryLock() == null) throw new IllegalStateException("not locked");
                        c.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\\n").getBytes()), 0);
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(60_000);
                    }
                }
                """);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, holder.toString(), data.resolve(DataDirLock.FILE_NAME).toString()))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            EngineFixture fx = new EngineFixture(data);
            DataDirInUseException e = assertThrows(DataDirInUseException.class, fx::open);
            assertTrue(e.getMessage().contains("is in use by another process, process id " + child.pid()), e.getMessage());
            assertTrue(e.getMessage().contains(data.resolve(DataDirLock.FILE_NAME).toAbsolutePath().toString()), e.getMessage());
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            try (StorageEngine engine = fx.open()) {
                engine.createTopic("t", 1);
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
