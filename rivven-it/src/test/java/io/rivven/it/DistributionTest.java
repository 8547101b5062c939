package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.it.Build.ModuleDir;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution ({@code rivven-dist/target/rivven}) run as a user runs it: a child
 * {@code java} with {@code lib/} on the module path and the plugins loaded from {@code plugins/},
 * plus a plugin dropped into the working directory's {@code plugins/} and selected in
 * {@code rivven.json} without rebuilding anything; and the {@code ./rivven} launcher itself.
 */
class DistributionTest {

    @TempDir
    Path cwd;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return run(command, env, null);
    }

    /** Runs {@code command} in the test's working directory, with {@code stdin} (a file) as standard input when given. */
    Result run(List<String> command, Map<String, String> env, Path stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile(cwd.getParent(), "out", ".txt");
        Path err = Files.createTempFile(cwd.getParent(), "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The CLI as the launcher starts it. */
    Result rivven(String... args) throws IOException, InterruptedException {
        return rivvenWithInput(null, args);
    }

    /** The CLI as the launcher starts it, reading standard input from {@code stdin} (or nothing). */
    Result rivvenWithInput(Path stdin, String... args) throws IOException, InterruptedException {
        Path dist = Build.distribution();
        List<String> cmd = new ArrayList<>(List.of(Build.java().toString()));
        cmd.addAll(Build.LAUNCH_FLAGS);
        cmd.addAll(List.of("-Drivven.home=" + dist, "--module-path", dist.resolve("lib").toString(),
                "-m", "io.rivven.cli/io.rivven.cli.Main"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of(), stdin);
    }

    static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Test
    void libHoldsTheEngineAndPluginsHoldOneFolderPerPlugin() throws IOException {
        Path dist = Build.distribution();
        List<String> lib = names(dist.resolve("lib"));
        for (String prefix : List.of("rivven-api-", "rivven-core-", "rivven-cli-", "picocli-", "jackson-databind-")) {
            assertTrue(lib.stream().anyMatch(n -> n.startsWith(prefix) && n.endsWith(".jar")), prefix + " not in lib: " + lib);
        }
        for (ModuleDir m : Build.pluginModules()) {
            assertFalse(lib.stream().anyMatch(n -> n.startsWith(m.artifactId() + "-")), m + " must not be in lib/: " + lib);
            Path folder = dist.resolve("plugins").resolve(m.artifactId());
            assertTrue(Files.isDirectory(folder), folder + " missing: add " + m + " to rivven-dist/pom.xml");
            assertTrue(names(folder).stream().anyMatch(n -> n.startsWith(m.artifactId() + "-") && n.endsWith(".jar")),
                    folder + " lacks the plugin jar: " + names(folder));
        }
    }

    @Test
    void pluginsListsEveryPluginWithItsFolder() throws Exception {
        Result r = rivven("plugins");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "the embedded default (lz4, nio) must be satisfied by the distribution");
        Path plugins = Build.distribution().resolve("plugins");
        Map<String, Integer> codecs = Map.of("gzip", 1, "snappy", 2, "lz4", 3, "zstd", 4);
        codecs.forEach((name, id) -> assertRow(r.out(), "codec", name, String.valueOf(id), "io.rivven.codec." + name,
                plugins.resolve("rivven-codec-" + name).toString()));
        assertRow(r.out(), "codec", "none", "0", "io.rivven.core", "(application)");
        assertRow(r.out(), "io", "nio", "-", "io.rivven.io.nio", plugins.resolve("rivven-io-nio").toString());
        assertTrue(r.out().contains("\n  " + plugins + "\n"), r.out());
        assertTrue(r.out().contains("\n  " + cwd.resolve("plugins") + "  (missing)"), r.out());
    }

    @Test
    void everyCodecIsCreatedWithoutNativeAccessWarnings() throws Exception {
        Files.writeString(cwd.resolve("rivven.json"), """
                { "topics": { "a": { "compression": "gzip" }, "b": { "compression": "snappy" },
                              "c": { "compression": "lz4" }, "d": { "compression": { "type": "zstd", "level": 3 } } } }""");
        Result r = rivven("config");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "no warnings (e.g. native access) expected");
        assertTrue(r.out().contains("\"type\" : \"zstd\""), r.out());
    }

    @Test
    void aPluginDroppedIntoPluginsIsSelectedWithoutRebuilding() throws Exception {
        Path jar = TestPlugins.modularCodec(cwd.getParent().resolve("work-" + cwd.getFileName()), "demo.codec", "demo", 7,
                "\"a drop-in test codec\"", "\"token\"", "\"token\", \"level\"", "");
        Path folder = Files.createDirectories(cwd.resolve("plugins/demo"));
        Files.copy(jar, folder.resolve("demo-codec.jar"));
        Files.writeString(cwd.resolve("rivven.json"), """
                { "topics": { "orders": { "compression": { "type": "demo", "token": "s3cr3t", "level": 2 } } } }""");

        Result config = rivven("config");
        assertEquals(0, config.code(), config.err());
        assertTrue(config.out().contains("\"type\" : \"demo\""), config.out());
        assertTrue(config.out().contains("\"token\" : \"******\""), config.out());
        assertTrue(config.out().contains("\"level\" : 2"), config.out());
        assertFalse(config.out().contains("s3cr3t"), config.out());

        Result plugins = rivven("plugins");
        assertEquals(0, plugins.code(), plugins.err());
        assertRow(plugins.out(), "codec", "demo", "7", "demo.codec", folder.toString());
    }

    @Test
    void errorsAreOneLineWithNonZeroExit() throws Exception {
        Files.writeString(cwd.resolve("rivven.json"), "{ \"topics\": { \"orders\": { \"compression\": { \"type\": \"zsdt\" } } } }");
        Result r = rivven("config");
        assertEquals(1, r.code());
        assertEquals(List.of("rivven: no compression codec 'zsdt' (rivven.json → topics.orders.compression.type); "
                + "available: gzip, lz4, none, snappy, zstd; put the plugin's folder in plugins/ or another of the config's pluginDirs"), r.errLines());
        assertEquals("", r.out());

        Result usage = rivven("plugins", "--nope");
        assertEquals(2, usage.code());
        assertEquals(1, usage.errLines().size(), usage.err());
    }

    @Test
    void theLauncherWorksFromAnyDirectory() throws Exception {
        Build.distribution();
        Result r = run(List.of("sh", Build.ROOT.resolve("rivven").toString(), "plugins"), Map.of("RIVVEN_NO_BUILD", "1"));
        assertEquals(0, r.code(), r.err());
        assertRow(r.out(), "codec", "zstd", "4", "io.rivven.codec.zstd",
                Build.distribution().resolve("plugins/rivven-codec-zstd").toString());
    }

    @Test
    void produceConsumeDumpVerifyAndBenchOnTheEmbeddedDefault() throws Exception {
        Path input = Files.writeString(cwd.getParent().resolve("in-" + cwd.getFileName() + ".txt"), "k1=hello\nk2=wörld\n");
        Result produce = rivvenWithInput(input, "produce", "--topic", "orders", "--key-separator", "=", "--print-acks");
        assertEquals(0, produce.code(), produce.err());
        assertEquals("acked 1\n", produce.out());
        assertEquals(1, produce.errLines().size(), produce.err());
        assertTrue(produce.err().startsWith("rivven: created topic 'orders' with 1 partition (settings: (embedded default) "),
                produce.err());

        Result consume = rivven("consume", "--topic", "orders", "--print-offset");
        assertEquals(0, consume.code(), consume.err());
        assertEquals("0\tk1\thello\n1\tk2\twörld\n", consume.out(), "UTF-8 in and out");
        assertEquals("", consume.err());

        // the embedded default compresses with lz4, loaded from the distribution's plugins/ folder
        Result dump = rivven("dump", "data/topics/orders/partition-0/00000000000000000000.log", "--print-records");
        assertEquals(0, dump.code(), dump.err());
        assertTrue(dump.out().contains(" codec: lz4 "), dump.out());
        assertTrue(dump.out().contains(" key: k2 value: wörld"), dump.out());

        Result verify = rivven("verify");
        assertEquals(0, verify.code(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("clean: 1 segment, 1 batch, "), verify.out());

        Result bench = rivven("bench", "--records", "2000");
        assertEquals(0, bench.code(), bench.err());
        assertEquals("", bench.err(), "no progress bar when stderr is not a terminal, no warnings");
        assertTrue(bench.out().contains("  codec lz4, flush interval (every 1000 ms), io nio"), bench.out());
        assertTrue(Pattern.compile("(?m)^read \\+ decode\\s+2,000\\s").matcher(bench.out()).find(), bench.out());
        assertTrue(Pattern.compile("(?m)^rivven\\.append\\.records\\s+2,000$").matcher(bench.out()).find(), bench.out());
        assertTrue(bench.out().contains("p99.9 "), bench.out());
    }

    static void assertRow(String table, String... cells) {
        StringBuilder regex = new StringBuilder("(?m)^");
        for (int i = 0; i < cells.length; i++) {
            regex.append(i == 0 ? "" : "\\s+").append(Pattern.quote(cells[i]));
        }
        regex.append("(\\s.*)?$");
        assertTrue(Pattern.compile(regex.toString()).matcher(table).find(),
                "no row " + String.join(" | ", cells) + " in:\n" + table);
    }
}
