package io.rivven.cli.support;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines of bytes from a stream without decoding them: {@link #next()} moves to the next line,
 * which is then {@code buffer()[start(), end())} (the {@code \n} and a {@code \r} before it
 * excluded). A last line without {@code \n} counts as a line; an empty input has none.
 *
 * <p>{@link #ready()} tells whether the next line can be had without blocking, which lets a
 * producer send what it has before waiting for more input (interactive use).
 *
 * <p>Lines longer than {@code maxLineBytes} fail with a {@link CliException}. Not thread-safe.
 */
public final class LineReader {

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buf = new byte[64 * 1024];
    private int pos;          // start of the unread data
    private int limit;        // end of the data read
    private int lineStart;
    private int lineEnd;
    private long lineNumber;
    private boolean eof;

    public LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Moves to the next line, blocking for input as needed.
     *
     * @return false at the end of the input
     */
    public boolean next() throws IOException {
        int scanned = 0; // bytes after pos known to hold no '\n' (relative: fill() moves the data)
        while (true) {
            int nl = indexOf((byte) '\n', pos + scanned, limit);
            if (nl >= 0) {
                setLine(pos, nl);
                pos = nl + 1;
                return true;
            }
            if (eof) {
                if (pos == limit) {
                    return false;
                }
                setLine(pos, limit);
                pos = limit;
                return true;
            }
            scanned = limit - pos;
            fill();
        }
    }

    private void setLine(int start, int end) {
        lineStart = start;
        lineEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        lineNumber++;
        if (lineEnd - lineStart > maxLineBytes) {
            throw new CliException("line " + lineNumber + " of the input is " + (lineEnd - lineStart)
                    + " bytes, more than a record may have (" + maxLineBytes + " bytes)");
        }
    }

    /** Reads more input after compacting (and growing when full); sets {@link #eof}. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            if (buf.length > maxLineBytes + 2) {
                throw new CliException("line " + (lineNumber + 1) + " of the input is more than " + maxLineBytes
                        + " bytes, more than a record may have");
            }
            buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, (long) maxLineBytes + 3));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private int indexOf(byte b, int from, int to) {
        byte[] a = buf;
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@link #next()} can return without blocking: a whole line is buffered, the input has
     * bytes available, or it ended.
     */
    public boolean ready() throws IOException {
        return eof || indexOf((byte) '\n', pos, limit) >= 0 || in.available() > 0;
    }

    /** The array holding the current line (valid until the next {@link #next()}). */
    public byte[] buffer() {
        return buf;
    }

    /** The current line's first byte in {@link #buffer()}. */
    public int start() {
        return lineStart;
    }

    /** The current line's end (exclusive) in {@link #buffer()}. */
    public int end() {
        return lineEnd;
    }

    /** The 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }
}
