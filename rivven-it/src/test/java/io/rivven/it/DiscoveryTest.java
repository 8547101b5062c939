package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.PluginProvider;
import io.rivven.core.plugin.PluginInfo;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginNotFoundException;
import io.rivven.core.plugin.PluginRegistry;
import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.plugin.Spi;
import io.rivven.it.Build.ModuleDir;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Discovery per SPI over every plugin module of the build, each laid out as a plugin folder: every
 * provider a module declares is found under its SPI and from its folder; a known name loads; a
 * bogus name fails listing what exists; the built-ins are available.
 */
class DiscoveryTest {

    @TempDir
    static Path tmp;

    static Path pluginDir;
    static Plugins plugins;

    @BeforeAll
    static void layOutEveryPluginModule() {
        pluginDir = tmp.resolve("plugins");
        for (ModuleDir m : Build.pluginModules()) {
            Build.copyFolder(m.pluginFolder(), pluginDir.resolve(m.artifactId()));
        }
        plugins = PluginLoader.create().withoutApplication().pluginDir(pluginDir).load();
    }

    @Test
    void everyDeclaredProviderIsFoundUnderItsSpiFromItsFolder() {
        int checked = 0;
        for (ModuleDir m : Build.jpmsModules()) {
            ModuleDescriptor d = m.descriptor();
            boolean core = d.name().equals("io.rivven.core");
            if (!d.provides().isEmpty() && !core && !m.isPlugin()) {
                fail(m + " provides " + d.provides() + " but is not a plugin folder module: mark it with a .rivven-plugin "
                        + "file (or, for a built-in, move the provider into io.rivven.core)");
            }
            for (ModuleDescriptor.Provides p : d.provides()) {
                for (String cls : p.providers()) {
                    PluginInfo<?> info = plugins.all().stream().filter(i -> i.className().equals(cls)).findFirst()
                            .orElseThrow(() -> new AssertionError(cls + " of " + m + " was not found; found: " + plugins.all()));
                    assertEquals(p.service(), info.spi().type().getName(), cls + " registered under the wrong SPI");
                    if (core) {
                        assertEquals(PluginSource.Kind.APPLICATION, info.source().kind(), cls);
                        assertEquals("io.rivven.core", info.source().module(), cls);
                    } else {
                        assertEquals(PluginSource.Kind.MODULE_LAYER, info.source().kind(), cls);
                        assertEquals(pluginDir.resolve(m.artifactId()).toAbsolutePath(), info.source().folder(), cls);
                        assertEquals(d.name(), info.source().module(), cls);
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked >= 6, "expected at least none + 4 codecs + nio, checked " + checked);
        assertEquals(checked, plugins.all().size(), "providers found that no module declares: " + plugins.all());
    }

    @ParameterizedTest
    @EnumSource(Spi.class)
    void knownNamesLoadAndBogusNamesListWhatExists(Spi spi) {
        PluginRegistry<? extends PluginProvider> registry = plugins.registry(spi);
        for (String name : registry.available()) {
            assertEquals(name, registry.get(name, "test").name());
            assertTrue(spi.type().isInstance(registry.get(name, "test")));
        }
        String bogus = "bogus-" + spi.label();
        PluginNotFoundException e = assertThrows(PluginNotFoundException.class,
                () -> registry.get(bogus, "rivven.json → x.type"));
        assertEquals("no " + spi.noun() + " '" + bogus + "' (rivven.json → x.type); available: "
                + (registry.available().isEmpty() ? "(none)" : String.join(", ", registry.available()))
                + "; put the plugin's folder in plugins/", e.getMessage());
        assertEquals(registry.available(), e.available());
        assertEquals(registry.available().stream().sorted().toList(), registry.available(), "available() is sorted");
    }

    @Test
    void theBuiltInsAreAvailable() {
        Map<String, Integer> codecs = Map.of("none", 0, "gzip", 1, "snappy", 2, "lz4", 3, "zstd", 4);
        codecs.forEach((name, id) -> {
            PluginInfo<?> info = plugins.codecs().info(name).orElseThrow(
                    () -> new AssertionError("codec " + name + " missing: " + plugins.codecs().available()));
            assertEquals(id, info.codecId().getAsInt(), name);
        });
        assertTrue(plugins.codecs().available().containsAll(codecs.keySet()), plugins.codecs().available().toString());
        assertEquals(PluginSource.APPLICATION, plugins.codecs().info("none").orElseThrow().source().folderName());
        assertTrue(plugins.ioBackends().available().containsAll(Set.of("nio")), plugins.ioBackends().available().toString());
    }
}
