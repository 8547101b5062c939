package io.rivven.core.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a topic directory records about itself: {@code data/topics/<topic>/topic.checkpoint}, one
 * line {@code partitions=<n>}, written atomically ({@link Checkpoint}) after the partition
 * directories exist, so a crash mid-create leaves either no metadata (the directory is removed at
 * the next open) or a complete topic.
 *
 * @param partitions the partition count
 */
record TopicMetadata(int partitions) {

    static final String FILE = "topic.checkpoint";

    void write(Path topicDir) throws IOException {
        Checkpoint.write(topicDir.resolve(FILE), "partitions=" + partitions);
    }

    /** The metadata in {@code topicDir}, or empty when missing or damaged. */
    static Optional<TopicMetadata> read(Path topicDir) throws IOException {
        Optional<String> s = Checkpoint.read(topicDir.resolve(FILE));
        if (s.isEmpty() || !s.get().startsWith("partitions=")) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(s.get().substring("partitions=".length()));
            return n > 0 ? Optional.of(new TopicMetadata(n)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
