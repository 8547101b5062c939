package io.rivven.core.log;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link LogVerifier#verify} found.
 *
 * @param problems every problem found, in the order the files were checked (empty when clean)
 * @param segments the number of segment logs checked
 * @param batches  the number of valid batches read
 * @param bytes    the bytes of the segment logs checked
 */
public record VerifyReport(List<Problem> problems, long segments, long batches, long bytes) {

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** Whether no problem was found. */
    public boolean isClean() {
        return problems.isEmpty();
    }

    /**
     * One problem.
     *
     * @param file     the absolute path of the file it is in (a topic or partition directory for
     *                 problems that concern no single file)
     * @param position the byte position in {@code file} where it is (a batch's start in a
     *                 {@code .log}, an entry's start in an index file), or -1 when it concerns the
     *                 whole file
     * @param message  what is wrong, with the expected and the actual value, and what the engine
     *                 does about it at its next open
     */
    public record Problem(Path file, long position, String message) {
        public Problem {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return file + (position >= 0 ? " @" + position : "") + ": " + message;
        }
    }
}
