package io.rivven.cli.support;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config F} option every engine command takes (a picocli mixin). */
public final class ConfigOption {

    @Option(names = "--config", paramLabel = "FILE",
            description = "The config file (JSON). Default: ./rivven.json when present, else the embedded default "
                    + "(data under ./data, nio, lz4).")
    Path file;

    /** The file given, or {@code null}. */
    public Path file() {
        return file;
    }
}
