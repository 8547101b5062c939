package io.rivven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.support.CliContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path cwd;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(Path home, String... args) {
        return Main.run(args, new CliContext(cwd, home, new PrintWriter(out), new PrintWriter(err)));
    }

    List<String> errLines() {
        return err.toString().lines().toList();
    }

    @Test
    void pluginsListsTheBuiltInsAndTheFoldersSearched() throws IOException {
        Path home = Files.createDirectories(cwd.resolve("dist/plugins")).getParent();
        Files.createDirectories(cwd.resolve("plugins"));
        assertEquals(0, run(home, "plugins"), err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals(List.of("SPI", "NAME", "ID", "MODULE", "/", "JAR", "FOLDER", "DESCRIPTION"),
                List.of(lines.getFirst().split("\\s+")));
        assertTrue(lines.stream().anyMatch(l -> l.matches("codec\\s+none\\s+0\\s+io\\.rivven\\.core\\s+\\(application\\)\\s+no compression.*")),
                out.toString());
        // this module's tests have lz4, gzip (codecs) and nio (I/O) on their path: the embedded default is satisfied
        assertTrue(lines.stream().anyMatch(l -> l.matches("codec\\s+lz4\\s+3\\s+io\\.rivven\\.codec\\.lz4\\s+\\(application\\).*")),
                out.toString());
        assertTrue(lines.contains("  " + home.resolve("plugins")), out.toString());
        assertTrue(lines.contains("  " + cwd.resolve("plugins")), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void pluginsWarnsWhenTheConfigNamesAMissingPlugin() throws IOException {
        Files.writeString(cwd.resolve("rivven.json"), "{ \"defaults\": { \"compression\": \"brotli\" } }");
        assertEquals(0, run(null, "plugins"), err.toString());
        assertEquals(1, errLines().size(), err.toString());
        assertTrue(errLines().getFirst().startsWith("rivven: warning: rivven.json cannot be used as it is: "
                + "no compression codec 'brotli' (rivven.json → defaults.compression.type); available: gzip, lz4, none"), err.toString());
    }

    @Test
    void pluginsMarksMissingFolders() {
        assertEquals(0, run(null, "plugins"));
        assertTrue(out.toString().contains("  " + cwd.resolve("plugins") + "  (missing)"), out.toString());
    }

    @Test
    void configPrintsTheEffectiveConfig() throws IOException {
        Files.writeString(cwd.resolve("rivven.json"), """
                { "defaults": { "compression": "none" }, "topics": { "orders": { "partitions": 4 } } }""");
        assertEquals(0, run(null, "config"), err.toString());
        String json = out.toString();
        assertTrue(json.contains("\"orders\" : {"), json);
        assertTrue(json.contains("\"partitions\" : 4"), json);
        assertTrue(json.contains("\"indexIntervalBytes\" : 4096"), json);
        assertEquals("", err.toString());
    }

    @Test
    void configWarnsWhenTheEngineWouldRefuseTheIoBackend() throws IOException {
        Files.writeString(cwd.resolve("rivven.json"), "{ \"io\": \"nioo\", \"defaults\": { \"compression\": \"none\" } }");
        assertEquals(0, run(null, "config"), err.toString());
        assertTrue(out.toString().contains("\"type\" : \"nioo\""), out.toString());
        assertEquals(List.of("rivven: warning: the engine will not open with rivven.json as it is: no I/O backend 'nioo' "
                + "(rivven.json → io.type); available: nio; put the plugin's folder in plugins/ or another of the config's pluginDirs"), errLines());

        err.getBuffer().setLength(0);
        Files.writeString(cwd.resolve("rivven.json"), "{ \"io\": { \"type\": \"nio\", \"directIo\": true } }");
        assertEquals(0, run(null, "config"), err.toString());
        assertEquals(List.of("rivven: warning: the engine will not open with rivven.json as it is: "
                + "rivven.json → io.directIo: unknown option; accepted: mmapReadsFromBytes"), errLines());

        err.getBuffer().setLength(0);
        assertEquals(0, run(null, "plugins"), err.toString());
        assertEquals(List.of("rivven: warning: rivven.json cannot be used as it is: "
                + "rivven.json → io.directIo: unknown option; accepted: mmapReadsFromBytes"), errLines());
    }

    @Test
    void configErrorsAreOneLineWithNonZeroExit() throws IOException {
        Files.writeString(cwd.resolve("bad.json"), "{ \"defaults\": { \"flush\": { \"mode\": \"sometimes\" } } }");
        assertEquals(Main.EXIT_FAILURE, run(null, "config", "--config", "bad.json"));
        assertEquals(List.of("rivven: bad.json → defaults.flush.mode: must be one of always, interval, os, got \"sometimes\""),
                errLines());
        assertEquals("", out.toString());
    }

    @Test
    void unknownPluginIsOneLine() throws IOException {
        Files.writeString(cwd.resolve("rivven.json"), "{ \"topics\": { \"orders\": { \"compression\": { \"type\": \"zsdt\" } } } }");
        assertEquals(Main.EXIT_FAILURE, run(null, "config"));
        assertEquals(List.of("rivven: no compression codec 'zsdt' (rivven.json → topics.orders.compression.type); "
                + "available: gzip, lz4, none; put the plugin's folder in plugins/ or another of the config's pluginDirs"), errLines());
    }

    @Test
    void verbosePrintsTheStackTraceBeforeOrAfterTheCommand() {
        assertEquals(Main.EXIT_FAILURE, run(null, "config", "--config", "missing.json", "--verbose"));
        assertEquals("rivven: " + cwd.resolve("missing.json") + ": no such file", errLines().getFirst());
        assertTrue(err.toString().contains("io.rivven.core.config.RivvenConfig.load("), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_FAILURE, run(null, "--verbose", "config", "--config", "missing.json"));
        assertTrue(errLines().size() > 1, err.toString());

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_FAILURE, run(null, "config", "--config", "missing.json"));
        assertEquals(1, errLines().size(), err.toString());
    }

    @Test
    void wrongCommandLinesAreOneLineWithExitTwo() {
        assertEquals(Main.EXIT_USAGE, run(null, "plugins", "--bogus"));
        assertEquals(List.of("rivven: Unknown option: '--bogus' (see 'rivven plugins --help')"), errLines());
        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_USAGE, run(null, "frobnicate"));
        assertEquals(1, errLines().size(), err.toString());
        assertTrue(errLines().getFirst().startsWith("rivven: Unmatched argument at index 0: 'frobnicate'"), err.toString());
    }

    @Test
    void noCommandPrintsUsage() {
        assertEquals(0, run(null));
        assertTrue(out.toString().contains("Commands:"), out.toString());
        assertTrue(out.toString().contains("plugins"), out.toString());
        assertTrue(out.toString().contains("config"), out.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : List.of(new String[] {"bench"}, new String[] {"produce"}, new String[] {"consume"},
                new String[] {"topics"}, new String[] {"topics", "create"}, new String[] {"dump"}, new String[] {"verify"},
                new String[] {"plugins"},
                new String[] {"config"})) {
            out.getBuffer().setLength(0);
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            assertEquals(0, run(null, args), err.toString());
            assertTrue(out.toString().startsWith("Usage: rivven " + String.join(" ", command) + " "), out.toString());
        }
        assertEquals("", err.toString());
    }

    @Test
    void versionNamesJava() {
        assertEquals(0, run(null, "--version"));
        assertTrue(out.toString().startsWith("rivven "), out.toString());
    }

    @Test
    void anErrorIsOneLineToo() {
        // picocli hands only Exceptions to the handler: an Error (OutOfMemoryError: a long line on a small heap) ended in a stack trace
        java.io.InputStream failing = new java.io.InputStream() {
            @Override
            public int read() {
                throw new StackOverflowError("deep");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new StackOverflowError("deep");
            }
        };
        int code = Main.run(new String[] {"produce", "--topic", "t"},
                new CliContext(cwd, null, new PrintWriter(out), new PrintWriter(err), failing, false));
        assertEquals(Main.EXIT_FAILURE, code);
        assertEquals(List.of("rivven: created topic 't' with 1 partition (settings: (embedded default) → defaults)",
                "rivven: java.lang.StackOverflowError: deep (run with --verbose for the stack trace)"), errLines());

        assertEquals("java.lang.OutOfMemoryError: Java heap space; give the JVM more memory, e.g. RIVVEN_OPTS=-Xmx4g "
                + "(run with --verbose for the stack trace)", Main.message(new OutOfMemoryError("Java heap space")));
    }
}
