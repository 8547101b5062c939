package io.rivven.cli.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineLogFormatTest {

    static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setSourceClassName("io.rivven.core.log.PartitionLog");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aWarningIsOneLineLikeTheCommandsOwnMessages() {
        String line = new OneLineLogFormat(false).format(record(Level.WARNING, "orders-0: index repair\nfailed", null));
        assertEquals("rivven: warning: orders-0: index repair failed" + System.lineSeparator(), line);
    }

    @Test
    void anExceptionIsSummedUpWithoutItsStackTraceUnlessVerbose() {
        IOException e = new IOException("disk gone");
        String quiet = new OneLineLogFormat(false).format(record(Level.WARNING, "orders-0: index repair failed", e));
        assertEquals(List.of("rivven: warning: orders-0: index repair failed (java.io.IOException: disk gone)"),
                quiet.lines().toList());

        // the message already holds the exception (as the engine logs it): not said twice
        String once = new OneLineLogFormat(false).format(record(Level.WARNING, "index repair failed: " + e, e));
        assertEquals(List.of("rivven: warning: index repair failed: java.io.IOException: disk gone"), once.lines().toList());

        List<String> verbose = new OneLineLogFormat(true).format(record(Level.SEVERE, "failed", e)).lines().toList();
        assertEquals("rivven: severe: failed", verbose.getFirst());
        assertEquals("java.io.IOException: disk gone", verbose.get(1));
        assertTrue(verbose.get(2).startsWith("\tat "), verbose.toString());
    }
}
