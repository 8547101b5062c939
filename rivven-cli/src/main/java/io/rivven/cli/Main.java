package io.rivven.cli;

import io.rivven.api.ConfigException;
import io.rivven.api.codec.CodecException;
import io.rivven.cli.command.BenchCommand;
import io.rivven.cli.command.ConfigCommand;
import io.rivven.cli.command.ConsumeCommand;
import io.rivven.cli.command.DumpCommand;
import io.rivven.cli.command.PluginsCommand;
import io.rivven.cli.command.ProduceCommand;
import io.rivven.cli.command.TopicsCommand;
import io.rivven.cli.command.VerifyCommand;
import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ContextHolder;
import io.rivven.cli.support.OneLineLogFormat;
import io.rivven.core.log.StorageException;
import io.rivven.core.plugin.PluginLoadException;
import io.rivven.core.record.CorruptRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.lang.module.ModuleDescriptor;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code rivven} command. Each subcommand is a class in {@code io.rivven.cli.command} that
 * reaches the shared {@link CliContext} through {@code @ParentCommand ContextHolder}; add one by listing it in
 * {@code subcommands} below.
 *
 * <p>Errors: one line {@code rivven: <message>} on stderr and exit code {@value #EXIT_FAILURE}
 * ({@value #EXIT_USAGE} for a wrong command line); {@code --verbose} adds the stack trace.
 */
@Command(name = "rivven", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, scope = ScopeType.INHERIT,
        description = "Rivven: a plugin-based storage engine for event streaming.",
        subcommands = {BenchCommand.class, ProduceCommand.class, ConsumeCommand.class, TopicsCommand.class,
            DumpCommand.class, VerifyCommand.class, PluginsCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable, ContextHolder {

    /** Exit code of a failed command. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a wrong command line. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final CliContext context;

    public Main(CliContext context) {
        this.context = context;
    }

    @Override
    public CliContext context() {
        return context;
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.out());
    }

    public static void main(String[] args) {
        OneLineLogFormat.install(Arrays.asList(args).contains("--verbose"));
        System.exit(run(args, CliContext.fromSystem()));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, CliContext context) {
        List<String> argList = Arrays.asList(args);
        CommandLine cl = new CommandLine(new Main(context));
        cl.setOut(context.out());
        cl.setErr(context.err());
        cl.setParameterExceptionHandler((ParameterException e, String[] a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            context.err().println("rivven: " + e.getMessage() + " (see '" + help + " --help')");
            if (argList.contains("--verbose")) {
                e.printStackTrace(context.err());
            }
            context.err().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            context.err().println("rivven: " + message(e));
            if (argList.contains("--verbose")) {
                e.printStackTrace(context.err());
            }
            context.err().flush();
            return EXIT_FAILURE;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (Error e) { // picocli hands only Exceptions to the handler above (an OutOfMemoryError, say)
            context.err().println("rivven: " + message(e));
            if (argList.contains("--verbose")) {
                e.printStackTrace(context.err());
            }
            code = EXIT_FAILURE;
        }
        context.out().flush();
        context.err().flush();
        return code;
    }

    /**
     * The one-line message of an error: the message alone for expected errors (config, plugins,
     * storage, corrupt data, I/O, the commands' own), with the type otherwise.
     */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        String m = e.getMessage();
        if (e instanceof NoSuchFileException f) {
            m = f.getFile() + ": no such file" + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
        } else if (e instanceof FileSystemException f && f.getFile() != null) {
            m = f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName())
                    + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
        }
        boolean expected = e instanceof ConfigException || e instanceof PluginLoadException || e instanceof CodecException
                || e instanceof StorageException || e instanceof CorruptRecordException || e instanceof CliException
                || e instanceof IOException;
        String line = expected && m != null ? m : e.toString();
        if (e instanceof OutOfMemoryError) {
            line += "; give the JVM more memory, e.g. RIVVEN_OPTS=-Xmx4g";
        }
        return line.replace('\n', ' ') + (expected ? "" : " (run with --verbose for the stack trace)");
    }

    /** The version of the io.rivven.cli module, else "dev". */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            ModuleDescriptor d = Main.class.getModule().getDescriptor();
            String v = d == null ? null : d.rawVersion().orElse(null);
            return new String[] {"rivven " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
