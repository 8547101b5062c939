package io.rivven.cli.command;

import io.rivven.api.ConfigException;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.core.config.ConfigPrinter;
import io.rivven.core.config.ConfigValidator;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.plugin.Plugins;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rivven config}: loads and validates the config, then prints the effective config (every
 * default filled in, topics merged) as JSON with secrets masked. The I/O backend is not required to
 * be installed (it is resolved when the engine opens): a missing one, one that cannot run here or
 * options it rejects give a warning on stderr, not an error.
 */
@Command(name = "config", description = "Validate the config and print the effective config (secrets masked).")
public final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    ContextHolder rivven;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        CliContext ctx = rivven.context();
        RivvenConfig cfg = ctx.config(config.file());
        Plugins plugins = ctx.plugins(cfg);
        cfg.validate(plugins);
        ctx.out().println(ConfigPrinter.toJson(cfg, plugins));
        ctx.out().flush();
        try {
            ConfigValidator.checkIo(cfg, plugins);
        } catch (ConfigException e) {
            ctx.err().println("rivven: warning: the engine will not open with " + cfg.source() + " as it is: " + e.getMessage());
            ctx.err().flush();
        }
        return 0;
    }
}
