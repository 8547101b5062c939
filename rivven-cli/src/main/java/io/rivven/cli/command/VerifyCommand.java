package io.rivven.cli.command;

import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.log.LogVerifier;
import io.rivven.core.log.VerifyReport;
import io.rivven.core.plugin.Plugins;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rivven verify}: checks every segment and index file of the config's data directory (or of
 * one topic) without changing anything ({@link LogVerifier}), prints each problem as
 * {@code <file> @<position>: <message>} (no position when the problem concerns a whole file), then
 * a summary line. Exit code 0 only when clean, {@value #PROBLEMS_FOUND} when problems were found.
 *
 * <p>Verify a data directory no engine has open: an open engine's active segment is preallocated
 * and may be mid-append, which reads as problems.
 */
@Command(name = "verify", sortOptions = false,
        description = {"Check every segment and index file (batch bounds, CRC, offsets, index entries) without changing "
            + "anything; print each problem with file and position.",
            "Exit code 0 only when clean, 1 when problems were found."})
public final class VerifyCommand implements Callable<Integer> {

    /** The exit code when problems were found. */
    public static final int PROBLEMS_FOUND = 1;

    @ParentCommand
    ContextHolder rivven;

    @Mixin
    ConfigOption config;

    @Option(names = "--topic", paramLabel = "T", description = "Check only this topic (default: every topic).")
    String topic;

    @Override
    public Integer call() {
        CliContext ctx = rivven.context();
        RivvenConfig cfg = ctx.config(config.file());
        Plugins plugins = ctx.plugins(cfg);
        RivvenConfig resolved = ctx.resolvePaths(cfg);
        if (!Files.isDirectory(resolved.dataDir())) {
            // a typo in dataDir or the wrong working directory: nothing was checked, which is not "clean"
            throw new CliException("no data directory " + resolved.dataDir() + " (dataDir of " + cfg.source() + "); nothing to verify");
        }
        VerifyReport report = LogVerifier.verify(resolved, plugins, Optional.ofNullable(topic));
        PrintWriter out = ctx.out();
        for (VerifyReport.Problem p : report.problems()) {
            String message = p.message();
            String named = p.file() + ": ";
            if (message.startsWith(named)) {
                message = message.substring(named.length()); // the line names the file already
            }
            out.println(p.file() + (p.position() >= 0 ? " @" + p.position() : "") + ": " + message);
        }
        String checked = String.format(Locale.ROOT, "%,d segment%s, %,d batch%s, %,d bytes in %s%s", report.segments(),
                report.segments() == 1 ? "" : "s", report.batches(), report.batches() == 1 ? "" : "es", report.bytes(),
                resolved.dataDir().resolve("topics"), topic == null ? "" : "/" + topic);
        int n = report.problems().size();
        out.println(n == 0 ? "clean: " + checked : n + " problem" + (n == 1 ? "" : "s") + " in " + checked);
        out.flush();
        return n == 0 ? 0 : PROBLEMS_FOUND;
    }
}
