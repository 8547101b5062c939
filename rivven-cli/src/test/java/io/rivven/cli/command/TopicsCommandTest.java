package io.rivven.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.Main;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopicsCommandTest extends CliFixture {

    @BeforeEach
    void writeConfig() {
        config("""
                { "dataDir": "data", "io": "nio", "defaults": { "compression": "none" },
                  "topics": { "orders": { "partitions": 2, "compression": { "type": "gzip", "level": 9 },
                                          "flush": { "mode": "always" } } } }""");
    }

    @Test
    void createListDescribeDelete() {
        Result create = run("topics", "create", "events", "--partitions", "3");
        assertEquals(0, create.code(), create.err());
        assertEquals(List.of("created topic 'events' with 3 partitions"), create.lines());
        assertTrue(Files.isDirectory(cwd.resolve("data/topics/events/partition-2")));

        // topics of the config are created when the engine opens
        assertEquals(List.of("events", "orders"), run("topics", "list").lines());

        runWithInput("a\nb\nc\n", "produce", "--topic", "events", "--partition", "1");
        Result d = run("topics", "describe", "events");
        assertEquals(0, d.code(), d.err());
        List<String> lines = d.lines();
        assertEquals("topic events: 3 partitions in " + cwd.resolve("data/topics/events"), lines.get(0));
        assertEquals(List.of("PARTITION", "LOG", "START", "OFFSET", "HIGH", "WATERMARK", "RECOVERY", "POINT", "SEGMENTS", "BYTES"),
                List.of(lines.get(1).split("\\s+")));
        assertTrue(lines.get(2).matches("0\\s+0\\s+0\\s+0\\s+1\\s+0"), lines.get(2));
        assertTrue(lines.get(3).matches("1\\s+0\\s+3\\s+3\\s+1\\s+\\d+"), lines.get(3));
        assertTrue(lines.get(4).matches("2\\s+0\\s+0\\s+0\\s+1\\s+0"), lines.get(4));
        assertTrue(lines.contains("settings (rivven.json → defaults):"), d.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("compression\\s+\\{\"type\": \"none\"}")), d.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("flush.mode\\s+interval")), d.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("segment.bytes\\s+1073741824")), d.out());

        Result delete = run("topics", "delete", "events");
        assertEquals(0, delete.code(), delete.err());
        assertEquals(List.of("deleted topic 'events'"), delete.lines());
        assertFalse(Files.exists(cwd.resolve("data/topics/events")));
        assertEquals(List.of("orders"), run("topics", "list").lines());
    }

    @Test
    void describeShowsTheTopicsOwnSettings() {
        Result d = run("topics", "describe", "orders");
        assertEquals(0, d.code(), d.err());
        assertTrue(d.lines().contains("settings (rivven.json → topics.orders):"), d.out());
        assertTrue(d.lines().stream().anyMatch(l -> l.matches("compression\\s+\\{\"type\": \"gzip\", \"level\": 9}")), d.out());
        assertTrue(d.lines().stream().anyMatch(l -> l.matches("flush.mode\\s+always")), d.out());
        assertEquals(2, d.lines().stream().filter(l -> l.matches("[01]\\s+0\\s+0\\s+0\\s+1\\s+0")).count(), d.out());
    }

    /** Settings that do not apply under the topic's other settings say so. */
    @Test
    void describeSaysWhichSettingsDoNotApply() throws Exception {
        config("""
                { "dataDir": "data", "io": "nio", "defaults": { "compression": "none" },
                  "topics": { "c": { "cleanupPolicy": "compact", "flush": {"mode": "os"} } } }""");
        run("topics", "create", "c");
        run("topics", "create", "d");
        List<String> c = run("topics", "describe", "c").lines();
        assertTrue(c.stream().anyMatch(l -> l.matches("retention.ms\\s+604800000 \\(not applied: cleanupPolicy compact\\)")), c.toString());
        assertTrue(c.stream().anyMatch(l -> l.matches("retention.bytes\\s+-1 \\(not applied: cleanupPolicy compact\\)")), c.toString());
        assertTrue(c.stream().anyMatch(l -> l.matches("segment.preallocateBytes\\s+1048576")), c.toString());
        List<String> d = run("topics", "describe", "d").lines();
        assertTrue(d.stream().anyMatch(l -> l.matches("retention.ms\\s+604800000")), d.toString());
        assertTrue(d.stream().anyMatch(l -> l.matches("segment.preallocateBytes\\s+1048576 \\(used under flush.mode os only\\)")), d.toString());
    }

    @Test
    void createTakesThePartitionCountFromTheConfig() {
        config("""
                { "dataDir": "data", "io": "nio", "defaults": { "compression": "none", "partitions": 4 } }""");
        assertEquals(List.of("created topic 'x' with 4 partitions"), run("topics", "create", "x").lines());
    }

    @Test
    void configMayComeBeforeOrAfterTheSubcommand() throws Exception {
        Files.delete(cwd.resolve("rivven.json"));
        Files.writeString(cwd.resolve("other.json"), """
                { "dataDir": "elsewhere", "io": "nio", "defaults": { "compression": "none" } }""");
        assertEquals(0, run("topics", "--config", "other.json", "create", "a").code());
        assertEquals(0, run("topics", "create", "b", "--config", "other.json").code());
        assertEquals(List.of("a", "b"), run("topics", "list", "--config", "other.json").lines());
        assertTrue(Files.isDirectory(cwd.resolve("elsewhere/topics/a")));
    }

    @Test
    void errorsAreOneLine() {
        run("topics", "create", "t");
        Result exists = run("topics", "create", "t");
        assertEquals(Main.EXIT_FAILURE, exists.code());
        assertEquals(List.of("rivven: topic 't' already exists with 1 partition (in " + cwd.resolve("data") + ")"), exists.errLines());

        Result missing = run("topics", "delete", "nope");
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertEquals(List.of("rivven: no topic 'nope' in " + cwd.resolve("data") + "; topics: orders, t"), missing.errLines());

        Result describe = run("topics", "describe", "nope");
        assertEquals(Main.EXIT_FAILURE, describe.code());
        assertEquals(1, describe.errLines().size());

        Result badName = run("topics", "create", "..");
        assertEquals(Main.EXIT_FAILURE, badName.code());
        assertEquals(1, badName.errLines().size(), badName.err());

        Result partitions = run("topics", "create", "p", "--partitions", "0");
        assertEquals(Main.EXIT_USAGE, partitions.code());
        assertEquals(List.of("rivven: --partitions must be between 1 and 100000, got 0 (see 'rivven topics create --help')"),
                partitions.errLines());

        Result none = run("topics");
        assertEquals(Main.EXIT_USAGE, none.code());
        assertEquals(List.of("rivven: missing subcommand: create, list, describe or delete (see 'rivven topics --help')"), none.errLines());
    }
}
