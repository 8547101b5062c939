package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.plugin.PluginInfo;
import io.rivven.core.plugin.PluginLoadException;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins loaded from {@code plugins/<name>/} folders laid out from the built jars: each in its own
 * module layer with native access, or in classpath mode; duplicates fail naming both folders; two
 * plugins can carry different versions of one library.
 */
class PluginFolderTest {

    @TempDir
    Path tmp;

    Path plugins() throws IOException {
        return Files.createDirectories(tmp.resolve("plugins"));
    }

    /** The application's codecs (on this test's class path) are left out: the folders must provide them. */
    static Plugins load(Path pluginDir) {
        return PluginLoader.create().withoutApplication().pluginDir(pluginDir).load();
    }

    @Test
    void aPluginFolderLoadsIntoItsOwnLayerAndWorks() throws IOException {
        // gzip needs no library; the other codecs are loaded the same way by PluginLayerTest in a clean JVM
        // (this JVM has them on its module path already, and an automatic module cannot be loaded twice)
        Path dir = plugins();
        Path folder = Build.copyFolder(Build.module("rivven-codec-gzip").pluginFolder(), dir.resolve("rivven-codec-gzip"));
        Plugins plugins = load(dir);
        PluginInfo<CodecProvider> info = plugins.codecs().info("gzip").orElseThrow();
        assertEquals(1, info.codecId().getAsInt());
        PluginSource source = info.source();
        assertEquals(PluginSource.Kind.MODULE_LAYER, source.kind());
        assertEquals("io.rivven.codec.gzip", source.module());
        assertEquals(folder.toAbsolutePath(), source.folder());
        assertTrue(source.jar().getFileName().toString().startsWith("rivven-codec-gzip-"), source.jar().toString());
        ModuleLayer layer = info.provider().getClass().getModule().getLayer();
        assertNotSame(ModuleLayer.boot(), layer);
        assertEquals(CodecProvider.class.getModule().getLayer(), layer.parents().getFirst(),
                "the parent of a plugin layer is the layer of io.rivven.api");
        for (Module m : layer.modules()) {
            assertTrue(m.isNativeAccessEnabled(), m + " has no native access");
        }
        roundTrip(plugins.codecs().create(PluginSpec.of("gzip", "test")));
        roundTrip(plugins.codecs().forId((byte) 1));
        assertEquals("none", plugins.codecs().forId((byte) 0).name(), "core's built-in stays without the application");
    }

    @Test
    void aClasspathModeFolderLoadsThroughItsOwnClassLoader() throws IOException {
        Path dir = plugins();
        Path folder = Build.copyFolder(Build.module("rivven-codec-gzip").pluginFolder(), dir.resolve("gzip-cp"));
        Files.writeString(folder.resolve("plugin.properties"), "mode=classpath\n");
        Path demo = Files.createDirectories(dir.resolve("demo-cp"));
        Files.copy(TestPlugins.classpathCodec(tmp.resolve("work"), "demo.cp", "demo-cp", 7), demo.resolve("demo-cp.jar"));
        Files.writeString(demo.resolve("plugin.properties"), "mode = classpath\n");

        Plugins plugins = load(dir);
        PluginInfo<CodecProvider> gzip = plugins.codecs().info("gzip").orElseThrow();
        assertEquals(PluginSource.Kind.CLASSPATH, gzip.source().kind());
        assertNull(gzip.source().module());
        assertTrue(gzip.source().location().startsWith("rivven-codec-gzip"), gzip.source().location());
        assertEquals(folder.toAbsolutePath(), gzip.source().folder());
        Class<?> type = gzip.provider().getClass();
        assertTrue(!type.getModule().isNamed(), "classpath mode: an unnamed module");
        assertEquals("rivven-plugin:gzip-cp", type.getClassLoader().getName());
        assertEquals(CodecProvider.class.getClassLoader(), type.getClassLoader().getParent());
        roundTrip(plugins.codecs().create(PluginSpec.of("gzip", "test")));

        PluginInfo<CodecProvider> cp = plugins.codecs().info("demo-cp").orElseThrow();
        assertEquals(7, cp.codecId().getAsInt());
        assertEquals("demo-cp.jar", cp.source().location());
        assertNotEquals(type.getClassLoader(), cp.provider().getClass().getClassLoader(), "one class loader per folder");
        roundTrip(plugins.codecs().forId((byte) 7));
    }

    @Test
    void theSameProviderInTwoFoldersFailsNamingBoth() throws IOException {
        Path dir = plugins();
        Path gzip = Build.module("rivven-codec-gzip").pluginFolder();
        Path a = Build.copyFolder(gzip, dir.resolve("gzip-a"));
        Path b = Build.copyFolder(gzip, dir.resolve("gzip-b"));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(dir));
        assertTrue(e.getMessage().startsWith("two compression codecs are named 'gzip': module io.rivven.codec.gzip in "
                + a.toAbsolutePath() + " ("), e.getMessage());
        assertTrue(e.getMessage().contains(" and module io.rivven.codec.gzip in " + b.toAbsolutePath() + " ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("; remove one of them"), e.getMessage());
    }

    @Test
    void aFolderDuplicatingTheApplicationFailsToo() throws IOException {
        // gzip is also on this test's class path: with the application included, the folder's copy is a duplicate
        Path dir = plugins();
        Build.copyFolder(Build.module("rivven-codec-gzip").pluginFolder(), dir.resolve("gzip"));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(java.util.List.of(dir)));
        assertTrue(e.getMessage().startsWith("two compression codecs are named 'gzip': "), e.getMessage());
        assertTrue(e.getMessage().contains("(application)"), e.getMessage());
        assertTrue(e.getMessage().contains("in " + dir.resolve("gzip").toAbsolutePath()), e.getMessage());
    }

    @Test
    void twoPluginsCarryDifferentVersionsOfOneLibrary() throws IOException {
        Path work = tmp.resolve("work");
        Path lib1 = TestPlugins.library(work.resolve("v1"), "1");
        Path lib2 = TestPlugins.library(work.resolve("v2"), "2");
        Path a = TestPlugins.modularCodec(work.resolve("a"), "demo.codec.a", "demo-a", 5,
                "\"uses demo.lib \" + demo.lib.Version.value()", "", "", "requires demo.lib;", lib1);
        Path b = TestPlugins.modularCodec(work.resolve("b"), "demo.codec.b", "demo-b", 6,
                "\"uses demo.lib \" + demo.lib.Version.value()", "", "", "requires demo.lib;", lib2);
        Path dir = plugins();
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Files.copy(lib1, dir.resolve("a/demo-lib.jar"));
        Files.copy(a, dir.resolve("a/demo-codec-a.jar"));
        Files.copy(lib2, dir.resolve("b/demo-lib.jar"));
        Files.copy(b, dir.resolve("b/demo-codec-b.jar"));

        Plugins plugins = load(dir);
        assertEquals("uses demo.lib 1", plugins.codecs().info("demo-a").orElseThrow().description());
        assertEquals("uses demo.lib 2", plugins.codecs().info("demo-b").orElseThrow().description());
        ModuleLayer layerA = plugins.codecs().get("demo-a", null).getClass().getModule().getLayer();
        ModuleLayer layerB = plugins.codecs().get("demo-b", null).getClass().getModule().getLayer();
        assertNotSame(layerA.findModule("demo.lib").orElseThrow(), layerB.findModule("demo.lib").orElseThrow());
        roundTrip(plugins.codecs().forId((byte) 5));
        roundTrip(plugins.codecs().forId((byte) 6));
    }

    @Test
    void aMissingLibraryFailsNamingTheFolderAndTheModule() throws IOException {
        Path work = tmp.resolve("work");
        Path lib = TestPlugins.library(work.resolve("v1"), "1");
        Path a = TestPlugins.modularCodec(work.resolve("a"), "demo.codec.a", "demo-a", 5, "\"\"", "", "",
                "requires demo.lib;", lib);
        Path folder = Files.createDirectories(plugins().resolve("a"));
        Files.copy(a, folder.resolve("demo-codec-a.jar"));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(folder.getParent()));
        assertTrue(e.getMessage().startsWith(folder.toAbsolutePath() + ": its modules do not resolve: "), e.getMessage());
        assertTrue(e.getMessage().contains("demo.lib"), e.getMessage());
    }

    /** Compresses ~300 KiB of mixed data from a direct buffer and back into a heap buffer. */
    static void roundTrip(Codec codec) {
        byte[] data = new byte[300_000];
        Random random = new Random(42);
        byte[] text = "{\"user\": 42, \"event\": \"click\", \"page\": \"/index.html\"} ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 4096 < 3000 ? text[i % text.length] : (byte) random.nextInt();
        }
        ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer compressed = ByteBuffer.allocateDirect(codec.maxCompressedLength(data.length));
        int n = codec.compress(src, compressed);
        assertEquals(n, compressed.position());
        compressed.flip();
        ByteBuffer out = codec.decompress(compressed, BufferAllocator.HEAP);
        byte[] back = new byte[out.remaining()];
        out.get(back);
        assertArrayEquals(data, back, codec.name() + " round trip");
    }
}
