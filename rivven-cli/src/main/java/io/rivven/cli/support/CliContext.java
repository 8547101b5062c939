package io.rivven.cli.support;

import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.Plugins;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a command runs in: the working directory, the distribution's home (its {@code plugins/}
 * folder is always searched), where input comes from and output goes. Tests make their own;
 * {@link #fromSystem()} is the real one.
 *
 * <p>Output is not flushed line by line: a command that must show a line at once (an ack, a
 * progress bar) flushes itself; {@code Main} flushes both writers when the command ends.
 *
 * @param workingDir where relative paths ({@code --config}, {@code pluginDirs}, {@code dataDir}) start
 * @param home       the distribution directory ({@code -Drivven.home}, set by the launcher), or {@code null}
 * @param out        standard output (UTF-8)
 * @param err        standard error
 * @param in         standard input (records for {@code rivven produce})
 * @param terminal   whether the user watches a terminal (progress bars are drawn only then)
 */
public record CliContext(Path workingDir, Path home, PrintWriter out, PrintWriter err, InputStream in, boolean terminal) {

    /** The system property the launcher sets to the distribution directory. */
    public static final String HOME_PROPERTY = "rivven.home";
    /**
     * The system property the launcher sets to {@code true} or {@code false}: whether stderr (where
     * progress bars go) is a terminal, which the JVM cannot tell ({@link Console#isTerminal()} is
     * about stdin and stdout).
     */
    public static final String STDERR_TERMINAL_PROPERTY = "rivven.stderr.terminal";

    public CliContext {
        workingDir = workingDir.toAbsolutePath().normalize();
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
    }

    /** A context with empty standard input and no terminal (tests of commands that read no input). */
    public CliContext(Path workingDir, Path home, PrintWriter out, PrintWriter err) {
        this(workingDir, home, out, err, InputStream.nullInputStream(), false);
    }

    /**
     * The working directory of the process, {@code -Drivven.home}, standard output as UTF-8 (buffered),
     * System.err and System.in; a terminal when {@value #STDERR_TERMINAL_PROPERTY} says so (set by the
     * launcher), else when the JVM has an interactive console.
     */
    public static CliContext fromSystem() {
        String home = System.getProperty(HOME_PROPERTY);
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16), false);
        String stderrTerminal = System.getProperty(STDERR_TERMINAL_PROPERTY);
        Console console = System.console();
        boolean terminal = stderrTerminal != null ? Boolean.parseBoolean(stderrTerminal) : console != null && console.isTerminal();
        return new CliContext(Path.of(""), home == null || home.isEmpty() ? null : Path.of(home).toAbsolutePath().normalize(),
                out, new PrintWriter(System.err, true), System.in, terminal);
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

    /** {@code config} with its {@code dataDir} and {@code pluginDirs} resolved against the working directory. */
    public RivvenConfig resolvePaths(RivvenConfig config) {
        return withDataDir(config, workingDir.resolve(config.dataDir()).normalize());
    }

    /** {@code config} with another data directory (and its plugin directories resolved against the working directory). */
    public RivvenConfig withDataDir(RivvenConfig config, Path dataDir) {
        List<Path> dirs = config.pluginDirs().stream().map(p -> workingDir.resolve(p).normalize()).toList();
        return new RivvenConfig(config.source(), dataDir, dirs, config.io(), config.defaults(), config.tiered(), config.topics());
    }

    /**
     * Opens the engine of {@code config} (paths resolved against the working directory) with
     * {@code plugins} (from {@link #plugins}, so the distribution's plugin folder counts too).
     */
    public StorageEngine openEngine(RivvenConfig config, Plugins plugins) throws IOException {
        return StorageEngine.builder(resolvePaths(config)).plugins(plugins).open();
    }
}
