package io.rivven.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of a plugin folder in classpath mode: the folder's jars first ("child first"),
 * so that a plugin's libraries win over same-named ones of the application. Exceptions:
 * {@code java.*} and {@code io.rivven.api.*} always come from the parent (the plugin must implement
 * the very SPI types the engine uses), and packages the JDK may hold ({@code javax.*}, {@code jdk.*},
 * {@code sun.*}, {@code com.sun.*}, {@code org.w3c.*}, {@code org.xml.*}) come from the parent when it
 * has them.
 */
final class PluginClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    PluginClassLoader(String name, URL[] jars, ClassLoader parent) {
        super(name, jars, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = name.startsWith("java.") || name.startsWith("io.rivven.api.") ? getParent().loadClass(name)
                        : jdkFirst(name) ? parentThenOwn(name) : ownThenParent(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** Packages the JDK may hold: the JDK's copy wins, the folder's is used only when the JDK has none. */
    private static boolean jdkFirst(String name) {
        return name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.") || name.startsWith("com.sun.")
                || name.startsWith("org.w3c.") || name.startsWith("org.xml.");
    }

    private Class<?> parentThenOwn(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            return findClass(name);
        }
    }

    private Class<?> ownThenParent(String name) throws ClassNotFoundException {
        try {
            return findClass(name);
        } catch (ClassNotFoundException e) {
            return getParent().loadClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        URL url = findResource(name);
        return url != null ? url : super.getResource(name);
    }

    /** The folder's own resources only (public for the loader's META-INF/services scan). */
    @Override
    public Enumeration<URL> findResources(String name) throws IOException {
        return super.findResources(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        Enumeration<URL> parent = getParent().getResources(name);
        while (parent.hasMoreElements()) {
            urls.add(parent.nextElement());
        }
        return Collections.enumeration(urls);
    }
}
