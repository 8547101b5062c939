package io.rivven.cli.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.cli.Main;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DumpCommandTest extends CliFixture {

    static final Pattern BATCH = Pattern.compile(
            "baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+) position: (\\d+) size: (\\d+) codec: (\\S+) "
                    + "crc: 0x[0-9a-f]{8} crcValid: (true|false).* maxTimestamp: (\\d+) timestampType: create_time");

    Path log;

    @BeforeEach
    void fourBatches() {
        // index entries after every 100 log bytes, so every batch but the first gets one
        config("""
                { "dataDir": "data", "io": "nio",
                  "defaults": { "compression": "none", "segment": { "indexIntervalBytes": 100 } } }""");
        List<String> chunks = IntStream.range(0, 4).mapToObj(b -> IntStream.range(3 * b, 3 * b + 3)
                .mapToObj(i -> "k" + i + "=value " + i + "\n").collect(Collectors.joining())).toList();
        Result r = runWithChunks(chunks, "produce", "--topic", "t", "--key-separator", "=");
        assertEquals(0, r.code(), r.err());
        log = segmentFile("t", 0, 0, "log");
    }

    List<Matcher> batches(String out) {
        return out.lines().map(BATCH::matcher).filter(Matcher::matches).toList();
    }

    @Test
    void logBatchesAreListedWithOffsetsPositionsAndCrc() throws IOException {
        Result r = run("dump", log.toString());
        assertEquals(0, r.code(), r.err());
        List<Matcher> batches = batches(r.out());
        assertEquals(4, batches.size(), r.out());
        long position = 0;
        for (int b = 0; b < 4; b++) {
            Matcher m = batches.get(b);
            assertEquals(3L * b, Long.parseLong(m.group(1)));
            assertEquals(3L * b + 2, Long.parseLong(m.group(2)));
            assertEquals("3", m.group(3));
            assertEquals(position, Long.parseLong(m.group(4)));
            assertEquals("none", m.group(6));
            assertEquals("true", m.group(7));
            assertTrue(Long.parseLong(m.group(8)) > 1_600_000_000_000L, m.group(8));
            position += Long.parseLong(m.group(5));
        }
        assertEquals(Files.size(log), position);
        assertTrue(r.out().startsWith("Dumping " + log + " (" + Files.size(log) + " bytes)\n"), r.out());
        assertTrue(r.out().endsWith("4 batches, 12 records in valid batches, 0 with a bad CRC; " + position + " of " + position
                + " bytes are valid batches\n"), r.out());
        assertTrue(!r.out().contains("| offset"), "records only with --print-records");
    }

    @Test
    void printRecordsShowsEveryRecord() {
        Result r = run("dump", log.toString(), "--print-records");
        assertEquals(0, r.code(), r.err());
        List<String> records = r.lines().stream().filter(l -> l.startsWith("| ")).toList();
        assertEquals(12, records.size(), r.out());
        assertTrue(records.get(5).matches("\\| offset: 5 timestamp: \\d+ keySize: 2 valueSize: 7 key: k5 value: value 5"), records.get(5));
    }

    @Test
    void aBadCrcIsReportedAndTheDumpGoesOn() throws IOException {
        long second = Long.parseLong(batches(run("dump", log.toString()).out()).get(1).group(4));
        flip(log, second + 70);   // inside the second batch's records
        Result r = run("dump", log.toString(), "--print-records");
        assertEquals(0, r.code(), r.err());
        List<Matcher> batches = batches(r.out());
        assertEquals(4, batches.size(), r.out());
        assertEquals(List.of("true", "false", "true", "true"), batches.stream().map(m -> m.group(7)).toList());
        assertTrue(r.out().contains("crcValid: false (computed 0x"), r.out());
        assertTrue(r.out().contains("4 batches, 9 records in valid batches, 1 with a bad CRC;"), r.out());
    }

    @Test
    void aTornTailStopsTheDumpWithAClearLine() throws IOException {
        long size = Files.size(log);
        try (var ch = java.nio.channels.FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        Result r = run("dump", log.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, batches(r.out()).size(), r.out());
        long last = Long.parseLong(batches(run("dump", log.toString()).out()).get(2).group(4))
                + Long.parseLong(batches(run("dump", log.toString()).out()).get(2).group(5));
        assertTrue(r.out().contains("STOPPED: torn tail at position " + last + ": the batch there claims " + (size - last)
                + " bytes, " + (size - 5 - last) + " are left"), r.out());
    }

    @Test
    void garbageAfterTheBatchesStopsTheDump() throws IOException {
        long size = Files.size(log);
        Files.write(log, new byte[] {0, 0, 0, 0, 0, 0, 0, 7, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3},
                StandardOpenOption.APPEND);
        Result r = run("dump", log.toString());
        assertEquals(4, batches(r.out()).size(), r.out());
        assertTrue(r.out().contains("STOPPED: garbage at position " + size + ": batchLength -1 is not a plausible batch length"), r.out());
    }

    @Test
    void offsetIndexEntriesPointAtTheBatchesEndingAtTheirOffsets() throws IOException {
        Path index = segmentFile("t", 0, 0, "index");
        List<Matcher> batches = batches(run("dump", log.toString()).out());
        Result r = run("dump", index.toString());
        assertEquals(0, r.code(), r.err());
        List<String> entries = r.lines().stream().filter(l -> l.startsWith("offset: ")).toList();
        // the first batch of a segment never gets an entry (Kafka's rule); the others do (interval 100 bytes)
        assertEquals(List.of(
                "offset: 5 position: " + batches.get(1).group(4),
                "offset: 8 position: " + batches.get(2).group(4),
                "offset: 11 position: " + batches.get(3).group(4)), entries, r.out());
        assertTrue(r.out().contains("3 entries, 0 problems"), r.out());
    }

    @Test
    void timeIndexEntriesAreListed() {
        Result r = run("dump", segmentFile("t", 0, 0, "timeindex").toString());
        assertEquals(0, r.code(), r.err());
        List<String> entries = r.lines().stream().filter(l -> l.startsWith("timestamp: ")).toList();
        assertTrue(entries.size() >= 1, r.out());
        for (String e : entries) {
            assertTrue(e.matches("timestamp: \\d{13} offset: \\d+"), e);
        }
        assertTrue(r.out().contains(entries.size() + (entries.size() == 1 ? " entry" : " entries") + ", 0 problems"), r.out());
    }

    @Test
    void damagedIndexEntriesAreFlagged() throws IOException {
        Path index = cwd.resolve("00000000000000000100.index");
        ByteBuffer b = ByteBuffer.allocate(8 * 6);
        b.putInt(5).putInt(300).putInt(3).putInt(400).putInt(9).putInt(500); // second entry goes backwards
        b.putInt(0).putInt(0).putInt(7).putInt(7);                           // a zero entry, then stale bytes
        Files.write(index, b.array());
        Result r = run("dump", index.getFileName().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(offset index, base offset 100, 48 bytes; no .log next to it to check entries against)"), r.out());
        assertTrue(r.lines().contains("offset: 105 position: 300"), r.out());
        assertTrue(r.out().contains("offset: 103 position: 400  PROBLEM: not above the previous entry (offset 105, position 300)"), r.out());
        assertTrue(r.out().contains("(3 zero-filled slots from byte 24: preallocated, unused)"), r.out());
        assertTrue(r.out().contains("PROBLEM: non-zero bytes at byte 32 after the first zero entry"), r.out());
        assertTrue(r.out().contains("3 entries, 2 problems"), r.out());
    }

    @Test
    void anIndexEntryThatDoesNotMatchTheLogIsFlagged() throws IOException {
        Path index = segmentFile("t", 0, 0, "index");
        List<Matcher> batches = batches(run("dump", log.toString()).out());
        ByteBuffer entry = ByteBuffer.allocate(8).putInt(6).putInt(Integer.parseInt(batches.get(1).group(4)));
        try (var ch = java.nio.channels.FileChannel.open(index, StandardOpenOption.WRITE)) {
            ch.write(entry.flip(), 0);
        }
        Result r = run("dump", index.toString());
        assertTrue(r.out().contains("offset: 6 position: " + batches.get(1).group(4)
                + "  PROBLEM: the batch at this position of the .log holds offsets 3..5, expected one ending at 6"), r.out());
    }

    @Test
    void dumpingNeverModifiesTheFile() throws IOException {
        for (String suffix : List.of("log", "index", "timeindex")) {
            Path f = segmentFile("t", 0, 0, suffix);
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000_000L));
            byte[] before = Files.readAllBytes(f);
            assertEquals(0, run("dump", f.toString(), "--print-records").code());
            assertArrayEquals(before, Files.readAllBytes(f), suffix);
            assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(f), suffix);
        }
    }

    @Test
    void otherFilesAreRefused() throws IOException {
        Result missing = run("dump", "nope.log");
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertEquals(List.of("rivven: " + cwd.resolve("nope.log") + ": no such file"), missing.errLines());

        Files.writeString(cwd.resolve("notes.txt"), "hello");
        Result other = run("dump", "notes.txt");
        assertEquals(Main.EXIT_FAILURE, other.code());
        assertEquals(List.of("rivven: " + cwd.resolve("notes.txt") + ": cannot dump this kind of file; expected a segment's "
                + ".log, .index or .timeindex file"), other.errLines());

        Files.write(cwd.resolve("x.index"), new byte[8]);
        Result badName = run("dump", "x.index");
        assertEquals(Main.EXIT_FAILURE, badName.code());
        assertTrue(badName.err().startsWith("rivven: " + cwd.resolve("x.index") + ": an index file is named <20-digit base offset>.<suffix>"),
                badName.err());

        Files.createDirectory(cwd.resolve("segments"));
        Result dir = run("dump", "segments");
        assertEquals(Main.EXIT_FAILURE, dir.code());
        assertEquals(List.of("rivven: " + cwd.resolve("segments") + ": is a directory; expected a segment's .log, .index or .timeindex"
                + " file"), dir.errLines());
    }

    @Test
    void anEmptyLogIsDumped() throws IOException {
        Path empty = cwd.resolve("00000000000000000000.log");
        Files.write(empty, new byte[0]);
        Result r = run("dump", empty.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0 batches, 0 records in valid batches, 0 with a bad CRC; 0 of 0 bytes are valid batches"), r.out());
    }

    static void flip(Path file, long position) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x55)).rewind();
            ch.write(one, position);
        }
    }
}
