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

/**
 * The process {@link LifecycleCrashTest} kills: opens (and so recovers) the engine with
 * {@code flush.mode} {@code always}, prints every topic it finds, then, from one thread until it is
 * killed, creates topics (names from a small pool, so names are reused after a deletion), appends a
 * few records, rolls segments, applies size retention and deletes topics, printing a line before and
 * after each step that changes topics or the log start (each line flushed before the next step):
 * <pre>
 *   exists &lt;topic&gt; &lt;partitions&gt; .            (after open, one per topic; then "ready .")
 *   creating &lt;topic&gt; &lt;partitions&gt; .   /   created &lt;topic&gt; &lt;partitions&gt; .
 *   acked &lt;topic&gt; &lt;partition&gt; &lt;base offset&gt; &lt;first record number&gt; &lt;count&gt; .
 *   retaining &lt;topic&gt; &lt;partition&gt; .   /   retained &lt;topic&gt; &lt;partition&gt; &lt;log start offset&gt; .
 *   deleting &lt;topic&gt; .   /   deleted &lt;topic&gt; .
 * </pre>
 * Record number n has key {@code k-n} and the value {@link CrashChild#value(long)}.
 *
 * <p>Arguments: data directory, first record number (unique per run).
 */
public final class LifecycleCrashChild {

    static final List<String> NAMES = List.of("t0", "t1", "t2", "t3", "t4", "t5");
    static final int MAX_PARTITIONS = 3;

    private LifecycleCrashChild() {
    }

    /** Small segments (a roll every few appends) and size retention of a few segments per partition. */
    static RivvenConfig config(Path dataDir) {
        String json = "{\"dataDir\": \"" + dataDir.toAbsolutePath().toString().replace("\\", "\\\\") + "\", \"pluginDirs\": [],"
                + " \"io\": {\"type\": \"nio\"}, \"defaults\": {\"compression\": {\"type\": \"none\"},"
                + " \"segment\": {\"bytes\": 2048, \"indexIntervalBytes\": 512, \"indexMaxBytes\": 1024},"
                + " \"retention\": {\"ms\": -1, \"bytes\": 6144},"
                + " \"flush\": {\"mode\": \"always\"}}}";
        return RivvenConfig.parse(json, "lifecycle-crash-test.json");
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        long next = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        StorageEngine engine = StorageEngine.open(config(dataDir));
        for (String t : engine.topics()) {
            say(out, "exists " + t + " " + engine.topic(t).orElseThrow().partitionCount());
        }
        say(out, "ready");
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try {
            while (true) {
                List<String> live = engine.topics();
                double r = rnd.nextDouble();
                if (live.size() < 2 || (r < 0.10 && live.size() < NAMES.size())) {
                    List<String> free = new ArrayList<>(NAMES);
                    free.removeAll(live);
                    String t = free.get(rnd.nextInt(free.size()));
                    int n = 1 + rnd.nextInt(MAX_PARTITIONS);
                    say(out, "creating " + t + " " + n);
                    engine.createTopic(t, n);
                    say(out, "created " + t + " " + n);
                    continue;
                }
                String t = live.get(rnd.nextInt(live.size()));
                int partitions = engine.topic(t).orElseThrow().partitionCount();
                int p = rnd.nextInt(partitions);
                PartitionLog log = engine.partition(t, p);
                if (r < 0.18) {
                    say(out, "deleting " + t);
                    engine.deleteTopic(t);
                    say(out, "deleted " + t);
                } else if (r < 0.28) {
                    log.roll();
                } else if (r < 0.38) {
                    say(out, "retaining " + t + " " + p);
                    log.applyRetention();
                    say(out, "retained " + t + " " + p + " " + log.logStartOffset());
                } else {
                    int count = 1 + rnd.nextInt(4);
                    List<Record> records = new ArrayList<>(count);
                    for (long n = next; n < next + count; n++) {
                        records.add(Record.of(System.currentTimeMillis(), CrashChild.key(n), CrashChild.value(n)));
                    }
                    AppendResult a = log.append(records); // durable when it returns
                    say(out, "acked " + t + " " + p + " " + a.baseOffset() + " " + next + " " + count);
                    next += count;
                }
            }
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(3); // the test fails when the child dies on its own
        }
    }

    private static void say(PrintStream out, String line) {
        out.println(line + " .");
        out.flush();
    }
}
