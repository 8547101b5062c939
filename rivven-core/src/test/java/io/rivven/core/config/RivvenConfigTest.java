package io.rivven.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import io.rivven.core.plugin.PluginSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RivvenConfigTest {

    @TempDir
    Path tmp;

    static RivvenConfig parse(String json) {
        return RivvenConfig.parse(json.replace('\'', '"'), "rivven.json");
    }

    @Test
    void emptyObjectGivesTheBuiltInDefaults() {
        RivvenConfig c = parse("{}");
        assertEquals("rivven.json", c.source());
        assertEquals(Path.of("data"), c.dataDir());
        assertEquals(List.of(Path.of("plugins")), c.pluginDirs());
        assertEquals("nio", c.io().type());
        assertEquals("rivven.json → io.type", c.io().typePath());
        TopicConfig d = c.defaults();
        assertEquals(1, d.partitions());
        assertEquals("none", d.compression().type());
        assertEquals(new SegmentConfig(1L << 30, 604_800_000L, 4096, 10 << 20, 1 << 20), d.segment());
        assertEquals(new RetentionConfig(604_800_000L, -1), d.retention());
        assertEquals(CleanupPolicy.DELETE, d.cleanupPolicy());
        assertEquals(new FlushConfig(FlushMode.INTERVAL, 1000, -1), d.flush());
        assertEquals(List.of(), d.indexes());
        assertEquals(TieredConfig.DISABLED, c.tiered());
        assertFalse(c.tiered().enabled());
        assertEquals(Map.of(), c.topics());
    }

    @Test
    void theArchitectureExampleBinds() {
        RivvenConfig c = parse("""
                { 'dataDir': '/var/lib/rivven',
                  'io': { 'type': 'nio' },
                  'defaults': { 'compression': { 'type': 'lz4' }, 'segment': { 'bytes': 1073741824, 'indexIntervalBytes': 4096 },
                                'retention': { 'ms': 604800000, 'bytes': -1 }, 'cleanupPolicy': 'delete',
                                'flush': { 'mode': 'interval', 'intervalMs': 1000 }, 'indexes': [ { 'type': 'bloom' } ] },
                  'tiered': { 'preset': 'high-performance', 'cold': { 'type': 's3', 'bucket': 'b', 'endpoint': 'http://localhost:9000' } },
                  'topics': { 'orders': { 'partitions': 4, 'compression': { 'type': 'zstd', 'level': 3 } } } }""");
        assertEquals(Path.of("/var/lib/rivven"), c.dataDir());
        assertEquals("lz4", c.defaults().compression().type());
        assertEquals(List.of("bloom"), c.defaults().indexes().stream().map(PluginSpec::type).toList());
        assertEquals("rivven.json → defaults.indexes[0]", c.defaults().indexes().getFirst().path());
        TieredConfig t = c.tiered();
        assertTrue(t.enabled());
        assertEquals(TierPreset.HIGH_PERFORMANCE, t.preset());
        PluginSpec cold = t.cold().orElseThrow();
        assertEquals("s3", cold.type());
        assertEquals(Map.of("bucket", "b", "endpoint", "http://localhost:9000"), cold.config().asMap());
        assertEquals("rivven.json → tiered.cold", cold.path());
        TopicConfig orders = c.topics().get("orders");
        assertEquals(4, orders.partitions());
        assertEquals("zstd", orders.compression().type());
        assertEquals(3L, orders.compression().config().asMap().get("level"));
        assertEquals("rivven.json → topics.orders.compression.type", orders.compression().typePath());
        assertEquals(c.defaults().segment(), orders.segment());
        assertEquals(c.defaults().indexes(), orders.indexes());
    }

    @Test
    void topicsMergeOverDefaultsKeyByKey() {
        RivvenConfig c = parse("""
                { 'defaults': { 'partitions': 3, 'compression': { 'type': 'zstd', 'level': 9 },
                                'segment': { 'bytes': 1000000, 'ms': 60000 },
                                'retention': { 'bytes': 5000000 },
                                'flush': { 'mode': 'always' }, 'cleanupPolicy': 'compact',
                                'indexes': [ { 'type': 'bloom', 'percent': 5 } ] },
                  'topics': {
                    'a': { 'segment': { 'ms': 1000 }, 'flush': { 'intervalMs': 5 }, 'retention': { 'ms': -1 } },
                    'b': { 'compression': { 'type': 'zstd' }, 'indexes': [], 'partitions': 8, 'cleanupPolicy': 'both' },
                    'c': {} } }""");
        TopicConfig d = c.defaults();
        assertEquals(3, d.partitions());
        assertEquals(new SegmentConfig(1_000_000, 60_000, 4096, 10 << 20, 1 << 20), d.segment());
        assertEquals(new RetentionConfig(604_800_000L, 5_000_000), d.retention());
        assertEquals(new FlushConfig(FlushMode.ALWAYS, 1000, -1), d.flush());

        TopicConfig a = c.topics().get("a");
        assertEquals(new SegmentConfig(1_000_000, 1000, 4096, 10 << 20, 1 << 20), a.segment(), "segment merged key by key");
        assertEquals(new FlushConfig(FlushMode.ALWAYS, 5, -1), a.flush());
        assertEquals(new RetentionConfig(-1, 5_000_000), a.retention());
        assertEquals(3, a.partitions());
        assertSame(d.compression(), a.compression(), "inherited plugin spec keeps the defaults' path");
        assertEquals("rivven.json → defaults.compression", a.compression().path());
        assertEquals(CleanupPolicy.COMPACT, a.cleanupPolicy());

        TopicConfig b = c.topics().get("b");
        assertEquals(Map.of(), b.compression().config().asMap(), "a plugin object is replaced whole, not merged");
        assertEquals(List.of(), b.indexes());
        assertEquals(8, b.partitions());
        assertEquals(CleanupPolicy.BOTH, b.cleanupPolicy());
        assertTrue(b.cleanupPolicy().compacts() && b.cleanupPolicy().deletes());

        assertEquals(d, c.topics().get("c"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(c.topics().keySet()), "file order");
    }

    @Test
    void pluginNameShorthand() {
        RivvenConfig c = parse("{ 'io': 'uring', 'defaults': { 'compression': 'lz4', 'indexes': ['bloom'] } }");
        assertEquals("uring", c.io().type());
        assertEquals("lz4", c.defaults().compression().type());
        assertEquals("rivven.json → defaults.compression", c.defaults().compression().path());
        assertEquals("bloom", c.defaults().indexes().getFirst().type());
    }

    @Test
    void pluginOptionsKeepTheirJsonTypes() {
        RivvenConfig c = parse("""
                { 'defaults': { 'compression': { 'type': 'x', 's': 'a', 'i': 12, 'd': 0.5, 'b': true, 'n': null,
                  'l': [1, 'two'], 'o': { 'k': [] } } } }""");
        Map<String, Object> o = c.defaults().compression().config().asMap();
        assertEquals("a", o.get("s"));
        assertEquals(12L, o.get("i"));
        assertEquals(0.5, o.get("d"));
        assertEquals(true, o.get("b"));
        assertTrue(o.containsKey("n") && o.get("n") == null);
        assertEquals(List.of(1L, "two"), o.get("l"));
        assertEquals(Map.of("k", List.of()), o.get("o"));
        assertEquals(List.of("s", "i", "d", "b", "n", "l", "o"), List.copyOf(o.keySet()));
    }

    @Test
    void integralFloatsAreIntegers() {
        assertEquals(4, parse("{ 'defaults': { 'partitions': 4.0 } }").defaults().partitions());
        assertEquals(1000, parse("{ 'defaults': { 'flush': { 'intervalMs': 1e3 } } }").defaults().flush().intervalMs());
    }

    @Test
    void presetsFillTierLimitsAndExplicitKeysOverride() {
        assertEquals(new TieredConfig(true, TierPreset.HIGH_PERFORMANCE, new TierLimits(8L << 30, 7_200_000),
                        new TierLimits(500L << 30, 7 * 86_400_000L), 30_000, Optional.empty()),
                parse("{ 'tiered': { 'preset': 'high-performance' } }").tiered());
        assertEquals(new TieredConfig(true, TierPreset.COST_OPTIMIZED, new TierLimits(256L << 20, 300_000),
                        new TierLimits(10L << 30, 86_400_000L), 120_000, Optional.empty()),
                parse("{ 'tiered': { 'preset': 'cost-optimized' } }").tiered());
        assertEquals(new TieredConfig(true, TierPreset.TESTING, new TierLimits(1L << 20, 1000),
                        new TierLimits(16L << 20, 10_000), 1000, Optional.empty()),
                parse("{ 'tiered': { 'preset': 'testing' } }").tiered());

        TieredConfig t = parse("""
                { 'tiered': { 'preset': 'testing', 'hot': { 'maxBytes': 4096 }, 'warm': { 'maxAgeMs': -1 },
                              'migrateIntervalMs': 50, 'enabled': false } }""").tiered();
        assertEquals(new TierLimits(4096, 1000), t.hot(), "hot.maxAgeMs stays the preset's");
        assertEquals(new TierLimits(16L << 20, -1), t.warm());
        assertEquals(50, t.migrateIntervalMs());
        assertFalse(t.enabled());
        assertEquals(TierPreset.TESTING, t.preset());

        assertEquals(TierPreset.DEFAULT, parse("{ 'tiered': {} }").tiered().preset());
        assertEquals(List.of("high-performance", "cost-optimized", "testing"), TierPreset.names());
    }

    @Test
    void topicLookupFallsBackToDefaults() {
        RivvenConfig c = parse("{ 'defaults': { 'partitions': 2 }, 'topics': { 'orders': { 'partitions': 4 } } }");
        assertEquals(4, c.topic("orders").partitions());
        assertEquals(2, c.topic("clicks").partitions());
        assertEquals(c.defaults(), c.topic("clicks"));
        assertEquals(7, c.topic("clicks").withPartitions(7).partitions());
        ConfigException e = assertThrows(ConfigException.class, () -> c.topic("a/b"));
        assertEquals("topic: invalid topic name \"a/b\": a topic name is 1-249 characters from A-Z a-z 0-9 . _ - and not "
                + "\".\" or \"..\"", e.getMessage());
    }

    @Test
    void topicNames() {
        for (String ok : new String[] {"orders", "a", "A.b_c-9", "x".repeat(249), "..."}) {
            assertTrue(TopicConfig.isValidName(ok), ok);
        }
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "ü", "x".repeat(250), "__consumer_offsets", "__x", null}) {
            assertFalse(TopicConfig.isValidName(bad), bad);
        }
        assertEquals("--topic: invalid topic name \"__x\": names starting with __ are reserved for internal topics",
                assertThrows(ConfigException.class, () -> TopicConfig.checkName("__x", "--topic")).getMessage());
    }

    @Test
    void embeddedDefault() {
        RivvenConfig c = RivvenConfig.embeddedDefault();
        assertEquals(RivvenConfig.EMBEDDED_SOURCE, c.source());
        assertEquals(Path.of("data"), c.dataDir());
        assertEquals(List.of(Path.of("plugins")), c.pluginDirs());
        assertEquals("nio", c.io().type());
        assertEquals("lz4", c.defaults().compression().type());
        assertEquals("(embedded default) → defaults.compression", c.defaults().compression().path());
        assertEquals(SegmentConfig.DEFAULTS, c.defaults().segment());
        assertEquals(Map.of(), c.topics());
    }

    @Test
    void resolvePicksExplicitThenWorkingDirFileThenEmbedded() throws IOException {
        assertEquals(RivvenConfig.EMBEDDED_SOURCE, RivvenConfig.resolve(null, tmp).source());

        Files.writeString(tmp.resolve("rivven.json"), "{\"dataDir\": \"here\"}");
        RivvenConfig found = RivvenConfig.resolve(null, tmp);
        assertEquals("rivven.json", found.source());
        assertEquals(Path.of("here"), found.dataDir());

        Files.createDirectories(tmp.resolve("conf"));
        Files.writeString(tmp.resolve("conf/prod.json"), "{\"dataDir\": \"there\"}");
        RivvenConfig explicit = RivvenConfig.resolve(Path.of("conf/prod.json"), tmp);
        assertEquals("prod.json", explicit.source());
        assertEquals(Path.of("there"), explicit.dataDir());

        ConfigException e = assertThrows(ConfigException.class, () -> RivvenConfig.resolve(Path.of("missing.json"), tmp));
        assertEquals(tmp.resolve("missing.json") + ": no such file", e.getMessage());
    }

    @Test
    void loadNamesTheFileByItsName() throws IOException {
        Path file = Files.writeString(tmp.resolve("my.json"), "{\"dataDir\": 3}");
        ConfigException e = assertThrows(ConfigException.class, () -> RivvenConfig.load(file));
        assertEquals("my.json → dataDir: must be a non-empty string, got 3", e.getMessage());
        assertEquals("my.json → dataDir", e.path());
    }
}
