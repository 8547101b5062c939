package io.rivven.cli.command;

import io.rivven.cli.dump.IndexDump;
import io.rivven.cli.dump.LogDump;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.log.LogFiles;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rivven dump FILE}: prints a segment file as it is on disk, like Kafka's
 * {@code kafka-dump-log}: the batches of a {@code .log} ({@link LogDump}), the entries of a
 * {@code .index} or {@code .timeindex} ({@link IndexDump}). Also {@code .log.deleted},
 * {@code .log.cleaned} and {@code .log.swap} leftovers.
 *
 * <p>The file is opened read-only (mapped) and never modified; the engine need not be stopped, but
 * a file being written may show a torn tail. The codecs named and used to decode records are the
 * installed plugins (the config's plugin folders and the distribution's). Exit code 0 whenever the
 * file could be read, damaged or not: use {@code rivven verify} to check data.
 */
@Command(name = "dump", sortOptions = false,
        description = {"Print a segment file like kafka-dump-log: every batch of a .log (offsets, position, size, codec, "
            + "CRC valid or not, record count, max timestamp) or every entry of a .index / .timeindex.",
            "The file is only read, never modified."})
public final class DumpCommand implements Callable<Integer> {

    @ParentCommand
    ContextHolder rivven;

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "FILE", description = "A .log, .index or .timeindex file.")
    Path file;

    @Option(names = "--print-records", description = "Also print every record of each batch (.log only).")
    boolean printRecords;

    @Override
    public Integer call() throws IOException {
        CliContext ctx = rivven.context();
        Path path = ctx.workingDir().resolve(file).normalize();
        if (Files.isDirectory(path)) {
            throw new CliException(path + ": is a directory; expected a segment's ." + LogFiles.LOG + ", ." + LogFiles.OFFSET_INDEX
                    + " or ." + LogFiles.TIME_INDEX + " file");
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, Files.exists(path) ? "not a regular file" : null);
        }
        String name = path.getFileName().toString();
        if (isKind(name, LogFiles.LOG)) {
            RivvenConfig cfg = ctx.config(config.file());
            Plugins plugins = ctx.plugins(cfg);
            try (Arena arena = Arena.ofConfined()) {
                ByteBuffer data = map(path, arena).asByteBuffer();
                new LogDump(ctx.out(), plugins.codecs(), printRecords, RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE).dump(path, data);
            }
        } else if (isKind(name, LogFiles.OFFSET_INDEX)) {
            long base = baseOffset(path);
            Path log = path.resolveSibling(LogFiles.baseName(base) + "." + LogFiles.LOG);
            try (Arena arena = Arena.ofConfined()) {
                ByteBuffer logData = Files.isRegularFile(log) ? map(log, arena).asByteBuffer() : null;
                new IndexDump(ctx.out()).dumpOffsetIndex(path, base, map(path, arena), logData);
            }
        } else if (isKind(name, LogFiles.TIME_INDEX)) {
            long base = baseOffset(path);
            try (Arena arena = Arena.ofConfined()) {
                new IndexDump(ctx.out()).dumpTimeIndex(path, base, map(path, arena));
            }
        } else {
            throw new CliException(path + ": cannot dump this kind of file; expected a segment's ."
                    + LogFiles.LOG + ", ." + LogFiles.OFFSET_INDEX + " or ." + LogFiles.TIME_INDEX + " file");
        }
        ctx.out().flush();
        return 0;
    }

    /** {@code x.<suffix>} or a leftover {@code x.<suffix>.deleted|.cleaned|.swap}. */
    private static boolean isKind(String name, String suffix) {
        for (String tag : new String[] {"", LogFiles.DELETED, LogFiles.CLEANED, LogFiles.SWAP}) {
            if (name.endsWith("." + suffix + tag)) {
                return true;
            }
        }
        return false;
    }

    private static long baseOffset(Path path) {
        OptionalLong base = LogFiles.baseOffsetOf(path.getFileName().toString());
        if (base.isEmpty()) {
            throw new CliException(path + ": an index file is named <20-digit base offset>.<suffix> (its entries are "
                    + "relative to that offset); rename a copy, e.g. 00000000000000000000." + LogFiles.OFFSET_INDEX);
        }
        return base.getAsLong();
    }

    /** The whole file, mapped read-only (the mapping lives as long as {@code arena}). */
    private static MemorySegment map(Path path, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new CliException(path + ": " + size + " bytes, more than a segment file can hold (" + Integer.MAX_VALUE + ")");
            }
            return size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }
}
