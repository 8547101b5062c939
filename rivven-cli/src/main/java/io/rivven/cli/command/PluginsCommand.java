package io.rivven.cli.command;

import io.rivven.api.ConfigException;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.cli.support.Table;
import io.rivven.core.config.ConfigValidator;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.plugin.PluginInfo;
import io.rivven.core.plugin.PluginSource;
import io.rivven.core.plugin.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rivven plugins}: every provider found, with its SPI, name, codec id, module or jar and
 * folder, then the plugin folders searched. If the config names a plugin that is missing, says so
 * on stderr (this command still succeeds: it is how one finds out what is installed).
 */
@Command(name = "plugins", description = "List every plugin found: SPI, name, codec id, module or jar, folder.")
public final class PluginsCommand implements Callable<Integer> {

    @ParentCommand
    ContextHolder rivven;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        CliContext ctx = rivven.context();
        RivvenConfig cfg = ctx.config(config.file());
        Plugins plugins = ctx.plugins(cfg);

        Table table = new Table("SPI", "NAME", "ID", "MODULE / JAR", "FOLDER", "DESCRIPTION");
        for (PluginInfo<?> p : plugins.all()) {
            PluginSource s = p.source();
            table.row(p.spi().label(), p.name(), p.codecId().isPresent() ? p.codecId().getAsInt() : null,
                    s.kind() == PluginSource.Kind.CLASSPATH ? s.location() + " (classpath mode)" : s.location(),
                    s.folderName(), p.description());
        }
        table.print(ctx.out());
        ctx.out().println();
        ctx.out().println("Plugin folders searched (each sub-folder is one plugin):");
        for (Path dir : plugins.pluginDirs()) {
            ctx.out().println("  " + dir + (Files.isDirectory(dir) ? "" : "  (missing)"));
        }
        ctx.out().flush();

        try {
            cfg.validate(plugins);
            ConfigValidator.checkIo(cfg, plugins);
        } catch (ConfigException e) {
            ctx.err().println("rivven: warning: " + cfg.source() + " cannot be used as it is: " + e.getMessage());
            ctx.err().flush();
        }
        return 0;
    }
}
