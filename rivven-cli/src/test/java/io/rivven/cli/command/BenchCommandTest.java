package io.rivven.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BenchCommandTest extends CliFixture {

    static final Pattern DATA = Pattern.compile("(?m)^  data: (\\S+) \\(");

    static Path dataDir(Result r) {
        Matcher m = DATA.matcher(r.out());
        assertTrue(m.find(), r.out());
        return Path.of(m.group(1));
    }

    @Test
    void tinyRunOnAConfigFileReportsEveryPhaseAndCleansUp() throws IOException {
        config(CONFIG);
        Result r = run("bench", "--records", "1000", "--record-size", "200", "--batch", "30", "--partitions", "3",
                "--codec", "gzip", "--flush", "os");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "no progress bar without a terminal");
        String out = r.out();
        assertTrue(out.startsWith("rivven bench: 1,000 records of 200 bytes (JSON-like values, no keys), batches of 30, 3 partitions\n"), out);
        assertTrue(out.contains("  codec gzip, flush os, io nio, segments of 1,073,741,824 bytes; config: rivven.json\n"), out);
        Path data = dataDir(r);
        assertEquals(cwd.resolve("data"), data.getParent(), "inside the config's dataDir");
        assertFalse(Files.exists(data), "deleted afterwards");
        try (Stream<Path> left = Files.list(cwd.resolve("data"))) {
            assertEquals(List.of(), left.toList());
        }
        for (String phase : List.of("append", "read batches", "read + decode")) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(phase) + "\\s+1,000\\s+0\\.2 MB\\s+[\\d.,]+ MB\\s+[\\d.]+ s\\s+[\\d.,]+\\s+[\\d.,]+\\s+[\\d,]+$")
                    .matcher(out).find(), phase + " row in\n" + out);
        }
        // 1000 records in batches of 30: 34 append calls, round-robin over 3 partitions
        assertTrue(out.contains("  append: 34 append calls; compression ratio "), out);
        assertTrue(out.contains("34 batches; read + decode"), out);
        assertTrue(Pattern.compile("(?m)^  p50 \\S+ \\S+   p99 \\S+ \\S+   p99\\.9 \\S+ \\S+   max \\S+ \\S+   mean \\S+ \\S+$").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^rivven\\.append\\.records\\s+1,000$").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^rivven\\.append\\.latency\\s+count 34, mean .*p99\\.9 ").matcher(out).find(), out);
        for (int p = 0; p < 3; p++) {
            assertTrue(Pattern.compile("(?m)^rivven\\.log\\.segments\\s+partition=" + p + " topic=bench\\s+1$").matcher(out).find(), out);
        }
        assertTrue(Pattern.compile("(?m)^rivven\\.fsync\\s+count ").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^rivven\\.recovery\\.time\\s+count ").matcher(out).find(), out);
        assertFalse(out.contains(".percentile"), "percentile gauges are shown with their timers");
    }

    @Test
    void withoutAConfigItRunsOnTheEmbeddedDefaultInATemporaryDirectory() {
        Result r = run("bench", "--records", "300", "--batch", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  codec lz4, flush interval (every 1000 ms), io nio"), r.out());
        assertTrue(r.out().contains("config: (embedded default)"), r.out());
        Path data = dataDir(r);
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), data.getParent().toAbsolutePath());
        assertFalse(Files.exists(data));
        assertFalse(Files.exists(cwd.resolve("data")), "nothing written to the working directory");
    }

    @Test
    void aTerminalGetsAProgressBarOnStderr() {
        config(CONFIG);
        Result r = runWithInput(new ByteArrayInputStream(new byte[0]), true, "bench", "--records", "200", "--batch", "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("\rappend  [##############################] 100%  200 / 200 records"), r.err());
        assertTrue(r.err().contains("\rread + decode  ["), r.err());
        assertTrue(r.err().endsWith("\r"), "the bar's line is cleared at the end");
        assertFalse(r.out().contains("\r"), "stdout stays clean");
    }

    @Test
    void wrongOptionsAreUsageErrors() {
        config(CONFIG);
        Result zero = run("bench", "--records", "0");
        assertEquals(Main.EXIT_USAGE, zero.code());
        assertEquals(List.of("rivven: --records must be at least 1, got 0 (see 'rivven bench --help')"), zero.errLines());

        Result flush = run("bench", "--flush", "sometimes");
        assertEquals(Main.EXIT_USAGE, flush.code());
        assertEquals(List.of("rivven: --flush must be one of always, interval, os, got 'sometimes' (see 'rivven bench --help')"),
                flush.errLines());

        Result codec = run("bench", "--codec", "zsdt", "--records", "10");
        assertEquals(Main.EXIT_FAILURE, codec.code());
        assertEquals(1, codec.errLines().size(), codec.err());
        assertTrue(codec.err().startsWith("rivven: no compression codec 'zsdt' (--codec); available: gzip, lz4, none"), codec.err());
        assertFalse(Files.exists(cwd.resolve("data")), "nothing created before the options are checked");
    }
}
