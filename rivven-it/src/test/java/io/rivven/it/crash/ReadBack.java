package io.rivven.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchReader;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.log.FetchResult;
import io.rivven.core.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a crash child's records back from a reopened partition, checking each as the crash tests require. */
final class ReadBack {

    private ReadBack() {
    }

    /**
     * Every record of {@code log} from {@code start} to the high watermark, as offset → record
     * number (the child's keys are {@code r-<number>}). Fails the test, naming {@code where}, when
     * an offset is skipped, a value is not {@link CrashChild#value} of its number, or a read
     * returns a partial batch.
     */
    static Map<Long, Long> records(PartitionLog log, long start, String where) throws IOException {
        Map<Long, Long> byOffset = new LinkedHashMap<>();
        long offset = start;
        while (offset < log.highWatermark()) {
            try (FetchResult f = log.read(offset, 1 << 20)) {
                RecordBatchReader r = new RecordBatchReader(f.toByteBuffer()).requireIncreasingOffsets(true);
                for (RecordBatch batch; (batch = r.next()) != null; ) {
                    try (RecordCursor c = batch.records()) {
                        while (c.next()) {
                            if (c.offset() < offset) {
                                continue;
                            }
                            if (c.offset() != offset) {
                                fail(where + " jumps from offset " + offset + " to " + c.offset());
                            }
                            long n = Long.parseLong(StandardCharsets.UTF_8.decode(c.key()).toString().substring(2));
                            assertEquals(CrashChild.value(n), StandardCharsets.UTF_8.decode(c.value()).toString(),
                                    where + ": value of record " + n + " at offset " + offset);
                            byOffset.put(offset, n);
                            offset++;
                        }
                    }
                }
                assertTrue(r.isAtEnd(), where + ": a read returned a partial batch");
            }
        }
        return byOffset;
    }
}
