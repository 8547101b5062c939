package io.rivven.cli.support;

import io.rivven.core.config.RivvenConfig;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.Plugins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a command runs in: the working directory, the distribution's home (its {@code plugins/}
 * folder is always searched), and where output goes. Tests make their own; {@link #fromSystem()}
 * is the real one.
 *
 * @param workingDir where relative paths ({@code --config}, {@code pluginDirs}, {@code dataDir}) start
 * @param home       the distribution directory ({@code -Drivven.home}, set by the launcher), or {@code null}
 * @param out        standard output
 * @param err        standard error
 */
public record CliContext(Path workingDir, Path home, PrintWriter out, PrintWriter err) {

    /** The system property the launcher sets to the distribution directory. */
    public static final String HOME_PROPERTY = "rivven.home";

    public CliContext {
        workingDir = workingDir.toAbsolutePath().normalize();
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }

    /** The working directory of the process, {@code -Drivven.home}, and System.out / System.err. */
    public static CliContext fromSystem() {
        String home = System.getProperty(HOME_PROPERTY);
        return new CliContext(Path.of(""), home == null || home.isEmpty() ? null : Path.of(home).toAbsolutePath().normalize(),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /**
     * The config a command runs with: {@code --config} when given, else {@code ./rivven.json} when
     * present, else the embedded default. Bound and checked, plugins not yet resolved.
     */
    public RivvenConfig config(Path configOption) {
        return RivvenConfig.resolve(configOption, workingDir);
    }

    /**
     * The plugin directories searched: {@code <home>/plugins} of the distribution first, then the
     * config's {@code pluginDirs} relative to the working directory.
     */
    public List<Path> pluginDirs(RivvenConfig config) {
        List<Path> dirs = new ArrayList<>();
        if (home != null) {
            dirs.add(home.resolve("plugins"));
        }
        for (Path p : config.pluginDirs()) {
            dirs.add(workingDir.resolve(p).normalize());
        }
        return dirs;
    }

    /** Loads the application's plugins and those of {@link #pluginDirs}. */
    public Plugins plugins(RivvenConfig config) {
        return PluginLoader.load(pluginDirs(config));
    }
}
