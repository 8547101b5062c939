package io.rivven.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.tier.ColdStore;
import io.rivven.api.tier.ColdStoreProvider;
import io.rivven.core.plugin.Fakes;
import io.rivven.core.plugin.Fakes.FakeCodecProvider;
import io.rivven.core.plugin.Fakes.FakeColdProvider;
import io.rivven.core.plugin.Fakes.FakeIndexProvider;
import io.rivven.core.plugin.Fakes.FakeIoProvider;
import io.rivven.core.plugin.PluginNotFoundException;
import io.rivven.core.plugin.Plugins;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** After binding, every named plugin is resolved against the registries and its options are checked. */
class ConfigValidatorTest {

    final FakeColdProvider fs = new FakeColdProvider("fs");
    final FakeCodecProvider zstd = new FakeCodecProvider("zstd", 4);
    final Plugins plugins = Plugins.builder()
            .add(new FakeCodecProvider("none", 0)).add(new FakeCodecProvider("gzip", 1))
            .add(new FakeCodecProvider("snappy", 2)).add(new FakeCodecProvider("lz4", 3)).add(zstd)
            .add(new FakeIoProvider("nio", true)).add(new FakeIoProvider("uring", false))
            .add(fs)
            .add(new FakeIndexProvider("bloom", "bloom"))
            .build();

    static RivvenConfig parse(String json) {
        return RivvenConfig.parse(json.replace('\'', '"'), "rivven.json");
    }

    String error(String json) {
        return assertThrows(ConfigException.class, () -> parse(json).validate(plugins)).getMessage();
    }

    @Test
    void aValidConfigPassesAndCreatesEachCodecOnce() {
        RivvenConfig c = parse("""
                { 'defaults': { 'compression': { 'type': 'zstd', 'level': 3 }, 'indexes': [ { 'type': 'bloom', 'percent': 2 } ] },
                  'tiered': { 'cold': { 'type': 'fs', 'bucket': 'b', 'secretKey': 's' } },
                  'topics': { 'a': {}, 'b': { 'partitions': 2 }, 'c': { 'compression': 'zstd' } } }""");
        c.validate(plugins);
        assertEquals(2, zstd.created.get(), "the defaults' codec once (inherited by a and b), c's own once");
        assertEquals(1, fs.closed.get(), "the cold store is created to check its options, then closed");
    }

    @Test
    void unknownCodecNamesTheTopicPath() {
        assertEquals("no compression codec 'zsdt' (rivven.json → topics.orders.compression.type); available: gzip, lz4, none, "
                + "snappy, zstd; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                error("{ 'topics': { 'orders': { 'compression': { 'type': 'zsdt' } } } }"));
    }

    @Test
    void unknownCodecInheritedFromDefaultsNamesTheDefaults() {
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class,
                () -> parse("{ 'defaults': { 'compression': 'brotli' }, 'topics': { 'a': {} } }").validate(plugins));
        assertEquals("rivven.json → defaults.compression.type", e.path());
    }

    @Test
    void badCodecOptionsFailWithTheirPath() {
        assertEquals("rivven.json → topics.orders.compression.level: must be between 1 and 9, got 40",
                error("{ 'topics': { 'orders': { 'compression': { 'type': 'zstd', 'level': 40 } } } }"));
        assertEquals("rivven.json → defaults.compression.lvl: unknown option; accepted: level",
                error("{ 'defaults': { 'compression': { 'type': 'zstd', 'lvl': 4 } } }"));
    }

    @Test
    void indexesAreResolvedValidatedAndUnique() {
        assertEquals("no index type 'blom' (rivven.json → topics.t.indexes[0].type); available: bloom; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                error("{ 'topics': { 't': { 'indexes': [ 'blom' ] } } }"));
        assertEquals("rivven.json → defaults.indexes[0].percent: must be between 1 and 50, got 90",
                error("{ 'defaults': { 'indexes': [ { 'type': 'bloom', 'percent': 90 } ] } }"));
        assertEquals("rivven.json → defaults.indexes[1].type: index type 'bloom' is listed twice (also at rivven.json → "
                + "defaults.indexes[0]); list each index type once",
                error("{ 'defaults': { 'indexes': [ 'bloom', { 'type': 'bloom' } ] } }"));
    }

    @Test
    void coldStoreIsCheckedOnlyWhenTieringIsEnabled() {
        assertEquals("no cold store 's4' (rivven.json → tiered.cold.type); available: fs; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                error("{ 'tiered': { 'cold': { 'type': 's4' } } }"));
        assertEquals("rivven.json → tiered.cold.bucket: required, a non-empty string",
                error("{ 'tiered': { 'cold': { 'type': 'fs' } } }"));
        parse("{ 'tiered': { 'enabled': false, 'cold': { 'type': 's4' } } }").validate(plugins);
    }

    @Test
    void ioIsResolvedWhenTheEngineOpensNotWhenTheConfigLoads() {
        RivvenConfig c = parse("{ 'io': 'nioo' }");
        c.validate(plugins);
        assertEquals("no I/O backend 'nioo' (rivven.json → io.type); available: nio, uring; put the plugin's folder in plugins/ or another of the config's pluginDirs",
                assertThrows(PluginNotFoundException.class, () -> ConfigValidator.ioBackend(c, plugins)).getMessage());
        assertEquals("nio", ConfigValidator.ioBackend(parse("{}"), plugins).name());
        assertEquals("rivven.json → io.type: I/O backend 'uring' cannot run here: needs Linux >= 5.6; choose another: nio",
                assertThrows(ConfigException.class, () -> ConfigValidator.ioBackend(parse("{ 'io': 'uring' }"), plugins))
                        .getMessage());
    }

    @Test
    void theEmbeddedDefaultValidatesWithTheStandardCodecs() {
        RivvenConfig.embeddedDefault().validate(Fakes.standardCodecs().build());
    }

    /**
     * A cold store "vault" with the given secret keys whose {@code create} reads its options with
     * {@code reads}, then fails: the options are wrong in every use here.
     */
    private static Plugins withVault(Set<String> secretKeys, Consumer<PluginConfig> reads) {
        ColdStoreProvider vault = new ColdStoreProvider() {
            @Override
            public String name() {
                return "vault";
            }

            @Override
            public Set<String> secretKeys() {
                return secretKeys;
            }

            @Override
            public ColdStore create(PluginConfig config) {
                reads.accept(config);
                throw new AssertionError("the options were wrong: " + config);
            }
        };
        return Plugins.of(new FakeCodecProvider("none", 0), vault);
    }

    @Test
    void aSecretOfTheWrongTypeIsNotEchoedInTheError() {
        Plugins plugins = withVault(Set.of("secretKey"), config -> config.requireOnly("secretKey").requireString("secretKey"));
        RivvenConfig c = parse("{ 'tiered': { 'cold': { 'type': 'vault', 'secretKey': 31415926 } } }");
        ConfigException e = assertThrows(ConfigException.class, () -> c.validate(plugins));
        assertEquals("rivven.json → tiered.cold.secretKey: must be a string, got ******", e.getMessage());
    }

    /**
     * A secret whose key does not look secret ({@code key}) is masked because the plugin names it
     * in {@link io.rivven.api.PluginProvider#secretKeys()}: the engine hands the plugin its options
     * with those keys marked. It used to be echoed in the type error.
     */
    @Test
    void aDeclaredSecretWithAnInnocentNameIsNotEchoedInTheError() {
        Plugins plugins = withVault(Set.of("key"), config -> {
            config.requireOnly("key", "region");
            config.getEnum("region", "eu", "eu", "us");
            config.getLong("key", 0, 0, 10);
        });
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("{ 'tiered': { 'cold': { 'type': 'vault', 'key': 'hunter2' } } }").validate(plugins));
        assertEquals("rivven.json → tiered.cold.key: must be an integer between 0 and 10, got ******", e.getMessage());
        assertEquals("rivven.json → tiered.cold.region: must be one of eu, us, got \"mars\"",
                assertThrows(ConfigException.class,
                        () -> parse("{ 'tiered': { 'cold': { 'type': 'vault', 'region': 'mars' } } }").validate(plugins))
                        .getMessage(), "options that are not secret are still shown");
    }

    @Test
    void keysThatNameCloudAccountKeysLookSecret() {
        for (String key : new String[] {"accountKey", "sharedKey", "encryptionKey", "signingKey", "masterKey", "sasToken"}) {
            assertTrue(PluginConfig.looksSecret(key), key);
        }
        for (String key : new String[] {"bucket", "region", "keyPrefix", "level"}) {
            assertFalse(PluginConfig.looksSecret(key), key);
        }
    }
}
