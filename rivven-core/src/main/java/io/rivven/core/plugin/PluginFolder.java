package io.rivven.core.plugin;

import io.rivven.api.PluginProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Loads one plugin folder {@code plugins/<name>/}: every {@code *.jar} directly in it, either as
 * named modules in a new {@link ModuleLayer} of their own (the default) or, when the folder's
 * {@value PluginLoader#FOLDER_PROPERTIES} says {@code mode=classpath}, through a class loader of
 * their own. Then registers every provider defined by that layer or loader.
 */
final class PluginFolder {

    private static final Set<String> RIVVEN_MODULES = Set.of("io.rivven.api", "io.rivven.core");

    private final Path folder;

    PluginFolder(Path folder) {
        this.folder = folder;
    }

    /**
     * Loads the folder and adds its providers to {@code into}.
     *
     * @return the class loader holding the folder's jars open in classpath mode (closing it closes
     *         them), or {@code null} for a module layer, which cannot be closed
     */
    PluginClassLoader load(Plugins.Builder into) {
        List<Path> jars = jars();
        boolean classpath = classpathMode();
        ModuleLayer apiLayer = PluginProvider.class.getModule().getLayer();
        if (classpath || apiLayer == null) {
            // Rivven itself on the class path (apiLayer == null): there is no layer to parent a module
            // layer to, so every folder is loaded in classpath mode.
            return loadClasspath(jars, into);
        }
        loadModules(jars, apiLayer, into);
        return null;
    }

    private List<Path> jars() {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    jars.add(f);
                }
            }
        } catch (IOException e) {
            throw new PluginLoadException(folder + ": cannot list the plugin folder: " + e, e);
        }
        if (jars.isEmpty()) {
            throw new PluginLoadException(folder + ": no .jar files; a plugin folder holds the plugin's jar and "
                    + "the jars of its libraries (remove the folder if it is not a plugin)");
        }
        jars.sort(null);
        return jars;
    }

    private boolean classpathMode() {
        Path file = folder.resolve(PluginLoader.FOLDER_PROPERTIES);
        if (!Files.exists(file)) {
            return false;
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new PluginLoadException(file + ": cannot read: " + e, e);
        }
        for (String key : props.stringPropertyNames()) {
            if (!key.equals(PluginLoader.MODE_KEY)) {
                throw new PluginLoadException(file + ": unknown key '" + key + "'; accepted: " + PluginLoader.MODE_KEY);
            }
        }
        String mode = props.getProperty(PluginLoader.MODE_KEY, PluginLoader.MODE_MODULE).trim();
        return switch (mode) {
            case PluginLoader.MODE_MODULE -> false;
            case PluginLoader.MODE_CLASSPATH -> true;
            default -> throw new PluginLoadException(file + ": " + PluginLoader.MODE_KEY + " must be one of "
                    + PluginLoader.MODE_MODULE + ", " + PluginLoader.MODE_CLASSPATH + ", got \"" + mode + "\"");
        };
    }

    private void loadModules(List<Path> jars, ModuleLayer parent, Plugins.Builder into) {
        ModuleFinder finder = ModuleFinder.of(jars.toArray(Path[]::new));
        Set<String> roots = new TreeSet<>();
        try {
            for (ModuleReference ref : finder.findAll()) {
                String name = ref.descriptor().name();
                if (RIVVEN_MODULES.contains(name)) {
                    throw new PluginLoadException(folder + ": holds " + name + " (" + ref.location().map(Object::toString).orElse("?")
                            + "); plugins get it from Rivven itself: remove that jar from the folder");
                }
                roots.add(name);
            }
        } catch (FindException e) {
            throw new PluginLoadException(folder + ": cannot read its jars as modules: " + e.getMessage()
                    + "; fix the jar, or load the folder in classpath mode (" + PluginLoader.FOLDER_PROPERTIES + ": "
                    + PluginLoader.MODE_KEY + "=" + PluginLoader.MODE_CLASSPATH + ")", e);
        }
        ModuleLayer.Controller controller;
        try {
            Configuration cf = parent.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            controller = ModuleLayer.defineModulesWithOneLoader(cf, List.of(parent), PluginProvider.class.getClassLoader());
        } catch (ResolutionException | FindException e) {
            throw new PluginLoadException(folder + ": its modules do not resolve: " + e.getMessage()
                    + "; the folder must hold the plugin's jar and every library it needs (a JDK module it needs must be "
                    + "added with --add-modules), or be loaded in classpath mode (" + PluginLoader.FOLDER_PROPERTIES
                    + ": " + PluginLoader.MODE_KEY + "=" + PluginLoader.MODE_CLASSPATH + ")", e);
        } catch (LayerInstantiationException e) {
            throw new PluginLoadException(folder + ": cannot define its modules: " + e.getMessage()
                    + "; two jars may hold the same package: keep one, or load the folder in classpath mode", e);
        }
        ModuleLayer layer = controller.layer();
        for (Module m : layer.modules()) {
            enableNativeAccess(controller, m);
        }
        for (Spi spi : Spi.values()) {
            register(spi, ServiceLoader.load(layer, spi.type()), t -> t.getModule().getLayer() == layer,
                    PluginSource.Kind.MODULE_LAYER, into);
        }
    }

    /**
     * Codecs load native libraries (JNI), which JDK 25 allows only to modules with native access.
     * Modules of a new layer get it from the layer's controller, and only if Rivven's own module has
     * it ({@code --enable-native-access=io.rivven.core}); without it the JDK prints one warning naming
     * that flag (or, under {@code --illegal-native-access=deny}, this is skipped and the plugin's own
     * native code fails with its own error).
     */
    @SuppressWarnings("restricted")
    private static void enableNativeAccess(ModuleLayer.Controller controller, Module module) {
        try {
            controller.enableNativeAccess(module);
        } catch (IllegalCallerException denied) {
            // --illegal-native-access=deny and io.rivven.core has no native access: leave it off.
        }
    }

    private PluginClassLoader loadClasspath(List<Path> jars, Plugins.Builder into) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginLoadException(jars.get(i) + ": not a valid jar location: " + e, e);
            }
        }
        PluginClassLoader loader = new PluginClassLoader("rivven-plugin:" + folder.getFileName(), urls,
                PluginProvider.class.getClassLoader());
        try {
            registerClasspath(loader, into);
            return loader;
        } catch (RuntimeException | Error e) {
            closeAfterFailure(loader, e); // a folder that fails leaves none of its jars open
            throw e;
        }
    }

    /** Closes the jars of a folder whose plugins are not used after {@code failure}; a failure to close is added to it. */
    static void closeAfterFailure(PluginClassLoader loader, Throwable failure) {
        try {
            loader.close();
        } catch (IOException | RuntimeException closing) {
            failure.addSuppressed(closing);
        }
    }

    private void registerClasspath(PluginClassLoader loader, Plugins.Builder into) {
        // META-INF/services of the folder's own jars, read here rather than through ServiceLoader: a
        // ServiceLoader over this loader would also see the application's providers and skip a provider
        // class whose name the application already has, so a copy in the folder would go unnoticed.
        for (Spi spi : Spi.values()) {
            for (String className : serviceEntries(loader, spi)) {
                Class<?> type;
                try {
                    type = Class.forName(className, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new PluginLoadException(folder + ": META-INF/services/" + spi.type().getName() + " names "
                            + className + ", which cannot be loaded: " + e, e);
                }
                if (type.getClassLoader() != loader) {
                    continue; // not the folder's own class
                }
                if (!spi.type().isAssignableFrom(type)) {
                    throw new PluginLoadException(folder + ": " + className + " is listed in META-INF/services/"
                            + spi.type().getName() + " but does not implement it");
                }
                PluginProvider provider;
                try {
                    provider = (PluginProvider) type.getConstructor().newInstance();
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                    throw new PluginLoadException(folder + ": cannot create the " + spi.noun() + " provider " + className
                            + " (it needs a public no-arg constructor): " + cause, e);
                }
                into.add(spi, provider, PluginSource.of(PluginSource.Kind.CLASSPATH, folder, type));
            }
        }
    }

    private Set<String> serviceEntries(PluginClassLoader loader, Spi spi) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Enumeration<URL> files = loader.findResources("META-INF/services/" + spi.type().getName());
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                URLConnection connection = url.openConnection();
                connection.setUseCaches(false); // else the JDK caches the jar open for the life of the JVM
                try (InputStream in = connection.getInputStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                        String name = line.replaceAll("#.*", "").trim();
                        if (!name.isEmpty()) {
                            names.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new PluginLoadException(folder + ": cannot read META-INF/services/" + spi.type().getName() + ": " + e, e);
        }
        return names;
    }

    private <S> void register(Spi spi, ServiceLoader<S> services, Predicate<Class<?>> mine, PluginSource.Kind kind,
                              Plugins.Builder into) {
        try {
            services.stream().filter(p -> mine.test(p.type())).forEach(p -> {
                Object provider = PluginLoader.instantiate(spi, p, folder.toString());
                into.add(spi, (PluginProvider) provider, PluginSource.of(kind, folder, p.type()));
            });
        } catch (ServiceConfigurationError e) {
            throw new PluginLoadException(folder + ": cannot load its " + spi.noun() + " providers: " + e.getMessage(), e);
        }
    }
}
