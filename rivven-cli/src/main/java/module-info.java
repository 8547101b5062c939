/**
 * The {@code rivven} command line (picocli): {@code io.rivven.cli.Main}, one class per subcommand
 * in {@code io.rivven.cli.command}, and what they share (context, options, tables) in
 * {@code io.rivven.cli.support}.
 */
module io.rivven.cli {
    requires io.rivven.core;
    requires info.picocli;
    requires java.logging; // the engine's warnings on stderr, one line each (OneLineLogFormat)

    // picocli sets the annotated option fields and instantiates the commands by reflection.
    opens io.rivven.cli to info.picocli;
    opens io.rivven.cli.command to info.picocli;
    opens io.rivven.cli.support to info.picocli;
}
