package io.rivven.cli.command;

import io.rivven.api.BufferAllocator;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.cli.support.LineReader;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.log.AppendResult;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Stack;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rivven produce}: appends each line of standard input as a record to one partition.
 *
 * <p>A line is split into key and value at the first {@code --key-separator} (a line without it has
 * no key and the whole line as value); without the option records have no key. Lines end at
 * {@code \n} (a {@code \r} before it is dropped); bytes are taken as they are (UTF-8 expected, not
 * checked). Timestamp: the time the line was read.
 *
 * <p>Lines are batched: a batch is appended when it holds {@value #MAX_BATCH_RECORDS} records or
 * {@value #MAX_BATCH_BYTES} bytes, or when standard input has nothing more ready (so typing a line
 * appends it at once). Each batch is encoded here with {@link RecordBatchWriter}, compressed with the
 * topic's codec or {@code --codec}, and appended ready-made ({@link PartitionLog#appendBatch}:
 * validated, offsets assigned, not re-encoded).
 *
 * <p>With {@code --print-acks}, prints {@code acked <last offset of the batch>} for each batch, in
 * order, once the batch is durable under the topic's flush mode (after its fsync for {@code always}
 * and {@code interval}, at once for {@code os}); each line is flushed as it is printed, and an
 * acknowledged offset survives a crash of the process (and, except under {@code os}, of the machine).
 *
 * <p>A topic that does not exist is created with the config's settings for it (its entry in
 * {@code topics}, else {@code defaults}); a note on stderr says so.
 */
@Command(name = "produce", sortOptions = false,
        description = {"Append each line of stdin as a record (key and value split at --key-separator when given).",
            "A missing topic is created with the config's settings (noted on stderr)."})
public final class ProduceCommand implements Callable<Integer> {

    /** Records per appended batch at most. */
    public static final int MAX_BATCH_RECORDS = 500;
    /** Batch size (uncompressed) at which a batch is appended. */
    public static final int MAX_BATCH_BYTES = 1 << 20;
    /** Room left in a batch for its header, a record's framing and a codec's framing of incompressible data. */
    static final int RECORD_MARGIN = 64 * 1024;

    @ParentCommand
    ContextHolder rivven;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "The topic.")
    String topic;

    @Option(names = "--partition", paramLabel = "N", defaultValue = "0", description = "The partition (default: ${DEFAULT-VALUE}).")
    int partition;

    @Option(names = "--key-separator", paramLabel = "S", parameterConsumer = AnyString.class,
            description = "Split each line into key and value at the first S (a line without S has no key).")
    String keySeparator;

    @Option(names = "--codec", paramLabel = "NAME",
            description = "Compress with this codec instead of the topic's (e.g. none, gzip, lz4, zstd, snappy).")
    String codecName;

    @Option(names = "--print-acks", description = "Print 'acked <offset>' (last offset of each batch) once the batch is durable.")
    boolean printAcks;

    /**
     * Takes the next argument as the value whatever it looks like ({@code --key-separator --},
     * {@code --key-separator=--}), as getopt does; picocli would refuse {@code --} and option names.
     */
    static final class AnyString implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            if (args.isEmpty()) {
                throw new ParameterException(commandSpec.commandLine(),
                        "Missing required parameter for option '" + ((OptionSpec) argSpec).longestName() + "' (" + argSpec.paramLabel() + ")");
            }
            argSpec.setValue(args.pop());
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        CliContext ctx = rivven.context();
        RivvenConfig cfg = ctx.config(config.file());
        Plugins plugins = ctx.plugins(cfg);
        byte[] separator = keySeparator == null ? null : keySeparator.getBytes(StandardCharsets.UTF_8);
        if (separator != null && separator.length == 0) {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        try (StorageEngine engine = ctx.openEngine(cfg, plugins)) {
            if (engine.topic(topic).isEmpty()) {
                int partitions = cfg.topic(topic).partitions();
                String created = partitions + " partition" + (partitions == 1 ? "" : "s") + " (settings: " + cfg.source() + " → "
                        + (cfg.topics().containsKey(topic) ? "topics." + topic : "defaults") + ")";
                if (partition < 0 || partition >= partitions) { // a failed command creates no topic
                    throw new CliException("no topic '" + topic + "', and it would be created with " + created
                            + ", so there is no partition " + partition + "; create it first with rivven topics create "
                            + topic + " --partitions N");
                }
                engine.createTopic(topic, partitions);
                ctx.err().println("rivven: created topic '" + topic + "' with " + created);
                ctx.err().flush();
            }
            PartitionLog log = engine.partition(topic, partition);
            Codec codec = codecName == null ? log.config().codec()
                    : plugins.codecs().get(codecName, "--codec").create(PluginConfig.empty("--codec"));
            try (AckPrinter acks = printAcks ? new AckPrinter(ctx) : null) {
                try {
                    produce(ctx, log, codec, separator, acks);
                } catch (IOException | RuntimeException e) {
                    releaseAcks(log, acks, e); // what was appended before the failure is acknowledged now too
                    throw e;
                }
                releaseAcks(log, acks, null);
            }
        }
        return 0;
    }

    private static void produce(CliContext ctx, PartitionLog log, Codec codec, byte[] separator, AckPrinter acks)
            throws IOException, InterruptedException {
        int maxBatch = log.config().maxBatchBytes();
        int maxRecord = maxBatch - RECORD_MARGIN;
        LineReader lines = new LineReader(ctx.in(), maxRecord);
        // direct memory: the log writes the batch to the file without copying it into a temporary direct buffer
        try (RecordBatchWriter writer = new RecordBatchWriter(BufferAllocator.DIRECT, RecordBatchWriter.DEFAULT_INITIAL_CAPACITY)) {
            writer.reset(0, codec);
            long read = 0;
            while (next(lines, read, log, writer, codec, acks)) {
                read++;
                byte[] b = lines.buffer();
                int start = lines.start();
                int end = lines.end();
                if (!writer.isEmpty() && (long) writer.sizeInBytes() + (end - start) + RECORD_MARGIN > maxBatch) {
                    append(log, writer, codec, acks); // a huge line goes into a batch of its own
                }
                int split = separator == null ? -1 : indexOf(b, start, end, separator);
                ByteBuffer key = split < 0 ? null : ByteBuffer.wrap(b, start, split - start);
                ByteBuffer value = split < 0 ? ByteBuffer.wrap(b, start, end - start)
                        : ByteBuffer.wrap(b, split + separator.length, end - split - separator.length);
                writer.append(System.currentTimeMillis(), key, value);
                if (writer.recordCount() >= MAX_BATCH_RECORDS || writer.sizeInBytes() >= MAX_BATCH_BYTES || !lines.ready()) {
                    append(log, writer, codec, acks);
                }
            }
            if (!writer.isEmpty()) {
                append(log, writer, codec, acks);
            }
        }
    }

    /**
     * The input ended (or the command failed): under {@code interval} the appends whose acks are
     * waiting are flushed now rather than at the next group commit. A failure of that flush is
     * added to {@code failure} when there is one, else thrown.
     */
    private static void releaseAcks(PartitionLog log, AckPrinter acks, Exception failure) {
        if (acks == null || log.config().flushMode() != FlushMode.INTERVAL) {
            return;
        }
        try {
            log.flush();
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    /**
     * {@link LineReader#next()}; a line too long for a record fails the command after the lines
     * before it (the {@code read} of them) are appended, so that what was stored is every line
     * before the bad one, not that minus the batch that happened to be pending.
     */
    private static boolean next(LineReader lines, long read, PartitionLog log, RecordBatchWriter writer, Codec codec,
            AckPrinter acks) throws IOException, InterruptedException {
        try {
            return lines.next();
        } catch (CliException tooLong) {
            if (!writer.isEmpty()) {
                append(log, writer, codec, acks);
            }
            throw new CliException(tooLong.getMessage() + (read == 0 ? "; no line was appended"
                    : read == 1 ? "; the line before it was appended" : "; the " + read + " lines before it were appended"), tooLong);
        }
    }

    private static void append(PartitionLog log, RecordBatchWriter writer, Codec codec, AckPrinter acks)
            throws InterruptedException {
        AppendResult r = log.appendBatch(writer.build());
        writer.reset(0, codec);
        if (acks != null) {
            acks.add(r);
        }
    }

    private static int indexOf(byte[] b, int from, int to, byte[] sep) {
        outer:
        for (int i = from, last = to - sep.length; i <= last; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (b[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Prints {@code acked <offset>} for each append once it is durable, in append order, from its
     * own thread (so that acks appear while the producer waits for input). A failed fsync stops it;
     * the producer sees the failure at its next append or at {@link #close()}.
     */
    private static final class AckPrinter implements AutoCloseable {
        private static final AppendResult END = new AppendResult(-1, -1, 0, null);

        private final BlockingQueue<AppendResult> queue = new LinkedBlockingQueue<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        AckPrinter(CliContext ctx) {
            thread = Thread.ofPlatform().name("rivven-acks").daemon().start(() -> {
                try {
                    for (AppendResult r; (r = queue.take()) != END; ) {
                        r.durable().join();
                        ctx.out().println("acked " + r.lastOffset());
                        ctx.out().flush();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (CompletionException e) {
                    failure.set(e.getCause() != null ? e.getCause() : e);
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            });
        }

        void add(AppendResult r) {
            rethrow();
            queue.add(r);
        }

        private void rethrow() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }

        /** Waits until every queued ack is printed. */
        @Override
        public void close() throws InterruptedException {
            queue.add(END);
            thread.join();
            rethrow();
        }
    }
}
