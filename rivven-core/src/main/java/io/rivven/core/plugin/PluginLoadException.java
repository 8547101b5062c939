package io.rivven.core.plugin;

import java.io.Serial;

/**
 * Plugins could not be loaded: a plugin folder is malformed, a module does not resolve, a provider
 * cannot be instantiated, a name is invalid, or two providers of one SPI share a name (or, for
 * codecs, an id). Thrown at start, before anything touches disk. The message names the folder, the
 * jar or module, what is wrong and how to fix it.
 */
public class PluginLoadException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
