package io.rivven.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The build as the cross-module tests see it: every module directory {@code ../rivven-*}, found by
 * globbing so that modules added later are covered without touching these tests.
 */
final class Build {

    /** rivven-it's own directory (Surefire runs tests there and sets {@code basedir}). */
    static final Path IT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
    /** The repository root. */
    static final Path ROOT = IT.getParent();

    private Build() {
    }

    /** One module directory of the build. */
    record ModuleDir(Path dir) {
        String artifactId() {
            return dir.getFileName().toString();
        }

        /** Whether it is a JPMS module (has src/main/java/module-info.java). */
        boolean isJpms() {
            return Files.isRegularFile(dir.resolve("src/main/java/module-info.java"));
        }

        /** Whether it is a plugin laid out as a plugin folder (has a .rivven-plugin marker). */
        boolean isPlugin() {
            return Files.exists(dir.resolve(".rivven-plugin"));
        }

        Path classes() {
            return dir.resolve("target/classes");
        }

        /** target/plugin/&lt;artifactId&gt;: the plugin's jar and libraries, ready to drop into plugins/. */
        Path pluginFolder() {
            Path folder = dir.resolve("target/plugin").resolve(artifactId());
            if (!Files.isDirectory(folder)) {
                fail(folder + " is missing: the plugin module " + artifactId() + " must be built before rivven-it "
                        + "(list it as a test dependency of rivven-it; run ./mvnw verify)");
            }
            return folder;
        }

        /** The compiled module descriptor; fails (not skips) when the module was not built. */
        ModuleDescriptor descriptor() {
            Path file = classes().resolve("module-info.class");
            if (!Files.isRegularFile(file)) {
                fail(file + " is missing: " + artifactId() + " must be built before rivven-it (list it as a test "
                        + "dependency of rivven-it so the reactor builds it first; run ./mvnw verify)");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return ModuleDescriptor.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** META-INF/services of target/classes: service interface → provider classes. */
        Map<String, Set<String>> serviceFiles() {
            Map<String, Set<String>> services = new TreeMap<>();
            Path dir = classes().resolve("META-INF/services");
            if (!Files.isDirectory(dir)) {
                return services;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Set<String> providers = new TreeSet<>();
                    for (String line : Files.readAllLines(f)) {
                        String s = line.replaceAll("#.*", "").trim();
                        if (!s.isEmpty()) {
                            providers.add(s);
                        }
                    }
                    services.put(f.getFileName().toString(), providers);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return services;
        }

        @Override
        public String toString() {
            return artifactId();
        }
    }

    /** Every module directory {@code ../rivven-*} with a pom.xml, sorted. */
    static List<ModuleDir> modules() {
        List<ModuleDir> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT, "rivven-*")) {
            for (Path d : dirs) {
                if (Files.isRegularFile(d.resolve("pom.xml"))) {
                    out.add(new ModuleDir(d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort((a, b) -> a.artifactId().compareTo(b.artifactId()));
        if (out.isEmpty()) {
            fail("no module directories rivven-* under " + ROOT);
        }
        return out;
    }

    static List<ModuleDir> jpmsModules() {
        return modules().stream().filter(ModuleDir::isJpms).toList();
    }

    static List<ModuleDir> pluginModules() {
        return modules().stream().filter(ModuleDir::isPlugin).toList();
    }

    static ModuleDir module(String artifactId) {
        return modules().stream().filter(m -> m.artifactId().equals(artifactId)).findFirst()
                .orElseThrow(() -> new AssertionError("no module " + artifactId + " under " + ROOT));
    }

    /** The assembled distribution, rivven-dist/target/rivven. */
    static Path distribution() {
        Path dist = ROOT.resolve("rivven-dist/target/rivven");
        if (!Files.isDirectory(dist.resolve("lib"))) {
            fail(dist + " is missing: rivven-dist must be packaged before rivven-it (./mvnw verify does it)");
        }
        return dist;
    }

    /** The JVM flags ./rivven starts the CLI with (besides the module path and -Drivven.home). */
    static final List<String> LAUNCH_FLAGS = List.of("--enable-native-access=ALL-UNNAMED,io.rivven.core",
            "--sun-misc-unsafe-memory-access=allow", "--add-modules", "ALL-DEFAULT");

    /** The java launcher of the JDK running the tests. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Copies every file of {@code from} (not recursive) into {@code to}, created. */
    static Path copyFolder(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
