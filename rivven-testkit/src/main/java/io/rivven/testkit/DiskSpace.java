package io.rivven.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What a file really occupies on disk, for tests of space reservation (GNU {@code stat}, so Linux). */
public final class DiskSpace {

    private DiskSpace() {
    }

    /**
     * Bytes the file system allocated to {@code file}: {@code stat}'s block count x 512, which
     * counts blocks reserved past the end of the file and not holes.
     *
     * @throws IOException if {@code stat} fails or cannot be run
     */
    public static long allocatedBytes(Path file) throws IOException {
        Process proc = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (proc.waitFor() != 0) {
                throw new IOException("stat " + file + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for stat " + file, e);
        }
        return Long.parseLong(out) * 512;
    }
}
