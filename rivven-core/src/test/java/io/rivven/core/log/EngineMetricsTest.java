package io.rivven.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every meter the engine documents ({@link io.rivven.core.metrics.EngineMetrics}) is registered in
 * the application's own registry and moves with what it measures.
 */
class EngineMetricsTest {

    @TempDir
    Path dir;

    private static StorageEngine open(EngineFixture fx, MeterRegistry registry) throws IOException {
        return StorageEngine.builder(fx.config()).plugins(EngineFixture.PLUGINS).clock(fx.clock::get).meterRegistry(registry).open();
    }

    @Test
    void appendReadFsyncAndPartitionMetersMove() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"segment\": {\"bytes\": 1024}, \"flush\": {\"mode\": \"always\"}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StorageEngine engine = open(fx, registry)) {
            assertSame(registry, engine.metrics().registry(), "the application's registry is used");
            engine.createTopic("t", 2);
            PartitionLog p = engine.partition("t", 1);
            long fsyncsBefore = registry.get("rivven.fsync").timer().count();
            AppendResult a = p.append(EngineFixture.records(0, 10, 50));
            p.append(EngineFixture.records(10, 10, 50));

            assertEquals(20, registry.get("rivven.append.records").counter().count());
            assertEquals(p.sizeInBytes(), (long) registry.get("rivven.append.bytes").counter().count());
            assertTrue(p.sizeInBytes() > 0);
            Timer appendLatency = registry.get("rivven.append.latency").timer();
            assertEquals(2, appendLatency.count());
            assertTrue(appendLatency.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
            assertTrue(registry.get("rivven.fsync").timer().count() >= fsyncsBefore + 2, "flush.mode always fsyncs each append");

            long readBytes;
            try (FetchResult r = p.read(a.baseOffset(), 1 << 20)) {
                readBytes = r.sizeInBytes();
            }
            assertTrue(readBytes > 0);
            assertEquals(readBytes, (long) registry.get("rivven.read.bytes").counter().count());
            assertEquals(1, registry.get("rivven.read.latency").timer().count());

            double segments = registry.get("rivven.log.segments").tags("topic", "t", "partition", "1").gauge().value();
            assertEquals(p.segmentCount(), (int) segments);
            assertTrue(segments >= 2, "20 records of 50 bytes roll 1 KiB segments: " + segments);
            assertEquals(p.sizeInBytes(), (long) registry.get("rivven.log.bytes").tags("topic", "t", "partition", "1").gauge().value());
            assertEquals(0, registry.get("rivven.log.bytes").tags("topic", "t", "partition", "0").gauge().value());

            engine.deleteTopic("t");
            assertNull(registry.find("rivven.log.segments").tags("topic", "t").gauge(), "a deleted topic's gauges are removed");
        }
    }

    @Test
    void recoveryTimeAndTruncatedBytesAreRecorded() throws IOException {
        EngineFixture fx = new EngineFixture(dir).defaults("\"flush\": {\"mode\": \"os\"}");
        StorageEngine first = fx.open();
        first.createTopic("t", 1);
        EngineFixture.fill(first.partition("t", 0), 5, 2, 40);
        first.abandonForTest();
        Path log = EngineFixture.files(fx.partitionDir("t", 0), LogFiles.LOG).getLast();
        EngineFixture.append(log, new byte[] {1, 2, 3, 4, 5, 6, 7});

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StorageEngine engine = open(fx, registry)) {
            assertEquals(10, engine.partition("t", 0).highWatermark());
            assertEquals(1, registry.get("rivven.recovery.time").timer().count(), "one partition opened");
            var truncated = registry.get("rivven.recovery.truncated.bytes").summary();
            assertEquals(1, truncated.count());
            assertEquals(7, truncated.totalAmount(), "the garbage after the last batch");
        }
    }

    /**
     * Two engines on one registry: with their own {@code meterTags} each reports its partitions and
     * its appends apart. Without them, the second engine's partition gauge used to be the first
     * engine's (Micrometer hands back the meter already registered under that name and tags), so
     * it reported the other log, and closing the first engine removed it; now that open fails and
     * says how to tell the engines apart.
     */
    @Test
    void enginesSharingARegistryAreToldApartByTheirMeterTags() throws IOException {
        EngineFixture fa = new EngineFixture(dir.resolve("a")).defaults("\"flush\": {\"mode\": \"os\"}");
        EngineFixture fb = new EngineFixture(dir.resolve("b")).defaults("\"flush\": {\"mode\": \"os\"}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StorageEngine a = StorageEngine.builder(fa.config()).plugins(EngineFixture.PLUGINS).meterRegistry(registry)
                .meterTags("engine", "a").open();
             StorageEngine b = StorageEngine.builder(fb.config()).plugins(EngineFixture.PLUGINS).meterRegistry(registry)
                .meterTags("engine", "b").open()) {
            a.createTopic("t", 1);
            b.createTopic("t", 1);
            a.partition("t", 0).append(EngineFixture.records(0, 3, 50));
            assertEquals(3, registry.get("rivven.append.records").tags("engine", "a").counter().count());
            assertEquals(0, registry.get("rivven.append.records").tags("engine", "b").counter().count());
            assertEquals(a.partition("t", 0).sizeInBytes(),
                    (long) registry.get("rivven.log.bytes").tags("engine", "a", "topic", "t", "partition", "0").gauge().value());
            assertEquals(0, registry.get("rivven.log.bytes").tags("engine", "b", "topic", "t", "partition", "0").gauge().value());
        }

        SimpleMeterRegistry shared = new SimpleMeterRegistry();
        try (StorageEngine a = open(fa, shared)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(fb, shared));
            assertTrue(e.getMessage().contains("rivven.log.segments"), e.getMessage());
            assertTrue(e.getMessage().contains("meterTags"), e.getMessage());
            assertEquals(a.partition("t", 0).sizeInBytes(),
                    (long) shared.get("rivven.log.bytes").tags("topic", "t", "partition", "0").gauge().value(),
                    "the first engine's gauge is untouched");
        }
        try (StorageEngine b = open(fb, shared)) { // once the first is closed, the name is free
            assertEquals(0, shared.get("rivven.log.bytes").tags("topic", "t", "partition", "0").gauge().value());
        }
    }
}
