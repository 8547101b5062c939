package io.rivven.cli.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal, redrawn in place with {@code \r} at most ten times a
 * second: {@code append  [##########----------]  52%  520,000 / 1,000,000 records  812.3 MB/s}.
 * When disabled (output is not a terminal) it prints nothing at all.
 *
 * <p>Not thread-safe: the thread doing the work updates it.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final String unit;
    private final long bytesPerUnit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;

    /**
     * @param bytesPerUnit bytes per unit for the MB/s figure (0: no rate)
     */
    public ProgressBar(PrintWriter err, boolean enabled, String label, long total, String unit, long bytesPerUnit) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.bytesPerUnit = bytesPerUnit;
    }

    /** Shows {@code done} of the total, if the last redraw is old enough. Cheap when it is not. */
    public void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        StringBuilder sb = new StringBuilder(120).append('\r').append(label).append("  [")
                .append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ")
                .append(String.format(Locale.ROOT, "%3d%%  %,d / %,d %s", 100 * Math.min(done, total) / total, done, total, unit));
        double seconds = (now - start) / 1e9;
        if (bytesPerUnit > 0 && seconds > 0) {
            sb.append(String.format(Locale.ROOT, "  %.1f MB/s", done * (double) bytesPerUnit / 1e6 / seconds));
        }
        int length = sb.length();
        if (length < lastLength) {
            sb.append(" ".repeat(lastLength - length));
        }
        lastLength = length;
        err.print(sb);
        err.flush();
    }

    /** Clears the bar's line. */
    public void done() {
        if (enabled && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }
}
