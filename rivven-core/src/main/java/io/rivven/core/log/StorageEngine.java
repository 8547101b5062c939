package io.rivven.core.log;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.core.config.ConfigValidator;
import io.rivven.core.config.FlushConfig;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.metrics.EngineMetrics;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The storage engine: the topics under {@code <dataDir>/topics}, each a set of partition logs.
 *
 * <pre>{@code
 * try (StorageEngine engine = StorageEngine.open(RivvenConfig.load(Path.of("rivven.json")))) {
 *     engine.createTopic("orders", 4);
 *     PartitionLog p = engine.partition("orders", 0);
 *     AppendResult r = p.append(List.of(Record.of(now, "key", "value")));
 *     try (FetchResult f = p.read(r.baseOffset(), 1 << 20)) { ... }
 * }
 * }</pre>
 *
 * <p>Opening resolves every plugin and validates the whole config before touching disk, then
 * locks the data directory ({@code <dataDir>/.lock}: a second engine on the same directory, in
 * this or another process, fails with {@link DataDirInUseException}; the lock is released by
 * {@link #close()} or by the OS when the process dies), then opens (and if needed recovers) every partition in parallel. A background scheduler runs group
 * commits ({@code flush.mode=interval}) and retention. Topics named in the config's
 * {@code topics} are created at open when missing.
 *
 * <p>Thread safety: all methods are thread-safe. Topic creation and deletion are serialised.
 */
public final class StorageEngine implements AutoCloseable {

    /** How often retention runs in the background. */
    public static final long RETENTION_CHECK_MS = 30_000;

    /** How many partitions open (and recover) at the same time. */
    private static final int OPEN_PARALLELISM = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    /**
     * Set in the engine's own threads (its scheduler, the threads that close partitions), where
     * callbacks of the durable() futures they complete run: a close() called there must not wait
     * for a close that waits for that thread.
     */
    private static final ThreadLocal<Boolean> ENGINE_THREAD = new ThreadLocal<>();

    private final RivvenConfig config;
    private final Plugins plugins;
    private final Path topicsDir;
    private final IoBackend io;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Object topicLock = new Object();
    private final DataDirLock dirLock;
    private volatile boolean closed;
    /** Completed when the first {@link #close()} is done (a concurrent second one waits for it). */
    private final CompletableFuture<Void> closeDone = new CompletableFuture<>();

    /** A topic: its partitions and config. */
    public record Topic(String name, TopicConfig config, List<PartitionLog> partitions, List<ScheduledFuture<?>> tasks) {
        public int partitionCount() {
            return partitions.size();
        }
    }

    private StorageEngine(Builder b) throws IOException {
        this.config = b.config;
        this.plugins = b.plugins != null ? b.plugins : PluginLoader.load(config.pluginDirs());
        this.metrics = new EngineMetrics(b.registry != null ? b.registry : new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                b.meterTags);
        this.clock = b.clock;
        config.validate(plugins);
        // everything the topics need resolves before the first file is touched
        logConfig(config.defaults());
        for (Map.Entry<String, TopicConfig> e : config.topics().entrySet()) {
            logConfig(e.getValue());
        }
        IoBackendProvider ioProvider = ConfigValidator.ioBackend(config, plugins);
        // creating the backend checks its options: before the data directory (and its lock) is touched
        IoBackend backend = ioProvider.create(plugins.ioBackends().configOf(config.io()));
        try {
            this.dirLock = DataDirLock.acquire(config.dataDir());
        } catch (IOException | RuntimeException e) {
            try {
                backend.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        this.io = backend;
        this.topicsDir = config.dataDir().resolve("topics");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(() -> {
                ENGINE_THREAD.set(Boolean.TRUE);
                r.run();
            }, "rivven-scheduler");
            t.setDaemon(true);
            return t;
        });
        try {
            Files.createDirectories(topicsDir);
            loadTopics();
            for (Map.Entry<String, TopicConfig> e : config.topics().entrySet()) {
                if (!topics.containsKey(e.getKey())) {
                    createTopic(e.getKey(), e.getValue().partitions());
                }
            }
            scheduler.scheduleWithFixedDelay(this::retentionQuietly, RETENTION_CHECK_MS, RETENTION_CHECK_MS, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Opens the engine described by {@code config}, loading plugins from its plugin directories. */
    public static StorageEngine open(RivvenConfig config) throws IOException {
        return builder(config).open();
    }

    public static Builder builder(RivvenConfig config) {
        return new Builder(config);
    }

    /** Options for opening an engine. */
    public static final class Builder {
        private final RivvenConfig config;
        private Plugins plugins;
        private MeterRegistry registry;
        private Tags meterTags = Tags.empty();
        private LongSupplier clock = System::currentTimeMillis;

        private Builder(RivvenConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The plugins to use instead of loading them from the config's plugin directories. */
        public Builder plugins(Plugins plugins) {
            this.plugins = plugins;
            return this;
        }

        /** Where meters go (default: a new SimpleMeterRegistry). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /**
         * Tags every meter of this engine carries, as key-value pairs ({@code "engine", "disk1"}):
         * engines that share a registry need tags that tell them apart (see {@link EngineMetrics}).
         *
         * @throws IllegalArgumentException if the count is odd
         */
        public Builder meterTags(String... keyValues) {
            this.meterTags = Tags.of(keyValues);
            return this;
        }

        /** The wall clock in ms (tests move time for retention and rolling). */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public StorageEngine open() throws IOException {
            return new StorageEngine(this);
        }
    }

    public RivvenConfig config() {
        return config;
    }

    public Plugins plugins() {
        return plugins;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    // ================================================================ topics

    /** Topic names, sorted. */
    public List<String> topics() {
        return topics.keySet().stream().sorted().toList();
    }

    public Optional<Topic> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    /**
     * Creates {@code name} with {@code partitions} partitions and the config file's settings for it.
     *
     * @throws ConfigException if the name is invalid
     * @throws IllegalStateException if it exists
     * @throws StorageException if its directory exists without being a topic (files this engine ignored at open)
     */
    public Topic createTopic(String name, int partitions) throws IOException {
        TopicConfig tc = config.topic(name).withPartitions(partitions);
        synchronized (topicLock) {
            checkOpen();
            if (topics.containsKey(name)) {
                throw new IllegalStateException("topic '" + name + "' already exists with "
                        + topics.get(name).partitionCount() + " partitions");
            }
            Path dir = topicsDir.resolve(name);
            if (Files.exists(dir)) { // never a topic's: open removed or loaded every one it could
                throw new StorageException(dir.toAbsolutePath() + " exists but is not a topic of this engine (it holds files"
                        + " that are not Rivven partitions and was ignored at open); move it away, or pick another name");
            }
            Files.createDirectories(dir);
            Topic t;
            try {
                for (int p = 0; p < partitions; p++) {
                    Files.createDirectories(dir.resolve(LogFiles.partitionDirName(p)));
                }
                Checkpoint.syncDirectory(dir);
                new TopicMetadata(partitions).write(dir);
                Checkpoint.syncDirectory(topicsDir);
                t = openTopic(name, dir, partitions);
            } catch (IOException | RuntimeException e) {
                // the caller was told the topic does not exist: neither a retry nor the next open may find it
                removeTopicDir(name, dir, e);
                throw e;
            }
            topics.put(name, t);
            return t;
        }
    }

    /** Removes the directory of a topic whose creation failed (as a deletion does); a failure is added to {@code cause}. */
    private void removeTopicDir(String name, Path dir, Exception cause) {
        try {
            discardTopicDir(name, dir);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(new IOException("removing " + dir.toAbsolutePath() + " after the failed creation failed too"
                    + " (remove it before creating the topic again): " + e, e));
        }
    }

    /**
     * Deletes a topic and all its data: closes it (a failure to flush it at close is logged, not
     * thrown: the data goes anyway), renames its directory to
     * {@code <name>~<millis>.deleted} (no topic name has a {@code ~}; the next open removes such
     * leftovers), then deletes it.
     *
     * <p>Racing operations on the topic's partitions (through {@link PartitionLog}s obtained
     * before): an append that returned, or returns while the deletion closes the partition, was
     * written, and the close flushed it, so its {@link AppendResult#durable()} completes normally
     * (it was durable until the deletion) unless the partition failed (before or in that flush);
     * an append that reaches the partition after the close writes nothing: from then on appends
     * throw {@link StorageException} ("partition is closed"), as do reads and timestamp lookups
     * through it. A {@link FetchResult} obtained before reads on
     * the deleted topic's bytes until it is closed (the files stay open until then); a read that
     * had not opened a file yet fails rather than open whatever the path names by then (a new
     * topic of the same name). A crash before the rename leaves the topic in place; after it, the
     * deletion is finished at the next open.
     *
     * @return whether it existed
     * @throws IllegalStateException when called from inside the engine: a {@link AppendResult#durable()}
     *         callback run by the engine's scheduler, a close or a failed append (they hold locks the
     *         deletion would wait for); attach such callbacks with the {@code ...Async} methods
     */
    public boolean deleteTopic(String name) throws IOException {
        if (insideEngine()) {
            // the deletion would wait for the close of partitions that wait for this very thread
            throw new IllegalStateException("deleteTopic('" + name + "') from inside the engine (a durable() callback it runs,"
                    + " holding its locks) would wait for itself; attach such a callback with an ...Async method");
        }
        synchronized (topicLock) {
            checkOpen();
            Topic t = topics.remove(name);
            if (t == null) {
                return false;
            }
            try {
                closeTopic(t);
            } catch (IOException e) {
                // its data goes anyway; stopping here would leave the topic out of the engine but on
                // disk, where the next open (or a new topic of the same name) would take it back
                System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "topic " + name + ": closing it before deletion failed (" + e.getMessage() + "); deleting it anyway");
            }
            discardTopicDir(name, topicsDir.resolve(name));
            return true;
        }
    }

    /**
     * Renames a topic's directory to a free {@code <name>~<millis>.deleted} (durably: from then on
     * the next open finishes the deletion), then deletes it.
     */
    private void discardTopicDir(String name, Path dir) throws IOException {
        Path doomed = deletedTopicDir(name);
        Files.move(dir, doomed);
        Checkpoint.syncDirectory(topicsDir);
        deleteTree(doomed);
    }

    /**
     * A free {@code <name>~<millis>.deleted} path for the directory of a topic being deleted: the
     * clock's millisecond, or the next one free when a deletion of the same name left a directory
     * there (its removal failed). Called under {@code topicLock}, and the data directory's lock
     * keeps other processes out, so the name is still free when the directory moves there.
     */
    private Path deletedTopicDir(String name) {
        for (long millis = clock.getAsLong(); ; millis++) {
            Path doomed = topicsDir.resolve(TopicMetadata.deletedTopicDirName(name, millis));
            if (Files.notExists(doomed, LinkOption.NOFOLLOW_LINKS)) {
                return doomed;
            }
        }
    }

    /**
     * The log of one partition.
     *
     * @throws UnknownTopicException if there is no such topic or partition
     * @throws IllegalStateException if the engine is closed (or closing)
     */
    public PartitionLog partition(String topic, int partition) {
        Topic t = topics.get(topic);
        if (t == null) {
            checkOpen(); // after close no topic is known: say why
            throw new UnknownTopicException("no topic '" + topic + "'; topics: " + (topics.isEmpty() ? "(none)" : String.join(", ", topics())));
        }
        if (partition < 0 || partition >= t.partitionCount()) {
            throw new UnknownTopicException("topic '" + topic + "' has partitions 0-" + (t.partitionCount() - 1) + ", not " + partition);
        }
        return t.partitions().get(partition);
    }

    /** Runs retention on every partition now; returns the number of segments deleted. */
    public int applyRetention() {
        int n = 0;
        for (Topic t : topics.values()) {
            for (PartitionLog p : t.partitions()) {
                n += p.applyRetention();
            }
        }
        return n;
    }

    private void retentionQuietly() {
        for (Topic t : topics.values()) {
            for (PartitionLog p : t.partitions()) {
                try {
                    p.applyRetention();
                } catch (RuntimeException e) {
                    System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING,
                            p + ": retention failed: " + e, e);
                }
            }
        }
    }

    // ================================================================ open/close

    private void loadTopics() throws IOException {
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
        System.Logger log = System.getLogger(StorageEngine.class.getName());
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (!TopicConfig.isValidName(name)) {
                log.log(System.Logger.Level.WARNING, "ignoring " + dir + ": not a topic directory (not a valid topic name)");
                continue;
            }
            Optional<TopicMetadata> meta = TopicMetadata.readOrRebuild(dir);
            if (meta.isPresent()) {
                topics.put(name, openTopic(name, dir, meta.get().partitions()));
            } else if (TopicMetadata.holdsNoData(dir)) {
                // created up to the partition directories, then interrupted: nothing was ever appended
                log.log(System.Logger.Level.INFO, "removing " + dir + ": a topic creation was interrupted");
                deleteTree(dir);
            } else {
                log.log(System.Logger.Level.WARNING, "ignoring " + dir + ": it has no " + TopicMetadata.FILE
                        + " and holds files that are not Rivven partitions; move them away");
            }
        }
    }

    private Topic openTopic(String name, Path dir, int partitions) throws IOException {
        TopicConfig tc = config.topic(name).withPartitions(partitions);
        LogConfig lc = logConfig(tc);
        CodecResolver codecs = plugins.codecs()::forId;
        List<PartitionLog> logs = new ArrayList<>(partitions);
        // Partitions open (and recover) in parallel: most of the time is fsyncs and directory
        // listings. Bounded, because each recovery scan holds a read buffer of up to 8 MiB.
        Semaphore slots = new Semaphore(OPEN_PARALLELISM);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PartitionLog>> futures = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                int part = p;
                futures.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        return new LogLoader(name, part, dir.resolve(LogFiles.partitionDirName(part)), lc, io, codecs, metrics,
                                clock).load();
                    } finally {
                        slots.release();
                    }
                }));
            }
            Exception failure = null;
            for (Future<PartitionLog> f : futures) {
                try {
                    logs.add(f.get());
                } catch (ExecutionException e) {
                    // also an unchecked one (a partition failed by an fsync during its load): the
                    // partitions that did open are closed below, their files and gauges released
                    failure = failure != null ? failure : asIoOrUnchecked(e.getCause(), name);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure != null ? failure : new InterruptedIOException("interrupted opening topic " + name);
                }
            }
            if (failure != null) {
                for (PartitionLog l : logs) {
                    try {
                        l.close();
                    } catch (IOException | RuntimeException ignored) {
                        // reporting the first failure
                    }
                }
                if (failure instanceof RuntimeException re) {
                    throw re;
                }
                throw (IOException) failure;
            }
        }
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        for (PartitionLog l : logs) {
            // both run on the scheduler; if it is shut down (engine closing) execute() throws
            // RejectedExecutionException, which the partition ignores: close flushes everything
            l.onRepairWanted(() -> scheduler.execute(() -> repairQuietly(l)));
            if (lc.flushMode() == FlushMode.INTERVAL) {
                long every = Math.max(1, Math.min(lc.flushIntervalMs(), 1000));
                l.onFlushWanted(() -> scheduler.execute(() -> {
                    l.flushScheduledDone();
                    flushQuietly(l);
                }));
                // fixed rate, not fixed delay: a group commit that takes longer than the interval
                // (the disk is the bottleneck) is followed at once by the next one, so the disk
                // never idles for a whole interval while appends wait, and "fsync at least every
                // intervalMs" holds as far as the disk allows
                tasks.add(scheduler.scheduleAtFixedRate(() -> flushQuietly(l), every, every, TimeUnit.MILLISECONDS));
            }
        }
        return new Topic(name, tc, List.copyOf(logs), tasks);
    }

    private static void flushQuietly(PartitionLog l) {
        try {
            l.flushIfDue();
        } catch (RuntimeException e) {
            // the partition is marked failed and its waiters are failed; nothing else to do here
        }
    }

    private static void repairQuietly(PartitionLog l) {
        try {
            l.repairIndexes();
        } catch (RuntimeException e) {
            System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING, l + ": index repair failed: " + e, e);
        }
    }

    /** {@code t} itself when an IOException or unchecked exception, else wrapped in an IOException. */
    private static Exception asIoOrUnchecked(Throwable t, String topic) {
        if (t instanceof IOException || t instanceof RuntimeException) {
            return (Exception) t;
        }
        return new IOException("opening topic " + topic + " failed: " + t, t);
    }

    /** Resolves a topic's plugins into a {@link LogConfig}. */
    LogConfig logConfig(TopicConfig tc) {
        List<LogConfig.IndexSpec> indexes = new ArrayList<>();
        indexes.add(builtInIndex("offset"));
        indexes.add(builtInIndex("time"));
        for (PluginSpec spec : tc.indexes()) {
            IndexProvider p = plugins.indexes().get(spec);
            PluginConfig options = plugins.indexes().configOf(spec);
            p.validate(options);
            indexes.add(new LogConfig.IndexSpec(p, options));
        }
        FlushConfig flush = tc.flush();
        // log space is reserved for page-cache appends only: under fsyncs, ext4 converting the
        // reserved (unwritten) extents at each fsync costs more than the reservation saves
        // (group commit, 100 KiB batches: 0.38 GB/s with, 0.42-0.44 without)
        long preallocate = flush.mode() == FlushMode.OS ? tc.segment().preallocateBytes() : 0;
        // as in Kafka, retention applies to the delete policies only: a compact-only topic keeps its segments
        boolean retains = tc.cleanupPolicy().deletes();
        return new LogConfig(tc.segment().bytes(), tc.segment().ms(), tc.segment().indexIntervalBytes(),
                tc.segment().indexMaxBytes(), preallocate,
                retains ? tc.retention().ms() : -1, retains ? tc.retention().bytes() : -1, flush.mode(),
                flush.intervalMs(), flush.intervalBytes() < 0 ? Long.MAX_VALUE : flush.intervalBytes(),
                plugins.codecs().create(tc.compression()), indexes, RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE,
                !tc.cleanupPolicy().compacts());
    }

    private LogConfig.IndexSpec builtInIndex(String name) {
        return new LogConfig.IndexSpec(plugins.indexes().get(name, "built-in index"), PluginConfig.empty("built-in index " + name));
    }

    private void closeTopic(Topic t) throws IOException {
        t.tasks().forEach(f -> f.cancel(false));
        closeAll(t.partitions());
    }

    /**
     * Closes partitions in parallel (each close is a few fsyncs); throws the first failure after
     * trying all. Not interruptible; the caller's interrupt flag is kept.
     */
    private static void closeAll(List<PartitionLog> partitions) throws IOException {
        Semaphore slots = new Semaphore(OPEN_PARALLELISM);
        IOException first = null;
        // Waits uninterruptibly (a close half done helps nobody); an interrupt is kept for the caller.
        boolean interrupted = Thread.interrupted();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (PartitionLog p : partitions) {
                fs.add(pool.submit(() -> {
                    slots.acquire();
                    ENGINE_THREAD.set(Boolean.TRUE);
                    try {
                        p.close();
                    } finally {
                        ENGINE_THREAD.remove();
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                for (;;) {
                    try {
                        f.get();
                        break;
                    } catch (ExecutionException e) {
                        IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause().toString(), e.getCause());
                        first = first == null ? io : first;
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("storage engine is closed");
        }
    }

    /**
     * Flushes and closes every partition, writing clean-shutdown markers so the next open skips
     * recovery. Idempotent. Not interruptible: a caller whose thread is interrupted (before or
     * during the call; a shutdown path after {@code shutdownNow()}, say) still gets a complete,
     * clean shutdown, and its interrupt flag is set when this returns. A call while another close
     * runs (a shutdown hook's and the main thread's, say) returns when that one is done, without
     * its exception if it failed. A close from inside the engine, a callback of an
     * {@link AppendResult#durable()} future run where the engine completes it (its scheduler after a
     * group commit, a close, or an append whose write failed, holding that partition's locks),
     * returns at once: the first such close goes on in a thread of its own ({@code rivven-close},
     * which logs a failure), as closing there would wait for the very thread it runs in.
     */
    @Override
    public void close() throws IOException {
        boolean second;
        synchronized (topicLock) {
            second = closed;
            closed = true;
        }
        boolean inside = insideEngine();
        if (second) {
            if (!inside) { // never inside the engine: the close may be waiting for this thread
                closeDone.join(); // uninterruptible, as the close it waits for
            }
            return;
        }
        if (inside) {
            Thread.ofPlatform().name("rivven-close").start(() -> {
                try {
                    closeAfterShutdown();
                } catch (IOException | RuntimeException e) {
                    System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING,
                            "closing the engine (asked from a durable() callback) failed: " + e, e);
                } finally {
                    closeDone.complete(null);
                }
            });
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            closeAfterShutdown();
        } finally {
            closeDone.complete(null);
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether this thread is inside the engine: one of its own threads, or one holding the lock or
     * the flush lock of a partition (where durable() callbacks run), which a close or a deletion
     * would wait for.
     */
    private boolean insideEngine() {
        if (ENGINE_THREAD.get() != null) {
            return true;
        }
        for (Topic t : topics.values()) {
            for (PartitionLog p : t.partitions()) {
                if (p.isLockedByCurrentThread()) {
                    return true;
                }
            }
        }
        return false;
    }

    private void closeAfterShutdown() throws IOException {
        // shutdown(), not shutdownNow(): a running flush or retention pass finishes its work. (An
        // interrupt would no longer break its files, as file I/O survives interrupts, but would gain
        // nothing.) Periodic tasks stop at shutdown().
        scheduler.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean interrupted = false;
        for (;;) {
            try {
                if (!scheduler.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING,
                            "background flush or retention still running after 30 s; closing partitions anyway");
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting; the flag is set again below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        IOException first = null;
        List<PartitionLog> all = new ArrayList<>();
        for (Topic t : topics.values()) {
            t.tasks().forEach(f -> f.cancel(false));
            all.addAll(t.partitions());
        }
        try {
            closeAll(all);
        } catch (IOException e) {
            first = e;
        }
        topics.clear();
        try {
            io.close();
        } finally {
            dirLock.close(); // last: another engine may open the directory from here on
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * For crash tests: stops background work and drops every partition without flushing, closing
     * files or writing clean-shutdown markers, so the files are left as a {@code kill -9} leaves them
     * (the page cache aside). The abandoned partitions must not be used afterwards; their files stay
     * open until the JVM exits. The data directory's lock is released, as the OS releases a dead
     * process's locks, so the directory can be reopened.
     */
    void abandonForTest() throws IOException {
        synchronized (topicLock) {
            closed = true;
        }
        scheduler.shutdownNow();
        topics.clear();
        dirLock.close();
        closeDone.complete(null);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // reporting the original failure
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
