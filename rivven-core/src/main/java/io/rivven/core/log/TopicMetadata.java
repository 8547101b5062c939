package io.rivven.core.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a topic directory records about itself: {@code data/topics/<topic>/topic.checkpoint}, one
 * line {@code partitions=<n>}, written atomically ({@link Checkpoint}) after the partition
 * directories exist.
 *
 * <p>Crashes: a crash mid-create leaves a directory without the file and without any data (the next
 * open removes it). A missing or damaged file in a directory whose partitions hold data is rebuilt
 * from the {@code partition-<n>} directories: data is never dropped for want of metadata.
 *
 * @param partitions the partition count
 */
record TopicMetadata(int partitions) {

    static final String FILE = "topic.checkpoint";

    /** Suffix of a topic directory being deleted: {@code <name>~<millis>.deleted}. */
    private static final String DELETED_MARK = "~";

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

    /**
     * The metadata in {@code topicDir}; when it is missing or damaged but a {@code partition-<n>}
     * directory holds a non-empty {@code .log}, the partition count is the highest {@code n} + 1 and
     * the file is rewritten. Empty when there is no metadata and no data.
     */
    static Optional<TopicMetadata> readOrRebuild(Path topicDir) throws IOException {
        Optional<TopicMetadata> meta = read(topicDir);
        if (meta.isPresent()) {
            return meta;
        }
        int highest = -1;
        boolean data = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(topicDir)) {
            for (Path p : ds) {
                int n = partitionOf(p.getFileName().toString());
                if (n >= 0 && Files.isDirectory(p)) {
                    highest = Math.max(highest, n);
                    data |= holdsLogData(p);
                }
            }
        }
        if (!data) {
            return Optional.empty();
        }
        TopicMetadata rebuilt = new TopicMetadata(highest + 1);
        System.getLogger(TopicMetadata.class.getName()).log(System.Logger.Level.WARNING, topicDir.resolve(FILE)
                + " is missing or damaged but the partitions hold data: rewriting it with " + rebuilt.partitions()
                + " partitions (from the partition directories)");
        rebuilt.write(topicDir);
        return Optional.of(rebuilt);
    }

    /**
     * Whether {@code topicDir} holds nothing but {@code partition-<n>} directories without data
     * and checkpoint files: what an interrupted creation leaves, safe to remove.
     */
    static boolean holdsNoData(Path topicDir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(topicDir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (partitionOf(f) >= 0 && Files.isDirectory(p)) {
                    if (holdsLogData(p)) {
                        return false;
                    }
                } else if (!f.startsWith(FILE)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the directory name is that of a topic being deleted ({@link #deletedTopicDirName}). */
    static boolean isDeletedTopicDir(String fileName) {
        return fileName.contains(DELETED_MARK) && fileName.endsWith(LogFiles.DELETED);
    }

    /** The name a topic directory is renamed to while it is deleted. */
    static String deletedTopicDirName(String topic, long millis) {
        return topic + DELETED_MARK + millis + LogFiles.DELETED;
    }

    private static boolean holdsLogData(Path partitionDir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(partitionDir, "*." + LogFiles.LOG)) {
            for (Path log : ds) {
                if (Files.size(log) > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** n for {@code partition-<n>}, else -1. */
    private static int partitionOf(String fileName) {
        if (!fileName.startsWith(LogFiles.PARTITION_PREFIX)) {
            return -1;
        }
        try {
            int n = Integer.parseInt(fileName.substring(LogFiles.PARTITION_PREFIX.length()));
            return n >= 0 && fileName.equals(LogFiles.partitionDirName(n)) ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
