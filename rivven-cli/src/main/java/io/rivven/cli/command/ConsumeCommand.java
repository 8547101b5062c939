package io.rivven.cli.command;

import io.rivven.api.BufferAllocator;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.log.FetchResult;
import io.rivven.core.log.OffsetOutOfRangeException;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.log.StorageException;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rivven consume}: prints the records of one partition, from a start offset up to the high
 * watermark at the time the command started (it does not wait for more).
 *
 * <p>Output, one line per record, fields separated by a tab, keys and values decoded as UTF-8
 * (malformed bytes become U+FFFD), a null key or value printed as {@code null}:
 * <ul>
 *   <li>by default: {@code value}</li>
 *   <li>{@code --print-key}: {@code key<TAB>value}</li>
 *   <li>{@code --print-offset} (with or without {@code --print-key}): {@code offset<TAB>key<TAB>value}</li>
 * </ul>
 * Start: the log start offset, or {@code --from-offset O} (an offset outside
 * {@code [log start offset, high watermark]} fails), or {@code --from-time MILLIS}: the first record
 * whose timestamp is at or after it (nothing is printed when every record is older).
 */
@Command(name = "consume", sortOptions = false,
        description = {"Print the records of a partition, one per line: value, or key<TAB>value (--print-key), or "
            + "offset<TAB>key<TAB>value (--print-offset).",
            "Reads from the log start offset (or --from-offset / --from-time) to the high watermark at start; does not wait for more."})
public final class ConsumeCommand implements Callable<Integer> {

    /** Bytes asked for per read. */
    static final int FETCH_BYTES = 1 << 20;

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

    @ArgGroup(exclusive = true)
    Start start;

    static final class Start {
        @Option(names = "--from-offset", paramLabel = "O", description = "Start at this offset (default: the log start offset).")
        Long offset;

        @Option(names = "--from-time", paramLabel = "MILLIS",
                description = "Start at the first record with a timestamp at or after MILLIS (ms since the epoch).")
        Long time;
    }

    @Option(names = "--max", paramLabel = "M", description = "Stop after M records.")
    Long max;

    @Option(names = "--print-key", description = "Print key<TAB>value.")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print offset<TAB>key<TAB>value.")
    boolean printOffset;

    @Override
    public Integer call() throws IOException {
        if (max != null && max < 0) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 0, got " + max);
        }
        CliContext ctx = rivven.context();
        RivvenConfig cfg = ctx.config(config.file());
        Plugins plugins = ctx.plugins(cfg);
        try (StorageEngine engine = ctx.openEngine(cfg, plugins)) {
            PartitionLog log = engine.partition(topic, partition);
            long end = log.highWatermark();
            long from;
            if (start != null && start.offset != null) {
                from = start.offset;
                long lso = log.logStartOffset();
                if (from < lso || from > end) {
                    throw new OffsetOutOfRangeException(topic + "-" + partition + ": offset " + from + " is outside the log ["
                            + lso + ", " + end + "]; use an offset from the log start offset (" + lso
                            + ") to the high watermark (" + end + "), or --from-time");
                }
            } else if (start != null && start.time != null) {
                from = log.offsetForTimestamp(start.time).orElse(end);
            } else {
                from = log.logStartOffset();
            }
            print(ctx.out(), log, plugins.codecs()::forId, from, end, max == null ? Long.MAX_VALUE : max);
        }
        return 0;
    }

    private void print(PrintWriter out, PartitionLog log, CodecResolver codecs, long from, long end, long max) {
        ByteBuffer buf = ByteBuffer.allocate(FETCH_BYTES);
        StringBuilder line = new StringBuilder(256);
        long offset = from;
        long printed = 0;
        try (RecordCursor cursor = new RecordCursor(codecs, BufferAllocator.HEAP)) {
            while (offset < end && printed < max) {
                long position;
                String file;
                try (FetchResult f = log.read(offset, FETCH_BYTES)) {
                    if (f.isEmpty()) {
                        break;
                    }
                    if (buf.capacity() < f.sizeInBytes()) {
                        buf = ByteBuffer.allocate(f.sizeInBytes());
                    }
                    buf.clear();
                    f.readInto(buf);
                    buf.flip();
                    position = f.position();
                    file = String.valueOf(f.file());
                } catch (IOException e) {
                    throw new StorageException(log + ": read at offset " + offset + " failed: " + e.getMessage(), e);
                }
                RecordBatchReader reader = new RecordBatchReader(buf).source(file).basePosition(position);
                long before = offset;
                for (RecordBatch batch; printed < max && (batch = reader.next()) != null; ) {
                    cursor.reset(batch);
                    while (printed < max && cursor.next()) {
                        long o = cursor.offset();
                        if (o < offset) {
                            continue; // the first batch may start below the offset asked for
                        }
                        if (o >= end) {
                            break;
                        }
                        line.setLength(0);
                        if (printOffset) {
                            line.append(o).append('\t');
                        }
                        if (printOffset || printKey) {
                            appendUtf8(line, cursor.hasKey() ? cursor.buffer() : null, cursor.keyIndex(), cursor.keySize());
                            line.append('\t');
                        }
                        appendUtf8(line, cursor.hasValue() ? cursor.buffer() : null, cursor.valueIndex(), cursor.valueSize());
                        out.println(line);
                        printed++;
                    }
                    offset = Math.max(offset, batch.nextOffset());
                }
                if (out.checkError()) {
                    break; // stdout was closed (e.g. piped into head): nobody reads the rest
                }
                if (offset == before) {
                    throw new StorageException(file + ": no complete batch at position " + position + " for offset " + offset
                            + " of " + log + "; run rivven verify");
                }
            }
        }
        out.flush();
    }

    /** Appends {@code size} bytes at {@code index} of {@code b} decoded as UTF-8, or {@code null} when {@code b} is null. */
    static void appendUtf8(StringBuilder sb, ByteBuffer b, int index, int size) {
        if (b == null) {
            sb.append("null");
        } else if (b.hasArray()) {
            sb.append(new String(b.array(), b.arrayOffset() + index, size, StandardCharsets.UTF_8));
        } else {
            byte[] copy = new byte[size];
            b.get(index, copy);
            sb.append(new String(copy, StandardCharsets.UTF_8));
        }
    }
}
