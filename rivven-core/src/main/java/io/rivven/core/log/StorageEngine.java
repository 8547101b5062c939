package io.rivven.core.log;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.rivven.api.ConfigException;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.core.config.ConfigValidator;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.metrics.EngineMetrics;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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

    /** How many partitions open (and recover), or close ({@link EngineShutdown#closeTopics}), at the same time. */
    static final int OPEN_PARALLELISM = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final RivvenConfig config;
    private final Plugins plugins;
    private final TopicDirectories topicDirs;
    private final IoBackend io;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Object topicLock = new Object();
    private final DataDirLock dirLock;
    private volatile boolean closed;
    private final EngineShutdown shutdown = new EngineShutdown();

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
        LogConfig.resolve(config.defaults(), plugins);
        for (Map.Entry<String, TopicConfig> e : config.topics().entrySet()) {
            LogConfig.resolve(e.getValue(), plugins);
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
        this.topicDirs = new TopicDirectories(config.dataDir().resolve("topics"), clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(EngineShutdown.engineThreads("rivven-scheduler"));
        try {
            topicDirs.load((name, dir, partitions) -> topics.put(name, openTopic(name, dir, partitions)));
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
            Path dir = topicDirs.create(name, partitions);
            Topic t;
            try {
                t = openTopic(name, dir, partitions);
            } catch (IOException | RuntimeException e) {
                // the caller was told the topic does not exist: neither a retry nor the next open may find it
                topicDirs.removeAfterFailedCreation(name, dir, e);
                throw e;
            }
            topics.put(name, t);
            return t;
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
        if (EngineShutdown.insideEngine(topics.values())) {
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
                EngineShutdown.closeTopics(List.of(t), OPEN_PARALLELISM);
            } catch (IOException e) {
                // its data goes anyway; stopping here would leave the topic out of the engine but on
                // disk, where the next open (or a new topic of the same name) would take it back
                System.getLogger(StorageEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "topic " + name + ": closing it before deletion failed (" + e.getMessage() + "); deleting it anyway");
            }
            topicDirs.discard(name, topicDirs.dirOf(name));
            return true;
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

    private Topic openTopic(String name, Path dir, int partitions) throws IOException {
        TopicConfig tc = config.topic(name).withPartitions(partitions);
        LogConfig lc = LogConfig.resolve(tc, plugins);
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
        shutdown.close(second, EngineShutdown.insideEngine(topics.values()), this::closeAfterShutdown);
    }

    private void closeAfterShutdown() throws IOException {
        // shutdown(), not shutdownNow(): a running flush or retention pass finishes its work. (An
        // interrupt would no longer break its files, as file I/O survives interrupts, but would gain
        // nothing.) Periodic tasks stop at shutdown().
        scheduler.shutdown();
        EngineShutdown.awaitBackgroundWork(scheduler);
        IOException first = null;
        try {
            EngineShutdown.closeTopics(topics.values(), OPEN_PARALLELISM);
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
        shutdown.abandoned();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // reporting the original failure
        }
    }
}
