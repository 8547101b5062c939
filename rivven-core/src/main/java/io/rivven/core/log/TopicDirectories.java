package io.rivven.core.log;

import io.rivven.core.config.TopicConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The directories of a {@link StorageEngine}'s topics under {@code <dataDir>/topics}: finding the
 * topics at open, creating a topic's directory tree, and discarding one. Opening and closing the
 * partitions inside is the engine's job.
 *
 * <pre>
 * topics/
 *   orders/                       a topic: {@value TopicMetadata#FILE} and its partition directories
 *     partition-0/ ...
 *   orders~1718000000000.deleted/ a deletion that did not finish (the next open removes it)
 * </pre>
 *
 * <p>Thread safety: none of its own. The engine calls it under its topic lock (or in its
 * constructor), which, with the data directory's lock keeping other processes out, is what makes a
 * free {@code .deleted} name still free when a directory moves there.
 *
 * <p>Errors: file system failures are thrown as {@link IOException}s naming the path; a
 * directory in the way of a new topic is a {@link StorageException}.
 *
 * <p>Crash behaviour: a topic exists once its {@value TopicMetadata#FILE} is written (after its
 * partition directories, each step followed by a directory fsync); a creation interrupted before
 * leaves a directory holding no data, which {@link #load} removes. A deletion renames the
 * directory to {@code <name>~<millis>.deleted} and fsyncs the parent before deleting anything, so
 * a crash leaves either the whole topic or a leftover that {@link #load} deletes.
 *
 * <p>Messages are logged under {@link StorageEngine}'s logger, as before this class existed.
 */
final class TopicDirectories {

    private static final System.Logger LOG = System.getLogger(StorageEngine.class.getName());

    private final Path topicsDir;
    private final LongSupplier clock;

    /** What {@link #load} does with each topic it finds. */
    interface TopicOpener {
        void open(String name, Path dir, int partitions) throws IOException;
    }

    /**
     * @param topicsDir {@code <dataDir>/topics}
     * @param clock     the engine's clock (ms), which names deleted directories
     */
    TopicDirectories(Path topicsDir, LongSupplier clock) {
        this.topicsDir = topicsDir;
        this.clock = clock;
    }

    /** {@code <dataDir>/topics}. */
    Path root() {
        return topicsDir;
    }

    /** The directory of topic {@code name} (whether it exists or not). */
    Path dirOf(String name) {
        return topicsDir.resolve(name);
    }

    /**
     * Creates the topics directory if missing, removes what interrupted deletions and creations
     * left, and hands every topic found to {@code opener}, in name order, each one's metadata read
     * (or rebuilt) right before it is opened. Directories that are not topics are logged and left
     * alone.
     */
    void load(TopicOpener opener) throws IOException {
        Files.createDirectories(topicsDir);
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(topicsDir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (TopicMetadata.isDeletedTopicDir(f)) {
                    deleteTree(p); // an interrupted topic deletion
                } else if (Files.isDirectory(p)) {
                    dirs.add(p);
                }
            }
        }
        dirs.sort(Comparator.naturalOrder());
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (!TopicConfig.isValidName(name)) {
                LOG.log(System.Logger.Level.WARNING, "ignoring " + dir + ": not a topic directory (not a valid topic name)");
                continue;
            }
            Optional<TopicMetadata> meta = TopicMetadata.readOrRebuild(dir);
            if (meta.isPresent()) {
                opener.open(name, dir, meta.get().partitions());
            } else if (TopicMetadata.holdsNoData(dir)) {
                // created up to the partition directories, then interrupted: nothing was ever appended
                LOG.log(System.Logger.Level.INFO, "removing " + dir + ": a topic creation was interrupted");
                deleteTree(dir);
            } else {
                LOG.log(System.Logger.Level.WARNING, "ignoring " + dir + ": it has no " + TopicMetadata.FILE
                        + " and holds files that are not Rivven partitions; move them away");
            }
        }
    }

    /**
     * Creates the directory of a new topic with its partition directories and metadata, durably.
     * When a step after the topic's directory fails, the directory is removed again (as a deletion
     * does) before the failure is thrown.
     *
     * @return the topic's directory
     * @throws StorageException if the directory exists (files the engine ignored at open)
     */
    Path create(String name, int partitions) throws IOException {
        Path dir = dirOf(name);
        if (Files.exists(dir)) { // never a topic's: open removed or loaded every one it could
            throw new StorageException(dir.toAbsolutePath() + " exists but is not a topic of this engine (it holds files"
                    + " that are not Rivven partitions and was ignored at open); move it away, or pick another name");
        }
        Files.createDirectories(dir);
        try {
            for (int p = 0; p < partitions; p++) {
                Files.createDirectories(dir.resolve(LogFiles.partitionDirName(p)));
            }
            Checkpoint.syncDirectory(dir);
            new TopicMetadata(partitions).write(dir);
            Checkpoint.syncDirectory(topicsDir);
        } catch (IOException | RuntimeException e) {
            // the caller was told the topic does not exist: neither a retry nor the next open may find it
            removeAfterFailedCreation(name, dir, e);
            throw e;
        }
        return dir;
    }

    /** Removes the directory of a topic whose creation failed (as a deletion does); a failure is added to {@code cause}. */
    void removeAfterFailedCreation(String name, Path dir, Exception cause) {
        try {
            discard(name, dir);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(new IOException("removing " + dir.toAbsolutePath() + " after the failed creation failed too"
                    + " (remove it before creating the topic again): " + e, e));
        }
    }

    /**
     * Renames a topic's directory to a free {@code <name>~<millis>.deleted} (durably: from then on
     * the next open finishes the deletion), then deletes it.
     */
    void discard(String name, Path dir) throws IOException {
        Path doomed = deletedTopicDir(name);
        Files.move(dir, doomed);
        Checkpoint.syncDirectory(topicsDir);
        deleteTree(doomed);
    }

    /**
     * A free {@code <name>~<millis>.deleted} path for the directory of a topic being deleted: the
     * clock's millisecond, or the next one free when a deletion of the same name left a directory
     * there (its removal failed). Called under the engine's topic lock, and the data directory's
     * lock keeps other processes out, so the name is still free when the directory moves there.
     */
    private Path deletedTopicDir(String name) {
        for (long millis = clock.getAsLong(); ; millis++) {
            Path doomed = topicsDir.resolve(TopicMetadata.deletedTopicDirName(name, millis));
            if (Files.notExists(doomed, LinkOption.NOFOLLOW_LINKS)) {
                return doomed;
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
