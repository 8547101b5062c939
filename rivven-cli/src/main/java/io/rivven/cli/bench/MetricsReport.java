package io.rivven.cli.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.rivven.cli.support.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Prints every {@code rivven.*} meter of a registry as a table (name, tags, value): counters as
 * counts (bytes also in MB), timers as count, mean, max and their published percentiles, gauges as
 * values, distribution summaries as count, total and max (a timer's percentile gauges are not
 * listed apart). Meters the engine adds later show up without changes here. Stateless.
 */
public final class MetricsReport {

    private MetricsReport() {
    }

    public static void print(PrintWriter out, MeterRegistry registry) {
        List<Meter> meters = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            // a timer's published percentiles are also gauges "<name>.percentile" (in seconds): shown with the timer
            if (name.startsWith("rivven.") && !name.endsWith(".percentile") && !name.endsWith(".histogram")) {
                meters.add(m);
            }
        }
        meters.sort(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> tags(m)));
        Table table = new Table("METER", "TAGS", "VALUE");
        for (Meter m : meters) {
            table.row(m.getId().getName(), tags(m), value(m));
        }
        table.print(out);
    }

    static String tags(Meter m) {
        List<String> t = new ArrayList<>();
        for (Tag tag : m.getId().getTagsAsIterable()) {
            t.add(tag.getKey() + "=" + tag.getValue());
        }
        return t.isEmpty() ? "" : String.join(" ", t);
    }

    static String value(Meter m) {
        boolean bytes = "bytes".equals(m.getId().getBaseUnit());
        return m.match(
                (Gauge g) -> number(g.value(), bytes),
                (Counter c) -> number(c.count(), bytes),
                MetricsReport::timer,
                (DistributionSummary s) -> "count " + Units.count(s.count()) + ", total " + number(s.totalAmount(), bytes)
                        + ", max " + number(s.max(), bytes),
                ltt -> "active " + ltt.activeTasks(),
                tg -> Units.nanos(tg.value(TimeUnit.NANOSECONDS)),
                fc -> number(fc.count(), bytes),
                ft -> "count " + String.format(Locale.ROOT, "%,.0f", ft.count()) + ", total " + Units.nanos(ft.totalTime(TimeUnit.NANOSECONDS)),
                other -> other.measure().toString());
    }

    private static String timer(Timer t) {
        HistogramSnapshot s = t.takeSnapshot();
        StringBuilder sb = new StringBuilder("count ").append(Units.count(t.count()));
        if (t.count() > 0) {
            sb.append(", mean ").append(Units.nanos(t.mean(TimeUnit.NANOSECONDS)))
                    .append(", max ").append(Units.nanos(t.max(TimeUnit.NANOSECONDS)));
            for (ValueAtPercentile p : s.percentileValues()) {
                sb.append(", p").append(percentile(p.percentile())).append(' ').append(Units.nanos(p.value(TimeUnit.NANOSECONDS)));
            }
            sb.append(", total ").append(Units.nanos(t.totalTime(TimeUnit.NANOSECONDS)));
        }
        return sb.toString();
    }

    private static String percentile(double p) {
        String s = String.format(Locale.ROOT, "%.3f", p * 100).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String number(double v, boolean bytes) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String n = v == Math.rint(v) && Math.abs(v) < 1e15 ? Units.count((long) v) : String.format(Locale.ROOT, "%,.2f", v);
        return bytes ? n + " bytes (" + Units.mb(v) + ")" : n;
    }
}
