package io.rivven.cli.command;

import io.rivven.api.BufferAllocator;
import io.rivven.cli.bench.LatencyHistogram;
import io.rivven.cli.bench.MetricsReport;
import io.rivven.cli.bench.ProgressBar;
import io.rivven.cli.bench.Units;
import io.rivven.cli.bench.Workload;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.cli.support.Table;
import io.rivven.core.config.FlushConfig;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.log.AppendResult;
import io.rivven.core.log.FetchResult;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rivven bench}: the end-to-end benchmark of the engine. Appends {@code --records} records
 * of {@code --record-size} bytes ({@link Workload}: JSON-like values, no keys) in batches of
 * {@code --batch} records, round-robin over {@code --partitions} partitions of a fresh topic, with
 * the codec and flush mode asked for; then reads everything back twice: whole batches as stored,
 * and again decoding every record (CRC checked), verifying the counts per partition. Prints the
 * throughput of each phase, the append latency percentiles (per append call, measured here) and
 * the engine's own metrics.
 *
 * <p>Where the data goes: always a fresh directory, deleted afterwards (also on Ctrl-C). With the
 * embedded default config (no {@code --config} and no {@code ./rivven.json}) it is a temporary
 * directory under {@code java.io.tmpdir}; with a config file it is a directory
 * {@code rivven-bench-*} inside the config's {@code dataDir}, so that the disk measured is the
 * configured one while the engine's topics stay untouched. The config's I/O backend, plugin
 * folders and topic defaults apply; {@code --codec}, {@code --flush} and {@code --partitions}
 * override the defaults for the benchmark topic.
 *
 * <p>A progress bar is drawn on stderr only when the console is a terminal.
 */
@Command(name = "bench", sortOptions = false,
        description = {"The main job: append N records to a fresh topic, read them back, and print append and read "
            + "throughput, append latency percentiles and the engine's metrics.",
            "Without --config (and no ./rivven.json) it runs on the embedded default in a temporary data directory, "
                + "deleted afterwards."})
public final class BenchCommand implements Callable<Integer> {

    /** The benchmark topic's name. */
    public static final String TOPIC = "bench";
    /** Bytes asked for per read. */
    static final int READ_BYTES = 8 << 20;

    @ParentCommand
    ContextHolder rivven;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000000", description = "Records to append (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--record-size", paramLabel = "B", defaultValue = "1024", description = "Bytes per record value (default: ${DEFAULT-VALUE}).")
    int recordSize;

    @Option(names = "--batch", paramLabel = "K", defaultValue = "100", description = "Records per append call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--codec", paramLabel = "NAME",
            description = "Compression codec (default: the config's defaults.compression; lz4 in the embedded default).")
    String codec;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "1", description = "Partitions, appended to round-robin (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--flush", paramLabel = "MODE",
            description = "always, interval or os (default: the config's defaults.flush.mode; interval in the embedded default).")
    String flush;

    @Override
    public Integer call() throws IOException {
        check(records >= 1, "--records must be at least 1, got " + records);
        check(recordSize >= 1 && recordSize <= 16 << 20, "--record-size must be between 1 and " + (16 << 20) + ", got " + recordSize);
        check(batch >= 1 && (long) batch * (recordSize + 32) < RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE,
                "--batch must be at least 1 and a batch must fit in " + RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE + " bytes, got "
                        + batch + " records of " + recordSize + " bytes");
        check(partitions >= 1 && partitions <= 10_000, "--partitions must be between 1 and 10000, got " + partitions);
        FlushMode mode = flush == null ? null : Arrays.stream(FlushMode.values()).filter(m -> m.jsonName().equals(flush))
                .findFirst().orElseThrow(() -> new ParameterException(spec.commandLine(),
                        "--flush must be one of always, interval, os, got '" + flush + "'"));

        CliContext ctx = rivven.context();
        boolean fromFile = config.file() != null || Files.isRegularFile(ctx.workingDir().resolve(RivvenConfig.DEFAULT_FILE_NAME));
        RivvenConfig base = ctx.config(config.file());
        Plugins plugins = ctx.plugins(base);
        TopicConfig d = base.defaults();
        PluginSpec compression = d.compression();
        if (codec != null) {
            plugins.codecs().get(codec, "--codec"); // a missing codec fails here, naming the option
            compression = PluginSpec.of(codec, "--codec");
        }
        FlushConfig fc = new FlushConfig(mode == null ? d.flush().mode() : mode, d.flush().intervalMs(), d.flush().intervalBytes());
        TopicConfig topic = new TopicConfig(partitions, compression, d.segment(), d.retention(), d.cleanupPolicy(), fc, d.indexes());

        Path parent = fromFile ? ctx.workingDir().resolve(base.dataDir()).normalize() : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(parent);
        Path dataDir = Files.createTempDirectory(parent, "rivven-bench-");
        RivvenConfig cfg = ctx.withDataDir(new RivvenConfig(base.source(), base.dataDir(), base.pluginDirs(), base.io(),
                base.defaults(), base.tiered(), Map.of(TOPIC, topic)), dataDir);
        Thread cleanup = new Thread(() -> deleteQuietly(dataDir), "rivven-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            run(ctx, cfg, plugins, topic, fromFile);
        } finally {
            deleteQuietly(dataDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, TopicConfig topic, boolean fromFile) throws IOException {
        PrintWriter out = ctx.out();
        out.printf("rivven bench: %s records of %s bytes (JSON-like values, no keys), batches of %s, %d partition%s%n",
                Units.count(records), Units.count(recordSize), Units.count(batch), partitions, partitions == 1 ? "" : "s");
        FlushConfig f = topic.flush();
        out.printf("  codec %s, flush %s%s, io %s, segments of %s bytes; config: %s%n", topic.compression().type(),
                f.mode().jsonName(), f.mode() == FlushMode.INTERVAL ? " (every " + f.intervalMs() + " ms)" : "",
                cfg.io().type(), Units.count(topic.segment().bytes()), cfg.source());
        out.printf("  data: %s (%s, deleted afterwards); Java %s, %d CPUs%n", cfg.dataDir(),
                fromFile ? "inside the config's dataDir" : "temporary", Runtime.version(), Runtime.getRuntime().availableProcessors());
        out.println();
        out.flush();

        try (StorageEngine engine = StorageEngine.builder(cfg).plugins(plugins).open()) {
            List<PartitionLog> logs = engine.topic(TOPIC).orElseThrow().partitions();
            Workload workload = new Workload(recordSize, records);
            long valueBytes = records * recordSize;

            Appended a = append(ctx, logs, workload);
            Read batches = read(ctx, logs, false, plugins.codecs()::forId);
            Read decoded = read(ctx, logs, true, plugins.codecs()::forId);
            for (int p = 0; p < logs.size(); p++) {
                if (decoded.perPartition[p] != a.perPartition[p]) {
                    throw new CliException("partition " + p + ": read back " + decoded.perPartition[p] + " records, appended "
                            + a.perPartition[p]);
                }
            }
            if (decoded.valueBytes != valueBytes) {
                throw new CliException("read back " + decoded.valueBytes + " bytes of values, appended " + valueBytes);
            }

            Table t = new Table("PHASE", "RECORDS", "VALUES", "ON DISK", "TIME", "MB/s (VALUES)", "MB/s (DISK)", "RECORDS/s");
            row(t, "append", records, valueBytes, a.diskBytes, a.nanos);
            row(t, "read batches", records, valueBytes, batches.diskBytes, batches.nanos);
            row(t, "read + decode", decoded.records, decoded.valueBytes, decoded.diskBytes, decoded.nanos);
            t.print(out);
            out.printf("%n  append: %s append calls; compression ratio %.2f; all appends durable %s after the last one returned (flush %s)%n",
                    Units.count(a.latency.count()), valueBytes / (double) Math.max(1, a.diskBytes), Units.seconds(a.durableNanos),
                    f.mode().jsonName());
            out.printf("  read batches: whole batches as stored, %s MiB reads, %s batches; read + decode: CRC checked, every record decoded%n",
                    READ_BYTES >> 20, Units.count(batches.batches));
            out.printf("%nappend latency (one append call of %s records: encode, compress, write%s)%n", Units.count(batch),
                    f.mode() == FlushMode.ALWAYS ? ", fsync" : "");
            LatencyHistogram h = a.latency;
            out.printf("  p50 %s   p99 %s   p99.9 %s   max %s   mean %s%n", Units.nanos(h.percentile(50)),
                    Units.nanos(h.percentile(99)), Units.nanos(h.percentile(99.9)), Units.nanos(h.max()), Units.nanos(h.mean()));
            out.printf("%nengine metrics (Micrometer, rivven.*)%n");
            MetricsReport.print(out, engine.metrics().registry());
            out.flush();
        }
    }

    private static void row(Table t, String phase, long records, long values, long disk, long nanos) {
        t.row(phase, Units.count(records), Units.mb(values), Units.mb(disk), Units.seconds(nanos),
                Units.mbPerSecond(values, nanos).replace(" MB/s", ""), Units.mbPerSecond(disk, nanos).replace(" MB/s", ""),
                Units.perSecond(records, nanos));
    }

    /** What the append phase did. */
    private record Appended(long nanos, long durableNanos, long diskBytes, long[] perPartition, LatencyHistogram latency) {
    }

    private Appended append(CliContext ctx, List<PartitionLog> logs, Workload workload) {
        int p = logs.size();
        long[] perPartition = new long[p];
        AppendResult[] last = new AppendResult[p];
        LatencyHistogram latency = new LatencyHistogram();
        ProgressBar bar = new ProgressBar(ctx.err(), ctx.terminal(), "append", records, "records", recordSize);
        List<Record> list = new ArrayList<>(batch);
        long diskBytes = 0;
        long done = 0;
        long calls = 0;
        long start = System.nanoTime();
        while (done < records) {
            int n = (int) Math.min(batch, records - done);
            list.clear();
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                list.add(Record.of(now, null, workload.value(done + i)));
            }
            int partition = (int) (calls++ % p);
            long t0 = System.nanoTime();
            AppendResult r = logs.get(partition).append(list);
            latency.record(System.nanoTime() - t0);
            diskBytes += r.sizeInBytes();
            perPartition[partition] += n;
            last[partition] = r;
            done += n;
            bar.update(done);
        }
        long nanos = System.nanoTime() - start;
        bar.done();
        long t0 = System.nanoTime();
        for (AppendResult r : last) {
            if (r != null) {
                r.durable().join();
            }
        }
        return new Appended(nanos, System.nanoTime() - t0, diskBytes, perPartition, latency);
    }

    /** What a read phase did. */
    private record Read(long nanos, long diskBytes, long batches, long records, long valueBytes, long[] perPartition) {
    }

    /**
     * Reads every partition from its log start offset to its high watermark in {@value #READ_BYTES}
     * byte reads; with {@code decode}, checks each batch's CRC and decodes every record.
     */
    private Read read(CliContext ctx, List<PartitionLog> logs, boolean decode, CodecResolver codecs) {
        ProgressBar bar = new ProgressBar(ctx.err(), ctx.terminal(), decode ? "read + decode" : "read batches", records,
                "records", recordSize);
        // whole batches into a direct buffer (as a server sending them on would); decoding from a heap buffer, as
        // a consumer does (codecs get heap arrays on both sides)
        ByteBuffer buf = decode ? ByteBuffer.allocate(READ_BYTES) : ByteBuffer.allocateDirect(READ_BYTES);
        long[] perPartition = new long[logs.size()];
        long diskBytes = 0;
        long batches = 0;
        long recordCount = 0;
        long valueBytes = 0;
        long start = System.nanoTime();
        try (RecordCursor cursor = new RecordCursor(codecs, BufferAllocator.HEAP)) {
            for (PartitionLog log : logs) {
                long offset = log.logStartOffset();
                long end = log.highWatermark();
                while (offset < end) {
                    try (FetchResult f = log.read(offset, READ_BYTES)) {
                        if (f.isEmpty()) {
                            break;
                        }
                        if (buf.capacity() < f.sizeInBytes()) {
                            buf = decode ? ByteBuffer.allocate(f.sizeInBytes()) : ByteBuffer.allocateDirect(f.sizeInBytes());
                        }
                        buf.clear();
                        f.readInto(buf);
                        buf.flip();
                        diskBytes += f.sizeInBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    long next = offset;
                    if (decode) {
                        RecordBatchReader reader = new RecordBatchReader(buf);
                        for (RecordBatch b; (b = reader.next()) != null; ) {
                            cursor.reset(b);
                            while (cursor.next()) {
                                recordCount++;
                                perPartition[log.partition()]++;
                                valueBytes += cursor.valueSize();
                            }
                            batches++;
                            next = b.nextOffset();
                        }
                    } else {
                        for (int pos = 0, limit = buf.limit(); pos < limit; pos += RecordBatchLayout.sizeInBytes(buf, pos)) {
                            int count = RecordBatchLayout.recordCount(buf, pos);
                            recordCount += count;
                            perPartition[log.partition()] += count;
                            batches++;
                            next = RecordBatchLayout.baseOffset(buf, pos) + RecordBatchLayout.lastOffsetDelta(buf, pos) + 1;
                        }
                    }
                    if (next <= offset) {
                        throw new CliException(log + ": no progress reading at offset " + offset);
                    }
                    offset = next;
                    bar.update(recordCount);
                }
            }
        }
        long nanos = System.nanoTime() - start;
        bar.done();
        return new Read(nanos, diskBytes, batches, recordCount, decode ? valueBytes : recordCount * recordSize, perPartition);
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("rivven: could not delete " + root + ": " + e.getMessage());
        }
    }
}
