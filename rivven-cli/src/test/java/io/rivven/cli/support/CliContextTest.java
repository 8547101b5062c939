package io.rivven.cli.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CliContextTest {

    @Test
    void theLauncherSaysWhetherStderrIsATerminal() {
        // progress bars go to stderr: whether stdin and stdout are a terminal (System.console) does not tell
        try {
            System.setProperty("rivven.stderr.terminal", "true");
            assertTrue(CliContext.fromSystem().terminal());
            System.setProperty("rivven.stderr.terminal", "false");
            assertFalse(CliContext.fromSystem().terminal());
        } finally {
            System.clearProperty("rivven.stderr.terminal");
        }
    }
}
