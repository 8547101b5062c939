package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small plugins at test time (javac + jar), for cases no real module shows: two plugins
 * carrying different versions of one library, a drop-in plugin with secrets, a classpath-mode jar.
 */
final class TestPlugins {

    private TestPlugins() {
    }

    /** The compiled io.rivven.api (a directory usable on the module path and the class path). */
    static Path api() {
        return Build.module("rivven-api").classes();
    }

    /**
     * Compiles {@code sources} (path relative to the source root → text) into {@code out}.
     *
     * @param options javac options, e.g. {@code --module-path}
     */
    static Path compile(Path out, Map<String, String> sources, String... options) {
        try {
            Path src = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src"));
            List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-nowarn", "-Xlint:none"));
            args.addAll(List.of(options));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int rc = javac.run(null, log, log, args.toArray(String[]::new));
            assertTrue(rc == 0, "javac failed: " + log.toString(StandardCharsets.UTF_8));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jars every file under {@code classes}. */
    static Path jar(Path classes, Path jar) {
        try {
            Files.createDirectories(jar.getParent());
            try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(f));
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Source of a pass-through codec provider.
     *
     * @param description a Java expression for {@code description()}
     * @param secrets     Java expressions for {@code secretKeys()}, e.g. {@code "\"token\""}
     * @param options     the option keys {@code create} accepts
     */
    static String codecProvider(String pkg, String cls, String name, int id, String description, String secrets,
                                String options) {
        return """
                package %1$s;

                import io.rivven.api.BufferAllocator;
                import io.rivven.api.PluginConfig;
                import io.rivven.api.codec.Codec;
                import io.rivven.api.codec.CodecProvider;
                import java.nio.ByteBuffer;
                import java.util.Set;

                public final class %2$s implements CodecProvider {
                    public String name() { return "%3$s"; }
                    public byte id() { return %4$d; }
                    public String description() { return %5$s; }
                    public Set<String> secretKeys() { return Set.of(%6$s); }
                    public Codec create(PluginConfig config) {
                        config.requireOnly(%7$s);
                        return new Codec() {
                            public String name() { return "%3$s"; }
                            public byte id() { return %4$d; }
                            public int maxCompressedLength(int n) { return n; }
                            public int compress(ByteBuffer src, ByteBuffer dst) {
                                int n = src.remaining();
                                if (dst.remaining() < n) throw new java.nio.BufferOverflowException();
                                dst.put(src);
                                return n;
                            }
                            public ByteBuffer decompress(ByteBuffer src, BufferAllocator a) {
                                ByteBuffer out = a.allocate(src.remaining());
                                out.put(src).flip();
                                return out;
                            }
                        };
                    }
                }
                """.formatted(pkg, cls, name, id, description, secrets, options);
    }

    /**
     * A modular codec plugin jar: module {@code module} providing {@code pkg.Provider}.
     *
     * @param requires extra {@code requires} clauses, e.g. {@code "requires demo.lib;"}
     * @param modulePath extra module path entries (libraries it requires)
     */
    static Path modularCodec(Path work, String module, String name, int id, String description, String secrets,
                             String options, String requires, Path... modulePath) {
        StringBuilder mp = new StringBuilder(api().toString());
        for (Path p : modulePath) {
            mp.append(java.io.File.pathSeparator).append(p);
        }
        Path classes = compile(work.resolve(module), Map.of(
                "module-info.java", "module " + module + " { requires io.rivven.api; " + requires
                        + " provides io.rivven.api.codec.CodecProvider with " + module + ".Provider; }",
                module.replace('.', '/') + "/Provider.java",
                codecProvider(module, "Provider", name, id, description, secrets, options)),
                "--module-path", mp.toString());
        return jar(classes, work.resolve("jars").resolve(module + ".jar"));
    }

    /** A library module {@code demo.lib} whose {@code demo.lib.Version.value()} returns {@code version}. */
    static Path library(Path work, String version) {
        Path classes = compile(work.resolve("demo-lib-" + version), Map.of(
                "module-info.java", "module demo.lib { exports demo.lib; }",
                "demo/lib/Version.java", "package demo.lib; public final class Version { public static String value() "
                        + "{ return \"" + version + "\"; } }"));
        return jar(classes, work.resolve("jars").resolve("demo-lib-" + version + ".jar"));
    }

    /** A non-modular codec plugin jar found through META-INF/services (for classpath mode). */
    static Path classpathCodec(Path work, String pkg, String name, int id) {
        Path classes = compile(work.resolve(pkg), Map.of(pkg.replace('.', '/') + "/Provider.java",
                codecProvider(pkg, "Provider", name, id, "\"classpath-mode test codec\"", "", "")),
                "-cp", api().toString());
        try {
            Path services = Files.createDirectories(classes.resolve("META-INF/services"));
            Files.writeString(services.resolve("io.rivven.api.codec.CodecProvider"), pkg + ".Provider\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar(classes, work.resolve("jars").resolve(pkg + ".jar"));
    }
}
