package io.rivven.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifyCommandTest extends CliFixture {

    @BeforeEach
    void twoTopics() {
        config(CONFIG);
        List<String> chunks = IntStream.range(0, 3).mapToObj(b -> IntStream.range(0, 50)
                .mapToObj(i -> "k" + i + "=value " + b + "-" + i + "\n").collect(Collectors.joining())).toList();
        assertEquals(0, runWithChunks(chunks, "produce", "--topic", "a", "--key-separator", "=").code());
        assertEquals(0, runWithInput("x\ny\n", "produce", "--topic", "b").code());
    }

    @Test
    void aCleanDataDirectoryExitsZero() {
        Result r = run("verify");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, r.lines().size(), r.out());
        assertTrue(r.out().matches("clean: 2 segments, 4 batches, [\\d,]+ bytes in " + java.util.regex.Pattern.quote(
                cwd.resolve("data/topics").toString()) + "\n"), r.out());

        Result one = run("verify", "--topic", "b");
        assertEquals(0, one.code(), one.out() + one.err());
        assertTrue(one.out().startsWith("clean: 1 segment, 1 batch, "), one.out());
    }

    @Test
    void aFlippedByteIsReportedWithFileAndPositionAndExitsOne() throws IOException {
        Path log = segmentFile("a", 0, 0, "log");
        long second = Long.parseLong(run("dump", log.toString()).lines().get(2).replaceAll(".* position: (\\d+) .*", "$1"));
        DumpCommandTest.flip(log, second + 100);
        Result r = run("verify");
        assertEquals(VerifyCommand.PROBLEMS_FOUND, r.code(), r.out() + r.err());
        List<String> lines = r.lines();
        assertTrue(lines.getFirst().startsWith(log + " @" + second + ": batch at position " + second + " "), r.out());
        assertTrue(lines.getFirst().contains("CRC"), r.out());
        assertTrue(lines.getLast().matches("\\d+ problems? in \\d+ segments?, .*"), r.out());

        Result onlyB = run("verify", "--topic", "b");
        assertEquals(0, onlyB.code(), "the other topic is clean: " + onlyB.out());
    }

    @Test
    void anUnknownTopicIsAnError() {
        Result r = run("verify", "--topic", "nope");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("rivven: no topic 'nope'"), r.err());
    }

    @Test
    void aMissingDataDirectoryIsAnErrorNotClean() throws IOException {
        // a dataDir that does not exist (a typo, the wrong working directory) has nothing verified: not "clean"
        Files.writeString(cwd.resolve("elsewhere.json"), "{ \"dataDir\": \"no-such-dir\", \"defaults\": { \"compression\": \"none\" } }");
        Result r = run("verify", "--config", "elsewhere.json");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(List.of("rivven: no data directory " + cwd.resolve("no-such-dir")
                + " (dataDir of elsewhere.json); nothing to verify"), r.errLines());
    }
}
