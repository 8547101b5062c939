package io.rivven.it;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.plugin.PluginInfo;
import io.rivven.core.plugin.PluginLoadException;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.PluginNotFoundException;
import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.plugin.Spi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Run by {@link PluginLayerTest} in a child JVM whose boot layer is the distribution's {@code lib/}
 * (as in production; the test JVM itself has the plugins on its module path, and an automatic module
 * such as lz4-java cannot be loaded into a child layer twice). Loads the plugin directory given as
 * the argument and prints, tab-separated:
 * <pre>
 * plugin    spi name codecId kind module jar folder class ownLayer nativeAccess
 * roundtrip codec ok|FAILED: …
 * available spi name,name,…
 * bogus     spi message
 * error     message            (when loading fails; exit code 3)
 * </pre>
 * No JUnit here: the child JVM has only the distribution and this class.
 */
public final class PluginProbe {

    private PluginProbe() {
    }

    public static void main(String[] args) {
        Plugins plugins;
        try {
            plugins = PluginLoader.load(List.of(Path.of(args[0])));
        } catch (PluginLoadException e) {
            System.out.println("error\t" + e.getMessage());
            System.exit(3);
            return;
        }
        for (PluginInfo<?> p : plugins.all()) {
            Module m = p.provider().getClass().getModule();
            ModuleLayer layer = m.getLayer();
            boolean ownLayer = layer != null && layer != ModuleLayer.boot();
            boolean nativeAccess = ownLayer ? layer.modules().stream().allMatch(Module::isNativeAccessEnabled)
                    : m.isNativeAccessEnabled();
            PluginSource s = p.source();
            print("plugin", p.spi().label(), p.name(), p.codecId().isPresent() ? String.valueOf(p.codecId().getAsInt()) : "-",
                    s.kind().name(), s.module() == null ? "-" : s.module(),
                    s.jar() == null ? "-" : s.jar().getFileName().toString(),
                    s.folder() == null ? "-" : s.folder().getFileName().toString(), p.className(),
                    String.valueOf(ownLayer), String.valueOf(nativeAccess));
        }
        for (PluginInfo<CodecProvider> c : plugins.codecs().plugins()) {
            String result;
            try {
                roundTrip(plugins.codecs().create(PluginSpec.of(c.name(), "probe")));
                roundTrip(plugins.codecs().forId(c.provider().id()));
                result = "ok";
            } catch (RuntimeException | Error e) {
                result = "FAILED: " + e;
            }
            print("roundtrip", c.name(), result);
        }
        for (Spi spi : Spi.values()) {
            print("available", spi.label(), String.join(",", plugins.registry(spi).available()));
            try {
                plugins.registry(spi).get("bogus-" + spi.label(), "rivven.json → x.type");
                print("bogus", spi.label(), "(found?)");
            } catch (PluginNotFoundException e) {
                print("bogus", spi.label(), e.getMessage());
            }
        }
    }

    private static void print(String... cells) {
        System.out.println(String.join("\t", cells));
    }

    /** ~300 KiB of mixed data, direct buffer in, heap buffer out. */
    private static void roundTrip(Codec codec) {
        byte[] data = new byte[300_000];
        Random random = new Random(42);
        byte[] text = "{\"user\": 42, \"event\": \"click\", \"page\": \"/index.html\"} ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 4096 < 3000 ? text[i % text.length] : (byte) random.nextInt();
        }
        ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer compressed = ByteBuffer.allocateDirect(codec.maxCompressedLength(data.length));
        codec.compress(src, compressed);
        compressed.flip();
        ByteBuffer out = codec.decompress(compressed, BufferAllocator.HEAP);
        byte[] back = new byte[out.remaining()];
        out.get(back);
        if (!Arrays.equals(data, back)) {
            throw new AssertionError(codec.name() + ": round trip differs");
        }
    }
}
