package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.PluginProvider;
import io.rivven.core.plugin.PluginInfo;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginNotFoundException;
import io.rivven.core.plugin.PluginRegistry;
import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.plugin.Spi;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Discovery per SPI in embedded use: the plugin modules are on this JVM's module path (test
 * dependencies), so the loader finds them in the application's layer without any plugin folder.
 * (Discovery from plugin folders: {@link PluginLayerTest}.)
 */
class DiscoveryTest {

    static Plugins plugins;

    @BeforeAll
    static void load() {
        plugins = PluginLoader.create().load();
    }

    @ParameterizedTest
    @EnumSource(Spi.class)
    void knownNamesLoadAndBogusNamesListWhatExists(Spi spi) {
        PluginRegistry<? extends PluginProvider> registry = plugins.registry(spi);
        for (String name : registry.available()) {
            PluginProvider p = registry.get(name, "test");
            assertEquals(name, p.name());
            assertTrue(spi.type().isInstance(p));
        }
        String bogus = "bogus-" + spi.label();
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class,
                () -> registry.get(bogus, "rivven.json → x.type"));
        assertEquals("no " + spi.noun() + " '" + bogus + "' (rivven.json → x.type); available: "
                + (registry.available().isEmpty() ? "(none)" : String.join(", ", registry.available()))
                + "; put the plugin's folder in plugins/ or another of the config's pluginDirs", e.getMessage());
        assertEquals(registry.available(), e.available());
        assertEquals(registry.available().stream().sorted().toList(), registry.available(), "available() is sorted");
    }

    @Test
    void theBuiltInsAreAvailableFromTheApplication() {
        Map<String, Integer> codecs = Map.of("none", 0, "gzip", 1, "snappy", 2, "lz4", 3, "zstd", 4);
        codecs.forEach((name, id) -> {
            PluginInfo<?> info = plugins.codecs().info(name).orElseThrow(
                    () -> new AssertionError("codec " + name + " missing: " + plugins.codecs().available()));
            assertEquals(id, info.codecId().getAsInt(), name);
            assertEquals(PluginSource.Kind.APPLICATION, info.source().kind(), name);
            assertEquals(name.equals("none") ? "io.rivven.core" : "io.rivven.codec." + name, info.source().location(), name);
        });
        assertTrue(plugins.ioBackends().contains("nio"), plugins.ioBackends().available().toString());
    }
}
