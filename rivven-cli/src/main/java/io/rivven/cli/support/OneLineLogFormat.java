package io.rivven.cli.support;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How the engine's log records (a warning such as an index repair, through {@code System.Logger}
 * and so {@code java.util.logging}) look on the command's stderr: one line each, as the command's
 * own messages, {@code rivven: warning: <message>}; the exception's stack trace follows only with
 * {@code --verbose}, and its one-line summary otherwise. (JUL's default is two lines with a
 * timestamp and the source, and a stack trace whenever a record carries an exception.)
 *
 * <p>Stateless; thread-safe.
 */
public final class OneLineLogFormat extends Formatter {

    private final boolean verbose;

    public OneLineLogFormat(boolean verbose) {
        this.verbose = verbose;
    }

    /**
     * Formats the root logger's console handlers with this format, unless the user configured JUL
     * ({@code -Djava.util.logging.config.file} or {@code .class}): then their configuration stands.
     */
    public static void install(boolean verbose) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(new OneLineLogFormat(verbose));
            }
        }
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder("rivven: ")
                .append(record.getLevel().getName().toLowerCase(Locale.ROOT)).append(": ")
                .append(formatMessage(record).replace('\n', ' '));
        Throwable t = record.getThrown();
        if (t != null && !verbose) {
            String summary = t.toString().replace('\n', ' ');
            if (sb.indexOf(summary) < 0) {
                sb.append(" (").append(summary).append(')');
            }
        }
        sb.append(System.lineSeparator());
        if (t != null && verbose) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            sb.append(trace);
        }
        return sb.toString();
    }
}
