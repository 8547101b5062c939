package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.Spi;
import io.rivven.it.Build.ModuleDir;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every plugin module of the build, laid out as {@code plugins/<artifactId>/} from its built jars,
 * loaded by {@link io.rivven.core.plugin.PluginLoader} in a child JVM set up as the distribution
 * runs (lib/ on the module path, {@code --enable-native-access=io.rivven.core} and
 * {@code --illegal-native-access=deny}, so a JNI codec works only if its layer got native access):
 * each is found under its SPI, in its own layer, from its folder, and each codec round-trips data.
 * The same in classpath mode. Discovery per SPI: a known name loads, a bogus name lists what exists.
 */
class PluginLayerTest {

    static final Map<String, Integer> CODECS = Map.of("none", 0, "gzip", 1, "snappy", 2, "lz4", 3, "zstd", 4);

    @TempDir
    Path tmp;

    /** Lines of the probe's output, by their first cell. */
    record Probe(Map<String, List<String[]>> lines, String raw) {
        List<String[]> get(String kind) {
            return lines.getOrDefault(kind, List.of());
        }

        String[] plugin(String spi, String name) {
            return get("plugin").stream().filter(l -> l[1].equals(spi) && l[2].equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + spi + " '" + name + "' in:\n" + raw));
        }
    }

    Probe probe(Path pluginDir) throws IOException, InterruptedException {
        Path dist = Build.distribution();
        Path out = tmp.resolve("probe.out");
        Path err = tmp.resolve("probe.err");
        Process p = new ProcessBuilder(Build.java().toString(),
                "--enable-native-access=ALL-UNNAMED,io.rivven.core", "--illegal-native-access=deny",
                "--sun-misc-unsafe-memory-access=allow",
                "--module-path", dist.resolve("lib").toString(), "--add-modules", "io.rivven.core",
                "-cp", Build.IT.resolve("target/test-classes").toString(), PluginProbe.class.getName(), pluginDir.toString())
                .directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("probe timed out");
        }
        String raw = Files.readString(out);
        assertEquals(0, p.exitValue(), raw + Files.readString(err));
        assertEquals("", Files.readString(err), "the probe printed to stderr (a warning?)");
        Map<String, List<String[]>> lines = new HashMap<>();
        raw.lines().forEach(l -> {
            String[] cells = l.split("\t", -1);
            lines.computeIfAbsent(cells[0], k -> new ArrayList<>()).add(cells);
        });
        return new Probe(lines, raw);
    }

    Path layOut(boolean classpathMode) throws IOException {
        Path dir = tmp.resolve("plugins");
        for (ModuleDir m : Build.pluginModules()) {
            Path folder = Build.copyFolder(m.pluginFolder(), dir.resolve(m.artifactId()));
            if (classpathMode) {
                Files.writeString(folder.resolve("plugin.properties"), "mode=classpath\n");
            }
        }
        return dir;
    }

    @Test
    void everyPluginLoadsIntoItsOwnLayerFromItsFolderAndEveryCodecRoundTrips() throws Exception {
        Probe probe = probe(layOut(false));
        int declared = 0;
        for (ModuleDir m : Build.jpmsModules()) {
            ModuleDescriptor d = m.descriptor();
            boolean core = d.name().equals("io.rivven.core");
            if (!d.provides().isEmpty() && !core && !m.isPlugin()) {
                fail(m + " provides " + d.provides() + " but is not a plugin folder module: mark it with a .rivven-plugin "
                        + "file (or, for a built-in, move the provider into io.rivven.core)");
            }
            for (ModuleDescriptor.Provides p : d.provides()) {
                for (String cls : p.providers()) {
                    String[] line = probe.get("plugin").stream().filter(l -> l[8].equals(cls)).findFirst()
                            .orElseThrow(() -> new AssertionError(cls + " of " + m + " not found:\n" + probe.raw()));
                    assertEquals(spiOf(p.service()).label(), line[1], cls + " under the wrong SPI");
                    if (core) {
                        assertEquals(List.of("APPLICATION", "io.rivven.core", "-", "false"),
                                List.of(line[4], line[5], line[7], line[9]), cls);
                    } else {
                        assertEquals(List.of(PluginSource.Kind.MODULE_LAYER.name(), d.name(), m.artifactId(), "true", "true"),
                                List.of(line[4], line[5], line[7], line[9], line[10]), cls + ": " + String.join(" ", line));
                        assertTrue(line[6].startsWith(m.artifactId() + "-"), line[6]);
                    }
                    declared++;
                }
            }
        }
        assertEquals(declared, probe.get("plugin").size(), "providers no module declares:\n" + probe.raw());
        assertCodecs(probe);
    }

    @Test
    void everyPluginAlsoLoadsInClasspathMode() throws Exception {
        Probe probe = probe(layOut(true));
        for (ModuleDir m : Build.pluginModules()) {
            for (ModuleDescriptor.Provides p : m.descriptor().provides()) {
                for (String cls : p.providers()) {
                    String[] line = probe.get("plugin").stream().filter(l -> l[8].equals(cls)).findFirst()
                            .orElseThrow(() -> new AssertionError(cls + " not found:\n" + probe.raw()));
                    assertEquals(List.of("CLASSPATH", "-", m.artifactId(), "false"),
                            List.of(line[4], line[5], line[7], line[9]), String.join(" ", line));
                }
            }
        }
        assertCodecs(probe);
    }

    @Test
    void discoveryPerSpi() throws Exception {
        Probe probe = probe(layOut(false));
        for (Spi spi : Spi.values()) {
            String[] available = probe.get("available").stream().filter(l -> l[1].equals(spi.label())).findFirst().orElseThrow();
            List<String> names = available[2].isEmpty() ? List.of() : Arrays.asList(available[2].split(","));
            assertEquals(names.stream().sorted().toList(), names, "available() is sorted");
            for (String[] line : probe.get("plugin")) {
                if (line[1].equals(spi.label())) {
                    assertTrue(names.contains(line[2]), line[2] + " not in " + names);
                }
            }
            String[] bogus = probe.get("bogus").stream().filter(l -> l[1].equals(spi.label())).findFirst().orElseThrow();
            assertEquals("no " + spi.noun() + " 'bogus-" + spi.label() + "' (rivven.json → x.type); available: "
                    + (names.isEmpty() ? "(none)" : String.join(", ", names)) + "; put the plugin's folder in plugins/ or another of the config's pluginDirs", bogus[2]);
        }
        assertTrue(probe.plugin("io", "nio")[4].equals("MODULE_LAYER"), "the nio backend is a plugin folder");
    }

    static void assertCodecs(Probe probe) {
        CODECS.forEach((name, id) -> {
            assertEquals(String.valueOf(id), probe.plugin("codec", name)[3], name + " id");
            String[] rt = probe.get("roundtrip").stream().filter(l -> l[1].equals(name)).findFirst().orElseThrow();
            assertEquals("ok", rt[2], name + " round trip");
        });
        for (String[] rt : probe.get("roundtrip")) {
            assertEquals("ok", rt[2], rt[1] + " round trip");
        }
    }

    static Spi spiOf(String service) {
        for (Spi spi : Spi.values()) {
            if (spi.type().getName().equals(service)) {
                return spi;
            }
        }
        throw new AssertionError("not a Rivven SPI: " + service);
    }
}
