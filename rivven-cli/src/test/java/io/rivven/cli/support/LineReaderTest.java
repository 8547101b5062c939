package io.rivven.cli.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    static List<String> lines(InputStream in, int max) throws IOException {
        LineReader r = new LineReader(in, max);
        List<String> out = new ArrayList<>();
        while (r.next()) {
            out.add(new String(r.buffer(), r.start(), r.end() - r.start(), StandardCharsets.UTF_8));
            assertEquals(out.size(), r.lineNumber());
        }
        assertFalse(r.next(), "stays at the end");
        return out;
    }

    static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns one byte per read: lines straddle every refill. */
    static InputStream trickle(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    @Test
    void splitsAtNewlinesDroppingCarriageReturns() throws IOException {
        assertEquals(List.of("a", "", "b c", "d", "last"), lines(bytes("a\n\nb c\r\nd\nlast"), 100));
        assertEquals(List.of("x"), lines(bytes("x\n"), 100));
        assertEquals(List.of(), lines(bytes(""), 100));
        assertEquals(List.of(""), lines(bytes("\n"), 100));
        assertEquals(List.of("a\rb"), lines(bytes("a\rb\n"), 100), "only a \\r before the \\n is dropped");
    }

    @Test
    void linesStraddlingReadsAndLongerThanTheInitialBuffer() throws IOException {
        String big = "y".repeat(200_000);
        assertEquals(List.of("ab", big, "cd"), lines(trickle("ab\n" + big + "\ncd"), 300_000));
        assertEquals(List.of("ab", big, "cd"), lines(bytes("ab\n" + big + "\ncd\n"), 300_000));
    }

    @Test
    void tooLongLinesFailNamingTheLine() {
        CliException e = assertThrows(CliException.class, () -> lines(bytes("ok\n" + "z".repeat(100_000) + "\n"), 70_000));
        assertTrue(e.getMessage().startsWith("line 2 of the input is "), e.getMessage());
        CliException exact = assertThrows(CliException.class, () -> lines(bytes("z".repeat(11) + "\n"), 10));
        assertEquals("line 1 of the input is 11 bytes, more than a record may have (10 bytes)", exact.getMessage());
    }

    @Test
    void readyWhenALineIsBufferedOrInputIsAvailable() throws IOException {
        LineReader r = new LineReader(bytes("a\nb\nc"), 100);
        assertTrue(r.ready());
        assertTrue(r.next());
        assertTrue(r.ready(), "b is buffered");
        assertTrue(r.next());
        assertFalse(r.ready(), "c may not be complete yet and nothing more is available");
        assertTrue(r.next());
        assertTrue(r.ready(), "at the end");
        assertFalse(r.next());
    }
}
