package io.rivven.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.Main;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProduceConsumeTest extends CliFixture {

    @BeforeEach
    void writeConfig() {
        config(CONFIG);
    }

    @Test
    void keysAndValuesRoundTrip() {
        Result p = runWithInput("k1:v1\nno separator\nk3:v:3\r\n\n:empty key\nlast line without newline",
                "produce", "--topic", "orders", "--key-separator", ":");
        assertEquals(0, p.code(), p.err());
        assertEquals("", p.out());

        Result c = run("consume", "--topic", "orders", "--print-offset");
        assertEquals(0, c.code(), c.err());
        assertEquals(List.of("0\tk1\tv1", "1\tnull\tno separator", "2\tk3\tv:3", "3\tnull\t", "4\t\tempty key",
                "5\tnull\tlast line without newline"), c.lines());

        assertEquals(List.of("v1", "no separator", "v:3", "", "empty key", "last line without newline"),
                run("consume", "--topic", "orders").lines());
        assertEquals(List.of("k1\tv1", "null\tno separator", "k3\tv:3", "null\t", "\tempty key", "null\tlast line without newline"),
                run("consume", "--topic", "orders", "--print-key").lines());
        assertEquals(run("consume", "--topic", "orders", "--print-offset").lines(),
                run("consume", "--topic", "orders", "--print-offset", "--print-key").lines());
    }

    @Test
    void multiByteSeparatorsAndUtf8() {
        assertEquals(0, runWithInput("schlüssel=>wert → ü\n", "produce", "--topic", "t", "--key-separator", "=>").code());
        assertEquals(List.of("schlüssel\twert → ü"), run("consume", "--topic", "t", "--print-key").lines());
    }

    @Test
    void aMissingTopicIsCreatedWithTheDefaultsAndSaysSoOnStderr() {
        config("""
                { "dataDir": "data", "io": "nio", "defaults": { "compression": "none", "partitions": 3 } }""");
        Result r = runWithInput("a\n", "produce", "--topic", "fresh", "--partition", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("rivven: created topic 'fresh' with 3 partitions (settings: rivven.json → defaults)"), r.errLines());
        assertTrue(Files.isDirectory(cwd.resolve("data/topics/fresh/partition-2")));

        Result again = runWithInput("b\n", "produce", "--topic", "fresh", "--partition", "2");
        assertEquals("", again.err(), "only a missing topic is noted");
        assertEquals(List.of("a", "b"), run("consume", "--topic", "fresh", "--partition", "2").lines());
        assertEquals(List.of(), run("consume", "--topic", "fresh", "--partition", "0").lines());
    }

    @Test
    void printAcksPrintsTheLastOffsetOfEachBatchInOrder() {
        String input = IntStream.range(0, 1200).mapToObj(i -> "record-" + i).collect(Collectors.joining("\n", "", "\n"));
        Result r = runWithInput(input, "produce", "--topic", "acks", "--print-acks");
        assertEquals(0, r.code(), r.err());
        // batches of at most 500 lines while more input is ready, then what is left
        assertEquals(List.of("acked 499", "acked 999", "acked 1199"), r.lines());

        config("""
                { "dataDir": "data", "io": "nio", "defaults": { "compression": "none", "flush": { "mode": "always" } } }""");
        Result always = runWithInput("x\ny\n", "produce", "--topic", "acks", "--print-acks");
        assertEquals(List.of("acked 1201"), always.lines());
        assertEquals(1202, run("consume", "--topic", "acks").lines().size());
    }

    @Test
    void linesAreAppendedAsSoonAsNoMoreInputIsReady() {
        // as when typing: each chunk of input is appended (and acknowledged) before the next arrives
        Result r = runWithChunks(List.of("a\nb\n", "c\n", "d\ne\nf"), "produce", "--topic", "typed", "--print-acks");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("acked 1", "acked 2", "acked 4", "acked 5"), r.lines(),
                "the unterminated last line waits for the end of the input");
    }

    @Test
    void withoutPrintAcksNothingIsPrinted() {
        Result r = runWithInput("a\nb\n", "produce", "--topic", "quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void maxAndFromOffset() {
        runWithInput("a\nb\nc\nd\ne\n", "produce", "--topic", "t");
        assertEquals(List.of("a", "b"), run("consume", "--topic", "t", "--max", "2").lines());
        assertEquals(List.of("2\tnull\tc", "3\tnull\td"), run("consume", "--topic", "t", "--from-offset", "2", "--max", "2", "--print-offset").lines());
        assertEquals(List.of("e"), run("consume", "--topic", "t", "--from-offset", "4").lines());
        assertEquals(List.of(), run("consume", "--topic", "t", "--from-offset", "5").lines(), "the high watermark: nothing yet");
        assertEquals(List.of(), run("consume", "--topic", "t", "--max", "0").lines());
    }

    @Test
    void fromTimeStartsAtTheFirstRecordAtOrAfterTheTimestamp() throws InterruptedException {
        runWithInput("old-1\nold-2\n", "produce", "--topic", "t");
        Thread.sleep(3);
        long between = System.currentTimeMillis();
        Thread.sleep(3);
        runWithInput("new-1\nnew-2\n", "produce", "--topic", "t");
        assertEquals(List.of("2\tnull\tnew-1", "3\tnull\tnew-2"),
                run("consume", "--topic", "t", "--from-time", Long.toString(between), "--print-offset").lines());
        assertEquals(4, run("consume", "--topic", "t", "--from-time", "0").lines().size());
        assertEquals(List.of(), run("consume", "--topic", "t", "--from-time", Long.toString(System.currentTimeMillis() + 60_000)).lines());
    }

    @Test
    void recordsSpanningManyBatchesAndReads() {
        String big = "x".repeat(3000);
        String input = IntStream.range(0, 2000).mapToObj(i -> i + "," + big).collect(Collectors.joining("\n"));
        assertEquals(0, runWithInput(input, "produce", "--topic", "big", "--key-separator", ",").code());
        List<String> lines = run("consume", "--topic", "big", "--print-key", "--from-offset", "7").lines();
        assertEquals(1993, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals((i + 7) + "\t" + big, lines.get(i));
        }
    }

    @Test
    void codecOverrideCompressesTheBatchesAndConsumeDecodesThem() {
        Result r = runWithInput("one\ntwo\n", "produce", "--topic", "z", "--codec", "gzip");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("one", "two"), run("consume", "--topic", "z").lines());
        Result dump = run("dump", segmentFile("z", 0, 0, "log").toString());
        assertTrue(dump.out().contains(" codec: gzip "), dump.out());
    }

    @Test
    void errorsAreOneLineWithNonZeroExit() {
        runWithInput("a\nb\n", "produce", "--topic", "t");

        Result range = run("consume", "--topic", "t", "--from-offset", "3");
        assertEquals(Main.EXIT_FAILURE, range.code());
        assertEquals(List.of("rivven: t-0: offset 3 is outside the log [0, 2]; use an offset from the log start offset (0) "
                + "to the high watermark (2), or --from-time"), range.errLines());

        Result topic = run("consume", "--topic", "nope");
        assertEquals(Main.EXIT_FAILURE, topic.code());
        assertEquals(List.of("rivven: no topic 'nope'; topics: t"), topic.errLines());

        Result partition = runWithInput("x\n", "produce", "--topic", "t", "--partition", "4");
        assertEquals(Main.EXIT_FAILURE, partition.code());
        assertEquals(List.of("rivven: topic 't' has partitions 0-0, not 4"), partition.errLines());

        Result codec = runWithInput("x\n", "produce", "--topic", "t", "--codec", "zsdt");
        assertEquals(Main.EXIT_FAILURE, codec.code());
        assertEquals(1, codec.errLines().size(), codec.err());
        assertTrue(codec.err().startsWith("rivven: no compression codec 'zsdt' (--codec); available: gzip, lz4, none"), codec.err());

        Result both = run("consume", "--topic", "t", "--from-offset", "0", "--from-time", "0");
        assertEquals(Main.EXIT_USAGE, both.code());
        assertEquals(1, both.errLines().size(), both.err());
        assertTrue(both.err().contains("mutually exclusive"), both.err());

        Result noTopic = run("produce");
        assertEquals(Main.EXIT_USAGE, noTopic.code());
        assertEquals(List.of("rivven: Missing required option: '--topic=T' (see 'rivven produce --help')"), noTopic.errLines());

        Result badName = runWithInput("x\n", "produce", "--topic", "a/b");
        assertEquals(Main.EXIT_FAILURE, badName.code());
        assertEquals(1, badName.errLines().size(), badName.err());

        assertEquals(List.of("a", "b"), run("consume", "--topic", "t").lines(), "failed commands wrote nothing");
    }

    /**
     * The lines before the bad one are pending in a batch when it is read: they are appended, then
     * the command fails. Their acks are printed at once: the failure flushes as the end of the input
     * does, rather than wait for the next group commit (an hour here; the timeout guards the hang).
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aTooLongLineFailsAfterAppendingTheLinesBeforeIt() {
        config("""
                { "dataDir": "data", "io": "nio",
                  "defaults": { "compression": "none", "flush": { "mode": "interval", "intervalMs": 3600000 } } }""");
        int tooLong = io.rivven.core.format.v2.RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE;
        byte[] head = "a\nb\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long total = head.length + (long) tooLong;
        java.io.InputStream in = new java.io.InputStream() { // "a\nb\n" then a line of 64 MiB, all of it ready at once
            private long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - pos);
                for (int i = 0; i < n; i++, pos++) {
                    b[off + i] = pos < head.length ? head[(int) pos] : (byte) 'x';
                }
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, total - pos);
            }
        };
        Result r = runWithInput(in, false, "produce", "--topic", "long", "--print-acks");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        assertEquals(List.of("acked 1"), r.lines());
        assertTrue(r.errLines().getLast().startsWith("rivven: line 3 of the input is more than "), r.err());
        assertTrue(r.errLines().getLast().endsWith("; the 2 lines before it were appended"), r.err());
        assertEquals(List.of("a", "b"), run("consume", "--topic", "long").lines());
    }

    @Test
    void anEmptyKeySeparatorIsAWrongCommandLine() {
        Result r = runWithInput("a\n", "produce", "--topic", "t", "--key-separator", "");
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertEquals(List.of("rivven: --key-separator must not be empty (see 'rivven produce --help')"), r.errLines());
    }

    @Test
    void aPartitionTheMissingTopicWouldNotHaveCreatesNothing() {
        Result r = runWithInput("a\n", "produce", "--topic", "fresh", "--partition", "1");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        assertEquals(List.of("rivven: no topic 'fresh', and it would be created with 1 partition (settings: rivven.json → defaults), "
                + "so there is no partition 1; create it first with rivven topics create fresh --partitions N"), r.errLines());
        assertEquals(List.of(), run("topics", "list").lines(), "the failed command created no topic");
    }

    @Test
    void aDataDirectoryInUseIsOneLineAndExitOne() throws Exception {
        io.rivven.cli.support.CliContext ctx = new io.rivven.cli.support.CliContext(cwd, null,
                new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()));
        io.rivven.core.config.RivvenConfig cfg = ctx.config(null);
        try (io.rivven.core.log.StorageEngine engine = ctx.openEngine(cfg, ctx.plugins(cfg))) {
            for (String[] args : List.of(new String[] {"produce", "--topic", "t"}, new String[] {"consume", "--topic", "t"},
                    new String[] {"topics", "list"})) {
                Result r = runWithInput("a\n", args);
                assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
                assertEquals(1, r.errLines().size(), r.err());
                assertTrue(r.err().startsWith("rivven: data directory " + cwd.resolve("data") + " is in use by "), r.err());
            }
        }
    }

    @Test
    void aKeySeparatorMayLookLikeAnOption() {
        // "any string": picocli refused "--" even attached (--key-separator=--); getopt takes the next word as the value
        Result attached = runWithInput("a--b\n", "produce", "--topic", "t", "--key-separator=--");
        assertEquals(0, attached.code(), attached.err());
        Result separate = runWithInput("c--d\n", "produce", "--topic", "t", "--key-separator", "--");
        assertEquals(0, separate.code(), separate.err());
        Result dash = runWithInput("e-f\n", "produce", "--key-separator", "-", "--topic", "t");
        assertEquals(0, dash.code(), dash.err());
        assertEquals(List.of("a\tb", "c\td", "e\tf"), run("consume", "--topic", "t", "--print-key").lines());
        Result missing = run("produce", "--topic", "t", "--key-separator");
        assertEquals(Main.EXIT_USAGE, missing.code(), missing.err());
        assertEquals(List.of("rivven: Missing required parameter for option '--key-separator' (S) (see 'rivven produce --help')"),
                missing.errLines());
    }
}
