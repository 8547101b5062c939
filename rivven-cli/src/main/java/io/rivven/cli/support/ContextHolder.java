package io.rivven.cli.support;

/**
 * The root {@code rivven} command as its subcommands see it: they declare
 * {@code @ParentCommand ContextHolder parent} and get the {@link CliContext} from it (an interface,
 * so that the command package does not depend back on {@code io.rivven.cli.Main}).
 */
public interface ContextHolder {

    /** The context the command runs in. */
    CliContext context();
}
