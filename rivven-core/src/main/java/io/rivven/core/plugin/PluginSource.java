package io.rivven.core.plugin;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Objects;

/**
 * Where a provider was found: the application itself (its module layer or class path) or a
 * plugin folder {@code plugins/<name>/}, loaded into its own module layer or in classpath mode.
 *
 * @param kind   how it was loaded
 * @param folder the plugin folder, or {@code null} for {@link Kind#APPLICATION}
 * @param module the provider's module name, or {@code null} when it is in an unnamed module
 * @param jar    the jar (or class directory) holding the provider class, or {@code null} if unknown
 */
public record PluginSource(Kind kind, Path folder, String module, Path jar) {

    /** How a provider was loaded. */
    public enum Kind {
        /** From the application's own module layer or class path (embedded use, Rivven's built-ins). */
        APPLICATION,
        /** From a plugin folder, as named modules in the folder's own {@link ModuleLayer}. */
        MODULE_LAYER,
        /** From a plugin folder marked {@code mode=classpath}, through the folder's own class loader. */
        CLASSPATH
    }

    /** What {@link #folderName()} shows for providers of the application. */
    public static final String APPLICATION = "(application)";

    public PluginSource {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.APPLICATION) != (folder == null)) {
            throw new IllegalArgumentException("a folder is required exactly for plugin-folder sources: " + kind + " " + folder);
        }
    }

    /** The source of a provider class found in the application (module layer or class path). */
    public static PluginSource application(Class<?> providerClass) {
        return of(Kind.APPLICATION, null, providerClass);
    }

    static PluginSource of(Kind kind, Path folder, Class<?> providerClass) {
        Module m = providerClass.getModule();
        return new PluginSource(kind, folder, m.isNamed() ? m.getName() : null, codeLocation(providerClass));
    }

    /** The folder as text, or {@value #APPLICATION}. */
    public String folderName() {
        return folder == null ? APPLICATION : folder.toString();
    }

    /** The module name, else the jar's file name, else {@code ?}. */
    public String location() {
        if (module != null) {
            return module;
        }
        if (jar != null && jar.getFileName() != null) {
            return jar.getFileName().toString();
        }
        return "?";
    }

    /**
     * One phrase for messages, e.g. {@code module io.rivven.codec.gzip in /opt/rivven/plugins/gzip}
     * or {@code jar gcs.jar in /opt/rivven/plugins/gcs (classpath mode)}.
     */
    public String describe() {
        String what = module != null ? "module " + module : "jar " + location();
        return switch (kind) {
            case APPLICATION -> what + " " + APPLICATION;
            case MODULE_LAYER -> what + " in " + folder;
            case CLASSPATH -> what + " in " + folder + " (classpath mode)";
        };
    }

    @Override
    public String toString() {
        return describe();
    }

    private static Path codeLocation(Class<?> type) {
        try {
            CodeSource cs = type.getProtectionDomain().getCodeSource();
            URL url = cs == null ? null : cs.getLocation();
            return url == null || !"file".equals(url.getProtocol()) ? null : Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
