package io.rivven.core.log;

import io.rivven.core.io.Uninterruptible;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A small file holding one value, replaced atomically and durably.
 *
 * <p>Format (text, UTF-8): {@code rivven-checkpoint 1\n<value>\n<crc32c of value, 8 hex digits>\n}.
 *
 * <p>Write: the new content goes to {@code <name>.tmp}, which is fsynced, renamed over the old
 * file (atomic move), then the directory is fsynced, so after a crash the file holds the old or the
 * new value, never a mix. Read: a missing file, a leftover {@code .tmp}, or content that fails the
 * format or checksum reads as empty: callers fall back to a safe value (a full recovery scan).
 * Not thread-safe per file: the owning partition serialises writes.
 */
public final class Checkpoint {

    private static final String HEADER = "rivven-checkpoint 1";
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private Checkpoint() {
    }

    /** Atomically and durably replaces {@code file} with {@code value}. */
    public static void write(Path file, String value) throws IOException {
        if (value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("checkpoint value must be one line: " + value);
        }
        String text = encode(value);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // Neither step can be broken by a thread interrupt (appenders write checkpoints at roll):
        // Files.write goes through a channel the JDK makes uninterruptible, the fsync through one
        // that is not interruptible (see Uninterruptible).
        Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
        Uninterruptible.fsync(tmp);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** The file content holding {@code value} (one line). */
    static String encode(String value) {
        CRC32C crc = new CRC32C();
        crc.update(value.getBytes(StandardCharsets.UTF_8));
        return HEADER + "\n" + value + "\n" + String.format("%08x", crc.getValue()) + "\n";
    }

    /** The value in {@code file}, or empty when it is missing or damaged. */
    public static Optional<String> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.empty();
        }
        String[] lines = text.split("\n", -1);
        if (lines.length != 4 || !lines[0].equals(HEADER) || !lines[3].isEmpty()) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(lines[1].getBytes(StandardCharsets.UTF_8));
        if (!String.format("%08x", crc.getValue()).equals(lines[2])) {
            return Optional.empty();
        }
        return Optional.of(lines[1]);
    }

    /** Writes a long value. */
    public static void writeLong(Path file, long value) throws IOException {
        write(file, Long.toString(value));
    }

    /** Reads a long value; empty when missing, damaged or not a number. */
    public static java.util.OptionalLong readLong(Path file) throws IOException {
        Optional<String> s = read(file);
        if (s.isEmpty()) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(Long.parseLong(s.get()));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /**
     * Fsyncs a directory so that renames and creations in it are durable, uninterruptibly (see
     * {@link Uninterruptible#fsync}). A failed fsync is thrown, and so is a directory that cannot be
     * opened for it (no file descriptor left, say): its entries are not known durable. Only Windows,
     * which cannot open a directory at all, skips it.
     */
    public static void syncDirectory(Path dir) throws IOException {
        Uninterruptible.SyncHandle h;
        try {
            h = Uninterruptible.openForSync(dir);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            if (WINDOWS) {
                return; // Windows cannot open directories: nothing more can be done
            }
            throw new IOException("fsync of the directory " + dir.toAbsolutePath() + " failed: it could not be opened (" + e
                    + "); the files created, renamed or deleted in it may not be durable", e);
        }
        try (h) {
            h.force();
        }
    }
}
