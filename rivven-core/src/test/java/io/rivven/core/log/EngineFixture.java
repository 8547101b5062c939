package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Builds engines over a temp directory for the log tests, and the helpers the tests share. */
final class EngineFixture {

    static final Plugins PLUGINS = PluginLoader.create().load();
    static final CodecResolver CODECS = PLUGINS.codecs()::forId;
    static final long T0 = 1_700_000_000_000L;

    final Path dataDir;
    final AtomicLong clock = new AtomicLong(T0);
    private String defaults = "";
    private String io = "nio";
    private String compression = "none";
    private Plugins plugins = PLUGINS;

    EngineFixture(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** {@code json} is the inside of the "defaults" object, e.g. {@code "flush": {"mode": "os"}}. */
    EngineFixture defaults(String json) {
        this.defaults = json;
        return this;
    }

    /** The default compression codec of the topics (default none). */
    EngineFixture compression(String type) {
        this.compression = type;
        return this;
    }

    /** Plugins to use instead of the ones on the module path. */
    EngineFixture plugins(Plugins plugins) {
        this.plugins = plugins;
        return this;
    }

    /** The plugins the engines get. */
    Plugins plugins() {
        return plugins;
    }

    /** The I/O backend to use (default nio). */
    EngineFixture io(String type) {
        this.io = type;
        return this;
    }

    /** Engines on {@code faulty} as their I/O backend (the standard plugins plus it). */
    EngineFixture faultyIo(FaultyIoProvider faulty) {
        return plugins(pluginsWith(faulty)).io(faulty.name());
    }

    /** The same settings over another data directory. */
    EngineFixture at(Path otherDataDir) {
        return new EngineFixture(otherDataDir).defaults(defaults).plugins(plugins).io(io).compression(compression);
    }

    /** The module path's plugins plus {@code extra}. */
    static Plugins pluginsWith(io.rivven.api.PluginProvider... extra) {
        Plugins.Builder b = Plugins.builder();
        for (io.rivven.core.plugin.PluginInfo<?> info : PLUGINS.all()) {
            b.add(info.provider(), info.source());
        }
        for (io.rivven.api.PluginProvider p : extra) {
            b.add(p);
        }
        return b.build();
    }

    RivvenConfig config() {
        String json = "{\"dataDir\": \"" + dataDir.toString().replace("\\", "\\\\") + "\", \"pluginDirs\": [],"
                + " \"io\": {\"type\": \"" + io + "\"}, \"defaults\": {\"compression\": {\"type\": \"" + compression + "\"}"
                + (defaults.isEmpty() ? "" : ", " + defaults) + "}}";
        return RivvenConfig.parse(json, "test.json");
    }

    StorageEngine open() throws IOException {
        return StorageEngine.builder(config()).plugins(plugins).clock(clock::get).open();
    }

    /** {@code rivven verify} over this data directory. */
    VerifyReport verify() {
        return LogVerifier.verify(config(), plugins, Optional.empty());
    }

    Path partitionDir(String topic, int partition) {
        return dataDir.resolve("topics").resolve(topic).resolve(LogFiles.partitionDirName(partition));
    }

    /** Appends {@code batches} batches of {@code perBatch} records ({@link #records}) from offset 0 on. */
    static void fill(PartitionLog p, int batches, int perBatch, int valueSize) {
        for (int i = 0; i < batches; i++) {
            p.append(records(i * perBatch, perBatch, valueSize));
        }
    }

    /** {@code count} records numbered from {@code from}: key "key-i", value "value-i-..." of about {@code valueSize} bytes. */
    static List<Record> records(int from, int count, int valueSize) {
        List<Record> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            out.add(Record.of(T0 + i, "key-" + i, valueOf(i, valueSize)));
        }
        return out;
    }

    static String valueOf(int i, int valueSize) {
        StringBuilder sb = new StringBuilder("value-").append(i).append('-');
        while (sb.length() < valueSize) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        return sb.toString();
    }

    /** What {@link #readAll} returns for records {@code from .. from + count - 1} made by {@link #records}. */
    static List<String> expected(int from, int count, int valueSize) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(i + ":key-" + i + ":" + valueOf(i, valueSize));
        }
        return out;
    }

    /**
     * Every record from {@code from} to the high watermark, as "offset:key:value", reading the way a
     * consumer does; fails if a read returns a partial or invalid batch (bad CRC, offsets not increasing).
     */
    static List<String> readAll(PartitionLog log, long from) {
        return readAll(log, from, CODECS);
    }

    /** {@link #readAll(PartitionLog, long)} decompressing with {@code codecs}. */
    static List<String> readAll(PartitionLog log, long from, CodecResolver codecs) {
        List<String> out = new ArrayList<>();
        long offset = from;
        long end = log.highWatermark();
        while (offset < end) {
            try (FetchResult f = log.read(offset, 64 * 1024)) {
                assertFalse(f.isEmpty(), "read at " + offset + " below the high watermark returned nothing");
                RecordBatchReader r = new RecordBatchReader(f.toByteBuffer()).requireIncreasingOffsets(true);
                RecordBatch batch;
                while ((batch = r.next()) != null) {
                    try (RecordCursor c = batch.records(codecs, BufferAllocator.HEAP)) {
                        while (c.next()) {
                            if (c.offset() >= offset) {
                                out.add(c.offset() + ":" + string(c.key()) + ":" + string(c.value()));
                            }
                        }
                    }
                    offset = batch.lastOffset() + 1;
                }
                assertTrue(r.isAtEnd(), "a read returned a partial batch");
            }
        }
        return out;
    }

    static String string(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** The files of {@code dir} whose names end with {@code "." + suffix}, sorted. */
    static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith("." + suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All file names in {@code dir}, sorted. */
    static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void flip(Path file, long position, int mask) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.flip();
            byte v = (byte) (b.get(0) ^ mask);
            ch.write(ByteBuffer.wrap(new byte[] {v}), position);
        }
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The batches of a {@code .log} file: {position, size, baseOffset, lastOffset} each. */
    static List<long[]> batches(Path log) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(log));
        RecordBatchReader r = new RecordBatchReader(b);
        List<long[]> out = new ArrayList<>();
        for (RecordBatch batch; (batch = r.next()) != null; ) {
            out.add(new long[] {batch.position(), batch.sizeInBytes(), batch.baseOffset(), batch.lastOffset()});
        }
        return out;
    }

    /**
     * Appends {@code batches} batches of {@code perBatch} records ({@link #records}) with values of
     * {@code valueSize} bytes, batch {@code i} holding offsets {@code i * perBatch} onwards.
     */
    static void appendBatches(PartitionLog p, int batches, int perBatch, int valueSize) {
        for (int i = 0; i < batches; i++) {
            p.append(records(i * perBatch, perBatch, valueSize));
        }
    }

    /** Waits for {@code latch}; the deadline only stops a hang (no timing is asserted). */
    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the hook");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits for a state another thread reaches (no timing is asserted: the deadline only stops a hang). */
    static void waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.onSpinWait();
        }
    }
}
