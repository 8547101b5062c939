package io.rivven.it.crash;

import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.AppendResult;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.record.Record;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link CrashTest} kills: opens (and so recovers) the engine over a data directory
 * with the given {@code flush.mode} ({@code always}: an acknowledged append is fsynced; {@code os}:
 * it is in the page cache, which a killed process leaves behind), then appends from several
 * threads until it is killed, printing one line per acknowledged append, flushed before the next
 * append starts: {@code acked <partition> <base offset> <first record number> <record count> .}
 * Record number n has key {@code k-n} and the value {@link #value(long)}.
 *
 * <p>Arguments: data directory, first record number (unique per run), partitions, threads, flush mode.
 */
public final class CrashChild {

    static final String TOPIC = "crash";

    private CrashChild() {
    }

    /** The engine config the child and the test's checks use. */
    static RivvenConfig config(Path dataDir, String flushMode) {
        String json = "{\"dataDir\": \"" + dataDir.toAbsolutePath().toString().replace("\\", "\\\\") + "\", \"pluginDirs\": [],"
                + " \"io\": {\"type\": \"nio\"}, \"defaults\": {\"compression\": {\"type\": \"none\"},"
                + " \"segment\": {\"bytes\": 262144, \"indexIntervalBytes\": 4096, \"indexMaxBytes\": 8192},"
                + " \"flush\": {\"mode\": \"" + flushMode + "\"}}}";
        return RivvenConfig.parse(json, "crash-test.json");
    }

    static String key(long n) {
        return "k-" + n;
    }

    /** The value of record n: derived from n, 10 to 400 bytes, so that any mix-up or damage shows. */
    static String value(long n) {
        int len = 10 + (int) Math.floorMod(n * 7919, 391L);
        StringBuilder sb = new StringBuilder(len).append('v').append(n).append(':');
        while (sb.length() < len) {
            sb.append((char) ('a' + Math.floorMod(n + sb.length() * 31L, 26L)));
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        AtomicLong next = new AtomicLong(Long.parseLong(args[1]));
        int partitions = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        String flushMode = args[4];
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        StorageEngine engine = StorageEngine.open(config(dataDir, flushMode));
        if (engine.topic(TOPIC).isEmpty()) {
            engine.createTopic(TOPIC, partitions);
        }
        synchronized (out) {
            out.println("ready .");
            out.flush();
        }
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("appender-" + t).start(() -> {
                try {
                    append(engine, next, partitions, out);
                } catch (Throwable e) {
                    e.printStackTrace();
                    Runtime.getRuntime().halt(3); // the test fails when the child dies on its own
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
    }

    private static void append(StorageEngine engine, AtomicLong next, int partitions, PrintStream out) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            int count = 1 + rnd.nextInt(4);
            long first = next.getAndAdd(count);
            List<Record> records = new ArrayList<>(count);
            for (long n = first; n < first + count; n++) {
                records.add(Record.of(System.currentTimeMillis(), key(n), value(n)));
            }
            int partition = rnd.nextInt(partitions);
            PartitionLog log = engine.partition(TOPIC, partition);
            AppendResult r = log.append(records); // always: durable when it returns; os: in the page cache
            synchronized (out) {
                out.println("acked " + partition + " " + r.baseOffset() + " " + first + " " + count + " .");
                out.flush();
            }
        }
    }
}
