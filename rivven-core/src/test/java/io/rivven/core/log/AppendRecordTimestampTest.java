package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record timestamp below -1 (which Kafka's producer refuses: "Invalid negative timestamp") is
 * refused by {@link PartitionLog#append}, naming the partition, the record's index in the call and
 * the value; nothing of that call is appended and the partition goes on.
 */
class AppendRecordTimestampTest {

    @TempDir
    Path dir;

    @Test
    void aRecordWithATimestampBelowMinusOneIsRefusedAndNothingOfTheCallIsAppended() throws IOException {
        try (StorageEngine engine = new EngineFixture(dir).open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            List<Record> records = List.of(Record.of(1000, "a", "1"), Record.of(-1, "b", "2"), Record.of(-2, "c", "3"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.append(records));
            String m = e.getMessage();
            assertTrue(m.startsWith("t-0: ") && m.contains("record 2 ") && m.contains("timestamp -2"), m);
            assertEquals(0, p.highWatermark());
            assertEquals(0, p.sizeInBytes());
            assertEquals(0, p.append(records.subList(0, 2)).baseOffset());
            assertEquals(List.of("0:a:1", "1:b:2"), EngineFixture.readAll(p, 0));
        }
    }
}
