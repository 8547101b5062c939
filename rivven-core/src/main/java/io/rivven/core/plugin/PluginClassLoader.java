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
 * so that a plugin's libraries win over same-named ones of the application, except for the JDK
 * and {@code io.rivven.api}, which always come from the parent so that the plugin implements the
 * very SPI types the engine uses.
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
                c = parentFirst(name) ? getParent().loadClass(name) : childFirst(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private Class<?> childFirst(String name) throws ClassNotFoundException {
        try {
            return getPlatformClassLoader().loadClass(name);
        } catch (ClassNotFoundException notJdk) {
            try {
                return findClass(name);
            } catch (ClassNotFoundException notHere) {
                return getParent().loadClass(name);
            }
        }
    }

    private static boolean parentFirst(String name) {
        return name.startsWith("java.") || name.startsWith("io.rivven.api.");
    }

    @Override
    public URL getResource(String name) {
        URL url = findResource(name);
        return url != null ? url : super.getResource(name);
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
