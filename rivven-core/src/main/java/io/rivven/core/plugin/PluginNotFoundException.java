package io.rivven.core.plugin;

import io.rivven.api.ConfigException;
import java.io.Serial;
import java.util.List;

/**
 * A configuration names a plugin that is not installed. The message says which SPI, the name, the
 * configuration path it came from, what is available and the fix:
 * <pre>
 * no compression codec 'zsdt' (rivven.json → topics.orders.compression.type); available: gzip, lz4, none, snappy, zstd; put the plugin's folder in plugins/ or another of the config's pluginDirs
 * </pre>
 * (This message deliberately leads with what is missing rather than with the path, unlike other
 * {@link ConfigException}s; {@link #path()} still gives the path.)
 */
public class PluginNotFoundException extends ConfigException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The fix appended to every message. */
    public static final String FIX = "put the plugin's folder in plugins/ or another of the config's pluginDirs";

    private final Spi spi;
    private final String name;
    private final List<String> available;
    private final String message;

    /**
     * @param spi       the SPI looked in
     * @param name      the name asked for
     * @param where     where the name came from ({@code source → json.path}), or {@code null}
     * @param available the names that exist, sorted
     */
    public PluginNotFoundException(Spi spi, String name, String where, List<String> available) {
        super(where == null ? "" : where, "no " + spi.noun() + " '" + name + "'");
        this.spi = spi;
        this.name = name;
        this.available = List.copyOf(available);
        this.message = "no " + spi.noun() + " '" + name + "'" + (where == null ? "" : " (" + where + ")")
                + "; available: " + (available.isEmpty() ? "(none)" : String.join(", ", available))
                + "; " + FIX;
    }

    @Override
    public String getMessage() {
        return message;
    }

    public Spi spi() {
        return spi;
    }

    /** The name that was asked for. */
    public String name() {
        return name;
    }

    /** The names that exist for {@link #spi()}, sorted. */
    public List<String> available() {
        return available;
    }
}
