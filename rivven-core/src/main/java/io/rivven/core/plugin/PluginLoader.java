package io.rivven.core.plugin;

import io.rivven.api.PluginProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds every plugin provider and builds the {@link Plugins} registries.
 *
 * <p>Sources, in this order:
 * <ol>
 * <li><b>The application</b> (embedded use): providers visible in the application's module layer
 *     ({@code ServiceLoader.load(layer, spi)}, by default the layer holding {@code io.rivven.core})
 *     and on its class path ({@code ServiceLoader.load(spi, loader)}, by default core's class
 *     loader). Rivven's own built-ins (e.g. the {@code none} codec) come from here and are always
 *     registered, even {@link #withoutApplication() without the application}.</li>
 * <li><b>Plugin folders</b>: each sub-folder {@code <dir>/<name>/} of every
 *     {@link #pluginDir(Path) plugin directory}, in directory order then name order. Every
 *     {@code *.jar} directly in the folder is loaded into <em>its own</em> {@link ModuleLayer}
 *     (parent: the layer holding {@code io.rivven.api}; one class loader per folder), so two plugins
 *     can carry different versions of one library. The layer's modules get native access (codecs use
 *     JNI) if {@code io.rivven.core} has it: run with {@code --enable-native-access=io.rivven.core}.</li>
 * </ol>
 *
 * <p><b>Classpath mode.</b> A folder holding a file {@value #FOLDER_PROPERTIES} with the line
 * {@code mode=classpath} is loaded by a class loader over its jars instead (jars first, then the
 * application's; the JDK and {@code io.rivven.api} always from the application), and its providers
 * are found through {@code META-INF/services}: for libraries that cannot run as named modules
 * (split packages, as the Google Cloud SDK). {@code mode=module} is the default. When Rivven
 * itself runs on the class path (io.rivven.api in an unnamed module), every folder is loaded in
 * classpath mode.
 *
 * <p>A plugin directory that does not exist is skipped (it is still listed in
 * {@link Plugins#pluginDirs()}); a {@code .jar} file lying directly in a plugin directory, a folder
 * without jars, a folder whose modules do not resolve, a provider that cannot be created, an invalid
 * name and a duplicate name fail with {@link PluginLoadException}.
 *
 * <p>Not thread-safe (configure, then call {@link #load()} once); the {@link Plugins} it returns are.
 */
public final class PluginLoader {

    /** The optional file in a plugin folder that selects its loading mode. */
    public static final String FOLDER_PROPERTIES = "plugin.properties";
    /** The key in {@value #FOLDER_PROPERTIES}. */
    public static final String MODE_KEY = "mode";
    /** Named modules in the folder's own module layer (the default). */
    public static final String MODE_MODULE = "module";
    /** A class loader over the folder's jars; providers found through META-INF/services. */
    public static final String MODE_CLASSPATH = "classpath";

    private boolean includeApplication = true;
    private ModuleLayer applicationLayer = PluginLoader.class.getModule().getLayer();
    private ClassLoader applicationLoader = PluginLoader.class.getClassLoader();
    private final List<Path> pluginDirs = new ArrayList<>();

    private PluginLoader() {
    }

    /** A loader of the application's providers and of no plugin directory yet. */
    public static PluginLoader create() {
        return new PluginLoader();
    }

    /** Loads the application's providers and the folders of {@code pluginDirs}. */
    public static Plugins load(List<Path> pluginDirs) {
        return create().pluginDirs(pluginDirs).load();
    }

    /** Where to look for the application's named-module providers (default: the layer of io.rivven.core). */
    public PluginLoader applicationLayer(ModuleLayer layer) {
        this.applicationLayer = layer;
        return this;
    }

    /** Where to look for the application's class-path providers (default: io.rivven.core's class loader). */
    public PluginLoader applicationClassLoader(ClassLoader loader) {
        this.applicationLoader = Objects.requireNonNull(loader, "loader");
        return this;
    }

    /** Registers only Rivven's own built-ins from the application, plus the plugin folders. */
    public PluginLoader withoutApplication() {
        this.includeApplication = false;
        return this;
    }

    /** Adds a directory whose sub-folders are plugins. */
    public PluginLoader pluginDir(Path dir) {
        pluginDirs.add(Objects.requireNonNull(dir, "dir"));
        return this;
    }

    /** Adds directories whose sub-folders are plugins. */
    public PluginLoader pluginDirs(List<Path> dirs) {
        dirs.forEach(this::pluginDir);
        return this;
    }

    /**
     * Finds, instantiates and validates every provider.
     *
     * @throws PluginLoadException if a folder is malformed, a provider cannot be created, or a
     *         name or codec id is invalid or taken twice (naming both sources)
     */
    public Plugins load() {
        Plugins.Builder builder = Plugins.builder();
        loadApplication(builder);
        List<PluginClassLoader> classpathFolders = new ArrayList<>();
        try {
            loadFolders(builder, classpathFolders);
            return builder.build();
        } catch (RuntimeException | Error e) {
            // no plugin is used: the jars of the classpath folders loaded so far are closed too
            classpathFolders.forEach(loader -> PluginFolder.closeAfterFailure(loader, e));
            throw e;
        }
    }

    private void loadFolders(Plugins.Builder builder, List<PluginClassLoader> classpathFolders) {
        Set<Path> seen = new HashSet<>();
        for (Path dir : pluginDirs) {
            Path abs = dir.toAbsolutePath().normalize();
            builder.searched(abs);
            if (!Files.exists(abs)) {
                continue;
            }
            if (!Files.isDirectory(abs)) {
                throw new PluginLoadException(abs + ": a plugin directory must be a directory of plugin folders");
            }
            if (!seen.add(realPath(abs))) {
                continue; // the same directory listed twice (e.g. ./plugins and <home>/plugins when run from home)
            }
            for (Path folder : folders(abs)) {
                PluginClassLoader loader = new PluginFolder(folder).load(builder);
                if (loader != null) {
                    classpathFolders.add(loader);
                }
            }
        }
    }

    private void loadApplication(Plugins.Builder builder) {
        for (Spi spi : Spi.values()) {
            Set<Class<?>> seen = new HashSet<>();
            try {
                if (applicationLayer != null) {
                    addApplication(spi, ServiceLoader.load(applicationLayer, spi.type()), seen, builder);
                }
                addApplication(spi, ServiceLoader.load(spi.type(), applicationLoader), seen, builder);
            } catch (ServiceConfigurationError e) {
                throw new PluginLoadException("cannot load the application's " + spi.noun() + " providers: "
                        + e.getMessage(), e);
            }
        }
    }

    private <S> void addApplication(Spi spi, ServiceLoader<S> services, Set<Class<?>> seen, Plugins.Builder builder) {
        services.stream().forEach(p -> {
            Class<?> type = p.type();
            if (seen.add(type) && (includeApplication || isBuiltIn(type))) {
                Object provider = instantiate(spi, p, PluginSource.APPLICATION);
                builder.add(spi, (PluginProvider) provider, PluginSource.application(type));
            }
        });
    }

    /** Whether {@code type} is one of Rivven's own providers (same module, or same jar on the class path). */
    private static boolean isBuiltIn(Class<?> type) {
        Module core = PluginLoader.class.getModule();
        if (core.isNamed()) {
            return type.getModule() == core;
        }
        CodeSource mine = PluginLoader.class.getProtectionDomain().getCodeSource();
        CodeSource theirs = type.getProtectionDomain().getCodeSource();
        return mine != null && theirs != null && Objects.equals(mine.getLocation(), theirs.getLocation());
    }

    static Object instantiate(Spi spi, ServiceLoader.Provider<?> p, String where) {
        try {
            return p.get();
        } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginLoadException(where + ": cannot create the " + spi.noun() + " provider "
                    + p.type().getName() + ": " + cause, e);
        }
    }

    private static List<Path> folders(Path dir) {
        List<Path> folders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(e)) {
                    folders.add(e);
                } else if (name.endsWith(".jar")) {
                    throw new PluginLoadException(e + ": a plugin is a folder " + dir + "/<name>/ holding its jars; "
                            + "move " + name + " (and its libraries) into such a folder");
                }
            }
        } catch (IOException e) {
            throw new PluginLoadException(dir + ": cannot list the plugin directory: " + e, e);
        }
        folders.sort(null);
        return folders;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }
}
