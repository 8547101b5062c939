package io.rivven.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.plugin.Fakes.FakeCodecProvider;
import io.rivven.core.plugin.Fakes.FakeColdProvider;
import io.rivven.core.plugin.Fakes.FakeIndexProvider;
import io.rivven.core.plugin.Fakes.FakeIoProvider;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    @Test
    void unknownNameNamesSpiPathAvailableAndFix() {
        Plugins plugins = Fakes.standardCodecs().build();
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class,
                () -> plugins.codecs().get("zsdt", "rivven.json → topics.orders.compression.type"));
        assertEquals("no compression codec 'zsdt' (rivven.json → topics.orders.compression.type); "
                + "available: gzip, lz4, none, snappy, zstd; put the plugin's folder in plugins/ or another of the config's pluginDirs", e.getMessage());
        assertEquals("rivven.json → topics.orders.compression.type", e.path());
        assertEquals(Spi.CODEC, e.spi());
        assertEquals("zsdt", e.name());
        assertTrue(e instanceof ConfigException);
    }

    @Test
    void unknownNameOfEverySpi() {
        Plugins plugins = Plugins.builder().add(new FakeIoProvider("nio", true)).build();
        assertEquals("no I/O backend 'uring' (rivven.json → io.type); available: nio; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                assertThrows(PluginNotFoundException.class, () -> plugins.ioBackends().get("uring", "rivven.json → io.type"))
                        .getMessage());
        assertEquals("no cold store 's4' (rivven.json → tiered.cold.type); available: (none); put the plugin's folder in plugins/ or another of the config's pluginDirs",
                assertThrows(PluginNotFoundException.class,
                        () -> plugins.coldStores().get(PluginSpec.of("s4", "rivven.json → tiered.cold"))).getMessage());
        assertEquals("no index type 'bloom'; available: (none); put the plugin's folder in plugins/ or another of the config's pluginDirs",
                assertThrows(PluginNotFoundException.class, () -> plugins.indexes().get("bloom", null)).getMessage());
    }

    @Test
    void knownNamesResolveAndListSorted() {
        Plugins plugins = Fakes.standardCodecs()
                .add(new FakeIoProvider("nio", true))
                .add(new FakeColdProvider("fs"))
                .add(new FakeIndexProvider("bloom", "bloom"))
                .build();
        assertEquals(List.of("gzip", "lz4", "none", "snappy", "zstd"), plugins.codecs().available());
        assertEquals("zstd", plugins.codecs().get("zstd", null).name());
        assertEquals(4, plugins.codecs().get("zstd", null).id());
        assertTrue(plugins.codecs().contains("lz4"));
        assertFalse(plugins.codecs().contains("lz5"));
        assertTrue(plugins.codecs().find("lz5").isEmpty());
        assertEquals("nio", plugins.ioBackends().get("nio", null).name());
        assertEquals(List.of("fs"), plugins.coldStores().available());
        assertEquals(List.of("bloom"), plugins.indexes().available());
        assertEquals(Set.of("secretKey"), plugins.secretKeys(Spi.COLD_STORE, "fs"));
        assertEquals(Set.of(), plugins.secretKeys(Spi.COLD_STORE, "s3"));

        List<String> all = plugins.all().stream().map(i -> i.spi().label() + ":" + i.name()).toList();
        assertEquals(List.of("codec:gzip", "codec:lz4", "codec:none", "codec:snappy", "codec:zstd", "io:nio",
                "cold-store:fs", "index:bloom"), all);
        PluginInfo<?> zstd = plugins.codecs().info("zstd").orElseThrow();
        assertEquals(4, zstd.codecId().getAsInt());
        assertEquals(PluginSource.Kind.APPLICATION, zstd.source().kind());
        assertEquals(PluginSource.APPLICATION, zstd.source().folderName());
        assertTrue(plugins.ioBackends().plugins().getFirst().codecId().isEmpty());
    }

    @Test
    void duplicateNameFailsNamingBothSources() {
        Plugins.Builder b = Plugins.builder()
                .add(new FakeCodecProvider("gzip", 1), Fakes.folder("/opt/rivven/plugins/gzip-a", "io.rivven.codec.gzip"))
                .add(new FakeCodecProvider("gzip", 1), Fakes.folder("/opt/rivven/plugins/gzip-b", "io.rivven.codec.gzip"));
        PluginLoadException e = assertThrows(PluginLoadException.class, b::build);
        String className = FakeCodecProvider.class.getName();
        assertEquals("two compression codecs are named 'gzip': module io.rivven.codec.gzip in /opt/rivven/plugins/gzip-a ("
                + className + ") and module io.rivven.codec.gzip in /opt/rivven/plugins/gzip-b (" + className
                + "); remove one of them", e.getMessage());
    }

    @Test
    void sameNameInDifferentSpisIsFine() {
        Plugins plugins = Plugins.builder().add(new FakeCodecProvider("fs", 5)).add(new FakeColdProvider("fs")).build();
        assertEquals(List.of("fs"), plugins.codecs().available());
        assertEquals(List.of("fs"), plugins.coldStores().available());
    }

    @Test
    void duplicateCodecIdFails() {
        Plugins.Builder b = Fakes.standardCodecs().add(new FakeCodecProvider("lzma", 5))
                .add(new FakeCodecProvider("brotli", 5), Fakes.folder("/p/brotli", "com.example.brotli"));
        PluginLoadException e = assertThrows(PluginLoadException.class, b::build);
        assertTrue(e.getMessage().startsWith("compression codecs 'lzma' (module io.rivven.core (application)) and 'brotli' "
                + "(module com.example.brotli in /p/brotli) both use codec id 5; ids are written into data and must be unique"),
                e.getMessage());
    }

    @Test
    void idsZeroToFourBelongToKafkasCodecsEvenWhenTheyAreNotInstalled() {
        // brotli claiming zstd's id would write batches that Kafka (and a Rivven with zstd) decode as zstd
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> Plugins.builder()
                .add(new FakeCodecProvider("brotli", 4), Fakes.folder("/p/brotli", "com.example.brotli")).build());
        assertEquals("compression codec 'brotli' (module com.example.brotli in /p/brotli) has codec id 4, which is Kafka's "
                + "'zstd'; ids 0-4 are the standard codecs (none, gzip, snappy, lz4, zstd), third-party codecs use 5-7: fix "
                + "the provider's id()", e.getMessage());
        e = assertThrows(PluginLoadException.class, () -> Plugins.of(new FakeCodecProvider("zstd", 6)));
        assertTrue(e.getMessage().contains("compression codec 'zstd'") && e.getMessage().contains("has codec id 6, but "
                + "'zstd' is Kafka's codec with id 4"), e.getMessage());
    }

    @Test
    void codecIdOutOfRangeFails() {
        for (int id : new int[] {-1, 8, 100}) {
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> Plugins.of(new FakeCodecProvider("odd", id)));
            assertTrue(e.getMessage().contains("compression codec 'odd'") && e.getMessage().contains("has codec id " + id
                    + "; ids must be between 0 and 7 (0-4 are Kafka's, 5-7 are free for third-party codecs)"), e.getMessage());
        }
    }

    @Test
    void invalidNamesFail() {
        for (String name : new String[] {"Gzip", "", "9lives", "has space", "a".repeat(33), "under_score"}) {
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> Plugins.of(new FakeCodecProvider(name, 5)), name);
            assertTrue(e.getMessage().contains("has the invalid name '" + name + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("fix the provider's name()"), e.getMessage());
        }
        assertThrows(PluginLoadException.class, () -> Plugins.of(new FakeColdProvider(null)));
        assertEquals(1, Plugins.of(new FakeCodecProvider("a" + "-b9".repeat(10), 5)).codecs().size());
    }

    @Test
    void indexSuffixesAreCheckedAndUnique() {
        for (String suffix : new String[] {"log", "deleted", "swap", "Index", "", ".x"}) {
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> Plugins.of(new FakeIndexProvider("bloom", suffix)), suffix);
            assertTrue(e.getMessage().contains("has the invalid file suffix '" + suffix + "'"), e.getMessage());
        }
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> Plugins.of(new FakeIndexProvider("bloom", "keys"), new FakeIndexProvider("cuckoo", "keys")));
        assertTrue(e.getMessage().endsWith("both use the file suffix 'keys'; suffixes must be unique"), e.getMessage());
        assertEquals(2, Plugins.of(new FakeIndexProvider("offset", "index"), new FakeIndexProvider("time", "timeindex"))
                .indexes().size());
    }

    @Test
    void forIdReturnsOneCachedDecoderPerId() {
        FakeCodecProvider lz4 = new FakeCodecProvider("lz4", 3);
        Plugins plugins = Plugins.builder().add(new FakeCodecProvider("none", 0)).add(lz4).build();
        Codec c = plugins.codecs().forId((byte) 3);
        assertEquals("lz4", c.name());
        assertSame(c, plugins.codecs().forId((byte) 3));
        assertEquals(1, lz4.created.get());
        ByteBuffer out = c.decompress(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)), BufferAllocator.HEAP);
        assertEquals("abc", StandardCharsets.UTF_8.decode(out).toString());
        assertEquals("lz4", plugins.codecs().providerForId(3).orElseThrow().name());
        assertTrue(plugins.codecs().providerForId(4).isEmpty());
        assertTrue(plugins.codecs().providerForId(9).isEmpty());
    }

    @Test
    void forIdOfMissingCodecFailsListingInstalledIds() {
        Plugins plugins = Plugins.builder().add(new FakeCodecProvider("none", 0)).add(new FakeCodecProvider("lz4", 3)).build();
        CodecException e = assertThrows(CodecException.class, () -> plugins.codecs().forId((byte) 4));
        assertEquals("no compression codec with id 4; installed: 0 none, 3 lz4; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                e.getMessage());
        assertThrows(CodecException.class, () -> plugins.codecs().forId((byte) -3));
        assertThrows(CodecException.class, () -> plugins.codecs().forId((byte) 8));
    }

    @Test
    void forIdOfCodecThatNeedsOptionsFailsClearly() {
        Plugins plugins = Plugins.of(new FakeCodecProvider("picky", 6, true));
        CodecException e = assertThrows(CodecException.class, () -> plugins.codecs().forId((byte) 6));
        assertTrue(e.getMessage().startsWith("compression codec 'picky' (module io.rivven.core (application)) cannot be "
                + "created with default options to decode batches: "), e.getMessage());
    }

    @Test
    void forIdRejectsAProviderWhoseCodecHasAnotherId() {
        CodecProvider liar = new CodecProvider() {
            @Override
            public String name() {
                return "liar";
            }

            @Override
            public byte id() {
                return 5;
            }

            @Override
            public Codec create(PluginConfig config) {
                return new FakeCodecProvider("liar", 6).create(config);
            }
        };
        CodecException e = assertThrows(CodecException.class, () -> Plugins.of(liar).codecs().forId((byte) 5));
        assertTrue(e.getMessage().endsWith("created a codec with id 6, expected 5; the provider is broken"), e.getMessage());
    }

    @Test
    void createAppliesOptionsAndReportsTheirPath() {
        Plugins plugins = Fakes.standardCodecs().build();
        PluginSpec ok = new PluginSpec("zstd", PluginConfig.of("rivven.json → defaults.compression", Map.of("level", 3L)));
        assertEquals("zstd", plugins.codecs().create(ok).name());
        PluginSpec bad = new PluginSpec("zstd", PluginConfig.of("rivven.json → defaults.compression", Map.of("level", 30L)));
        ConfigException e = assertThrows(ConfigException.class, () -> plugins.codecs().create(bad));
        assertEquals("rivven.json → defaults.compression.level: must be between 1 and 9, got 30", e.getMessage());
    }

    @Test
    void specPrintsNoSecretsByDefault() {
        PluginSpec spec = new PluginSpec("s3", PluginConfig.of("rivven.json → tiered.cold",
                Map.of("bucket", "b", "secretKey", "hunter2")));
        assertFalse(spec.toString().contains("hunter2"), spec.toString());
        assertEquals("{\"type\": \"s3\", \"bucket\": \"b\", \"secretKey\": \"******\"}".length(),
                spec.toString(Set.of("secretKey")).length());
        assertTrue(spec.toString(Set.of("secretKey")).contains("\"secretKey\": \"******\""));
        assertEquals("{\"type\": \"none\"}", PluginSpec.of("none", "x").toString(Set.of()));
        assertEquals("rivven.json → tiered.cold.type", spec.typePath());
    }
}
