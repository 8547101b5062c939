package io.rivven.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.codec.NoneCodecProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's application scan and its checks of plugin folders (loading real plugin jars is tested in rivven-it). */
class PluginLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void applicationScanFindsTheBuiltInNoneCodec() {
        Plugins plugins = PluginLoader.create().load();
        PluginInfo<?> none = plugins.codecs().info("none").orElseThrow();
        assertEquals(NoneCodecProvider.class, none.provider().getClass());
        assertEquals(PluginSource.Kind.APPLICATION, none.source().kind());
        assertEquals("io.rivven.core", none.source().module());
        assertEquals("io.rivven.core", none.source().location());
        assertEquals(0, none.codecId().getAsInt());
        assertEquals(0, plugins.codecs().forId((byte) 0).id());
        assertEquals(List.of(), plugins.pluginDirs());
    }

    @Test
    void builtInsStayWithoutTheApplication() {
        Plugins plugins = PluginLoader.create().withoutApplication().load();
        assertTrue(plugins.codecs().contains("none"));
    }

    @Test
    void missingPluginDirsAreSkippedButListed() {
        Path missing = tmp.resolve("nope");
        Plugins plugins = PluginLoader.load(List.of(missing, tmp));
        assertEquals(List.of(missing.toAbsolutePath().normalize(), tmp.toAbsolutePath().normalize()), plugins.pluginDirs());
        assertTrue(plugins.codecs().contains("none"));
    }

    @Test
    void aJarLyingDirectlyInThePluginDirFails() throws IOException {
        Files.writeString(tmp.resolve("stray.jar"), "x");
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertEquals(tmp.resolve("stray.jar") + ": a plugin is a folder " + tmp + "/<name>/ holding its jars; move stray.jar "
                + "(and its libraries) into such a folder", e.getMessage());
    }

    @Test
    void otherFilesAndHiddenFoldersAreIgnored() throws IOException {
        Files.writeString(tmp.resolve("README.txt"), "x");
        Files.createDirectories(tmp.resolve(".cache"));
        assertTrue(PluginLoader.load(List.of(tmp)).codecs().contains("none"));
    }

    @Test
    void aFolderWithoutJarsFails() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("empty"));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertTrue(e.getMessage().startsWith(folder + ": no .jar files; a plugin folder holds the plugin's jar"), e.getMessage());
    }

    @Test
    void aBrokenJarFailsNamingTheFolderAndTheWayOut() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(folder.resolve("broken.jar"), "not a zip");
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertTrue(e.getMessage().startsWith(folder + ": cannot read its jars as modules: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("or load the folder in classpath mode (plugin.properties: mode=classpath)"),
                e.getMessage());
    }

    @Test
    void pluginPropertiesAreChecked() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("p"));
        Files.writeString(folder.resolve("p.jar"), "not a zip");
        Files.writeString(folder.resolve("plugin.properties"), "mode=sometimes\n");
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertEquals(folder.resolve("plugin.properties") + ": mode must be one of module, classpath, got \"sometimes\"",
                e.getMessage());

        Files.writeString(folder.resolve("plugin.properties"), "mdoe=classpath\n");
        e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertEquals(folder.resolve("plugin.properties") + ": unknown key 'mdoe'; accepted: mode", e.getMessage());
    }

    @Test
    void aClasspathFolderWithoutProvidersAddsNothing() throws IOException {
        Path folder = classpathFolderWithoutProviders("cp");
        Files.writeString(folder.resolve("plugin.properties"), "# comment\nmode = classpath\n");
        Plugins plugins = PluginLoader.load(List.of(tmp));
        assertEquals(List.of("none"), plugins.codecs().available());
    }

    @Test
    void aPluginDirThatIsAFileFails() throws IOException {
        Path file = Files.writeString(tmp.resolve("plugins"), "x");
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(file)));
        assertEquals(file + ": a plugin directory must be a directory of plugin folders", e.getMessage());
    }

    @Test
    void aClasspathFolderThatFailsToLoadLeavesNoJarOpen() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("cp"));
        Path jar = folder.resolve("bad.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.zip.ZipEntry("META-INF/services/io.rivven.api.codec.CodecProvider"));
            out.write("com.example.Missing\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Files.writeString(folder.resolve("plugin.properties"), "mode=classpath\n");
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertTrue(e.getMessage().startsWith(folder + ": META-INF/services/io.rivven.api.codec.CodecProvider names "
                + "com.example.Missing, which cannot be loaded"), e.getMessage());
        assertEquals(List.of(), openFilesUnder(folder), "the failed folder's jars must be closed");
    }

    /** A later folder that fails must not leave the jars of an earlier classpath-mode folder open. */
    @Test
    void aFailingFolderClosesTheJarsOfTheClasspathFoldersLoadedBeforeIt() throws IOException {
        Path good = classpathFolderWithoutProviders("a-cp");
        Path bad = Files.createDirectories(tmp.resolve("b-empty"));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(List.of(tmp)));
        assertTrue(e.getMessage().startsWith(bad + ": no .jar files"), e.getMessage());
        assertEquals(List.of(), openFilesUnder(good), "the earlier folder's jars must be closed");
    }

    /** A plugin folder {@code name} in classpath mode ({@code mode=classpath}) whose one jar holds no provider. */
    private Path classpathFolderWithoutProviders(String name) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(name));
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(folder.resolve("empty.jar")))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write(1);
        }
        Files.writeString(folder.resolve("plugin.properties"), "mode=classpath\n");
        return folder;
    }

    /** The files under {@code dir} this process holds open (Linux: /proc/self/fd); empty where that cannot be read. */
    static List<Path> openFilesUnder(Path dir) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return List.of();
        }
        Path real = dir.toRealPath();
        List<Path> open = new java.util.ArrayList<>();
        try (var links = Files.list(fds)) {
            for (Path fd : links.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real)) {
                        open.add(target);
                    }
                } catch (IOException | UnsupportedOperationException ignored) {
                    // closed meanwhile
                }
            }
        }
        return open;
    }
}
