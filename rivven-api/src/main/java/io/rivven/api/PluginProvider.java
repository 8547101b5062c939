package io.rivven.api;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every Rivven plugin provider has in common: a stable name and the names of its secret
 * options. Each SPI extends this with its own factory method ({@code create(...)}).
 *
 * <p>A provider is a cheap, stateless factory found by {@link java.util.ServiceLoader}; it must
 * have a public no-arg constructor (or a public static {@code provider()} method) and must not do
 * I/O when constructed. The instances it creates are immutable and fully configured: there is no
 * two-step construct-then-configure.
 *
 * <p>Thread safety: providers are used from any thread and must be stateless.
 */
@Stable
public interface PluginProvider {

    /** Names are 1–32 characters: a lowercase ASCII letter, then lowercase letters, digits or '-'. */
    Pattern NAME_PATTERN = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /**
     * The name users write in config files ({@code "type": "zstd"}). Stable forever: it is stored in
     * config files and, for codecs, identifies data. Must match {@link #NAME_PATTERN}.
     */
    String name();

    /** One line on what this plugin is, shown by {@code rivven plugins}. */
    default String description() {
        return "";
    }

    /**
     * Option keys whose values are secrets (passwords, access keys). Their values are masked
     * wherever configuration is printed or logged.
     */
    default Set<String> secretKeys() {
        return Set.of();
    }

    /** Whether {@code name} is a valid plugin name (see {@link #NAME_PATTERN}). */
    static boolean isValidName(String name) {
        return name != null && NAME_PATTERN.matcher(name).matches();
    }
}
