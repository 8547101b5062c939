package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordBatchWriter;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic fuzzing of {@link LogScanner} (recovery's and {@code rivven verify}'s scan) over
 * segment files of valid, contiguous batches that were then damaged: bit flips, replaced bytes,
 * garbage runs, length fields set to extremes, truncations. The scan must never throw; it must stop
 * exactly at the start of the first damaged batch (or earlier, never later), name that position and
 * the file, and count the batches and the next offset before it. The timeout only guards against an
 * endless loop.
 */
@Timeout(120)
class LogScannerFuzzTest {

    private static final long BASE = 1_000;
    private static final int EPOCH_FROM = RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
    private static final int EPOCH_TO = EPOCH_FROM + RecordBatchLayout.PARTITION_LEADER_EPOCH_LENGTH;

    @TempDir
    static Path dir;
    private static IoBackend io;

    @BeforeAll
    static void openBackend() {
        io = EngineFixture.PLUGINS.ioBackends().get("nio", "test").create(PluginConfig.empty("fuzz → io"));
    }

    @AfterAll
    static void closeBackend() throws Exception {
        io.close();
    }

    /** A segment of {@code n} contiguous batches from {@link #BASE}; {@code starts} gets each batch's position. */
    private static byte[] segment(SplittableRandom random, int n, int maxValue, List<Integer> starts, List<Long> bases) {
        ByteBuffer all = ByteBuffer.allocate(n * (maxValue * 8 + 2048));
        long offset = BASE;
        for (int i = 0; i < n; i++) {
            List<Record> records = new ArrayList<>();
            int count = 1 + random.nextInt(8);
            for (int r = 0; r < count; r++) {
                byte[] value = new byte[random.nextInt(maxValue)];
                random.nextBytes(value);
                records.add(Record.builder().timestamp(1_700_000_000_000L + r).key(random.nextBoolean() ? null : "k" + r)
                        .value(value).header("h", "v").build());
            }
            ByteBuffer b = RecordBatchWriter.encode(offset, null, records);
            starts.add(all.position());
            bases.add(offset);
            all.put(b);
            offset += count;
        }
        bases.add(offset);
        return Arrays.copyOf(all.array(), all.position());
    }

    /** The first byte a damage at {@code at} can be noticed from: the start of its batch (or of the file's end). */
    private static int batchOf(List<Integer> starts, int at) {
        int batch = 0;
        while (batch + 1 < starts.size() && starts.get(batch + 1) <= at) {
            batch++;
        }
        return batch;
    }

    private static void check(byte[] file, List<Integer> starts, List<Long> bases, int firstDamaged, String what)
            throws IOException {
        Path path = dir.resolve("00000000000000001000.log");
        Files.write(path, file);
        LogScanner.Result result;
        try (IoFile f = io.open(path, OpenMode.READ); RecordCursor cursor = new RecordCursor(EngineFixture.CODECS, BufferAllocator.HEAP)) {
            result = new LogScanner(RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE, true).scan(f, BASE, batch -> {
                cursor.reset(batch);
                while (cursor.next()) {
                    cursor.toRecord();
                }
            });
        } catch (Throwable t) {
            throw new AssertionError(what + ": the scan threw " + t, t);
        }
        // It stops at a batch boundary, no later than the first damaged batch.
        int stop = (int) result.validBytes();
        int boundary = starts.indexOf(stop);
        assertTrue(boundary >= 0 || stop == file.length, what + ": stopped at " + stop + ", not a batch boundary: " + result);
        int batchesBefore = boundary >= 0 ? boundary : starts.size();
        assertTrue(batchesBefore <= firstDamaged, what + ": accepted the damaged batch " + firstDamaged + ": " + result);
        assertEquals(batchesBefore, result.batches(), what + ": batches");
        assertEquals((long) bases.get(batchesBefore), result.nextOffset(), what + ": next offset");
        assertEquals(file.length, result.fileSize(), what);
        if (result.invalid() == null) {
            assertEquals(file.length, stop, what + ": complete but stopped early");
        } else {
            assertEquals(stop, result.invalid().position(), what + ": invalid position");
            assertTrue(result.invalid().reason().contains(path.toAbsolutePath().toString())
                    && result.invalid().reason().contains("position " + stop), what + ": reason: " + result.invalid().reason());
        }
    }

    @Test
    void damagedSegmentsAreValidExactlyUpToTheFirstDamagedBatch() throws IOException {
        SplittableRandom random = new SplittableRandom(0x5CA2_0001L);
        int[] lengths = {Integer.MIN_VALUE, -1, 0, 48, 49, 60, Integer.MAX_VALUE, (64 << 20) - 12, (64 << 20) - 11, 1 << 20};
        for (int i = 0; i < 400; i++) {
            List<Integer> starts = new ArrayList<>();
            List<Long> bases = new ArrayList<>();
            byte[] file = segment(random, 1 + random.nextInt(12), 600, starts, bases);
            int firstDamaged = starts.size();
            StringBuilder what = new StringBuilder("iteration " + i + " (" + file.length + " bytes, " + starts.size()
                    + " batches): ");
            int damages = 1 + random.nextInt(3);
            for (int d = 0; d < damages; d++) {
                int kind = random.nextInt(7);
                if (kind == 5) { // truncation: the batch it cuts is incomplete
                    int cut = random.nextInt(file.length);
                    file = Arrays.copyOf(file, cut);
                    firstDamaged = Math.min(firstDamaged, batchOf(starts, cut));
                    what.append("cut to ").append(cut).append("; ");
                    continue;
                }
                if (file.length == 0) {
                    continue;
                }
                int at = random.nextInt(file.length);
                int batch = batchOf(starts, at);
                int inBatch = at - starts.get(batch);
                switch (kind) {
                    case 0 -> {
                        file[at] ^= (byte) (1 << random.nextInt(8));
                        what.append("bit flip at ").append(at).append("; ");
                    }
                    case 1 -> {
                        byte v = (byte) random.nextInt(256);
                        if (v == file[at]) {
                            continue;
                        }
                        file[at] = v;
                        what.append("byte ").append(at).append(" = ").append(v).append("; ");
                    }
                    case 2 -> {
                        int n = Math.min(file.length - at, 1 + random.nextInt(100));
                        for (int j = 0; j < n; j++) {
                            file[at + j] = (byte) random.nextInt(256);
                        }
                        what.append(n).append(" garbage bytes at ").append(at).append("; ");
                        inBatch = -1; // a run may miss the epoch bytes; count it as damage
                    }
                    case 3 -> { // the base offset is outside the CRC: only the offset checks can notice
                        int start = starts.get(batch);
                        if (start + 8 > file.length) {
                            continue;
                        }
                        long[] choices = {1, -1, 2, 1L << 31, Long.MAX_VALUE - BASE, Long.MIN_VALUE};
                        long base = bases.get(batch) + choices[random.nextInt(choices.length)];
                        ByteBuffer.wrap(file).putLong(start, base);
                        what.append("baseOffset of batch ").append(batch).append(" = ").append(base).append("; ");
                        inBatch = 0;
                    }
                    default -> {
                        int start = starts.get(batch);
                        if (start + RecordBatchLayout.LOG_OVERHEAD > file.length) {
                            continue;
                        }
                        int length = lengths[random.nextInt(lengths.length)];
                        if (length == ByteBuffer.wrap(file).getInt(start + RecordBatchLayout.BATCH_LENGTH_OFFSET)) {
                            continue;
                        }
                        ByteBuffer.wrap(file).putInt(start + RecordBatchLayout.BATCH_LENGTH_OFFSET, length);
                        what.append("batchLength of batch ").append(batch).append(" = ").append(length).append("; ");
                        inBatch = RecordBatchLayout.BATCH_LENGTH_OFFSET;
                    }
                }
                if (inBatch < EPOCH_FROM || inBatch >= EPOCH_TO) { // the epoch is neither checked nor CRC-covered
                    firstDamaged = Math.min(firstDamaged, batch);
                }
            }
            check(file, starts, bases, firstDamaged, what.toString());
        }
    }

    @Test
    void batchesAcrossChunkBoundariesAndATornTail() throws IOException {
        SplittableRandom random = new SplittableRandom(0x5CA2_0002L);
        for (int i = 0; i < 3; i++) {
            List<Integer> starts = new ArrayList<>();
            List<Long> bases = new ArrayList<>();
            byte[] file = segment(random, 110, 100_000, starts, bases); // over 8 MiB: several chunks
            assertTrue(file.length > 8 << 20, file.length + " bytes");
            int cut = file.length - 1 - random.nextInt(50_000);
            int at = (8 << 20) - 100 + random.nextInt(200); // near the first chunk's end
            int batch = batchOf(starts, at);
            if (at - starts.get(batch) < EPOCH_FROM || at - starts.get(batch) >= EPOCH_TO) {
                file[at] ^= 0x10;
            } else {
                batch = starts.size();
            }
            byte[] damaged = Arrays.copyOf(file, cut);
            check(damaged, starts, bases, Math.min(batch, batchOf(starts, cut)), "iteration " + i + ": flip at " + at
                    + ", cut to " + cut);
        }
        List<Integer> starts = new ArrayList<>();
        List<Long> bases = new ArrayList<>();
        byte[] file = segment(random, 3, 10, starts, bases);
        check(file, starts, bases, starts.size(), "undamaged");
        LogScanner.Result r;
        Path path = dir.resolve("00000000000000001000.log");
        try (IoFile f = io.open(path, OpenMode.READ)) {
            r = new LogScanner(RecordBatchLayout.DEFAULT_MAX_BATCH_SIZE, true).scan(f, BASE, batch -> { });
        }
        assertNull(r.invalid());
    }
}
