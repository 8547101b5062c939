package io.rivven.bench;

import io.rivven.bench.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into the side-by-side table of
 * {@code docs/performance.md}: one row per scenario and parameter set, Kafka's number, Rivven's,
 * and the ratio. {@code rivven-bench/run} calls it after every run:
 * {@code java -cp ... io.rivven.bench.Summary target/jmh-result.json}.
 *
 * <p>A benchmark method {@code kafkaXxx} and its twin {@code rivvenXxx} in the same class with the
 * same parameters form one row. The unit of one op is fixed per class (see each class comment):
 * <ul>
 *   <li>{@link BatchCodecBench}: one batch of 100 x 1 KiB records = 102,400 payload bytes;
 *       the throughput in ops/s becomes GB/s = ops/s x 102,400 / 10^9.</li>
 *   <li>{@link LogAppendBench}, {@link LogReadBench}, {@link RecoveryBench}: one pass over
 *       {@code totalMiB} (whole batches: {@code ceil(totalMiB MiB / 102,400)} batches); the time per
 *       op becomes GB/s = pass payload bytes / time / 10^9.</li>
 *   <li>{@link LookupBench}: latency; p50 and p99 in microseconds.</li>
 * </ul>
 * Other methods of those classes (such as {@code BatchCodecBench.floorCopyCrc}) are listed after the
 * table, converted the same way; methods of other classes with JMH's own score.
 * The ratio is Rivven / Kafka for throughput (higher is better) and Rivven p99 / Kafka p99 for
 * latency (lower is better). GB means 10^9 bytes. Stateless.
 */
public final class Summary {

    private enum Unit { BATCH, PASS, LATENCY }

    private static final Map<String, Unit> UNITS = Map.of(
            "BatchCodecBench", Unit.BATCH,
            "LogAppendBench", Unit.PASS,
            "LogReadBench", Unit.PASS,
            "RecoveryBench", Unit.PASS,
            "LookupBench", Unit.LATENCY);

    private Summary() {
    }

    /** One measured number: throughput in B/s, or latency p50/p99 in microseconds. */
    private record Value(double value, double error, double p50, double p99) {
    }

    private static final class Row {
        final String scenario;
        final String params;
        final Unit unit;
        final Map<String, Value> sides = new TreeMap<>();

        Row(String scenario, String params, Unit unit) {
            this.scenario = scenario;
            this.params = params;
            this.unit = unit;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: io.rivven.bench.Summary <jmh-result.json>");
            System.exit(2);
        }
        print(Path.of(args[0]), System.out);
    }

    /** Prints the Markdown table for the JMH JSON result in {@code file}. */
    public static void print(Path file, PrintStream out) throws IOException {
        JsonNode results = new ObjectMapper().readTree(Files.readString(file));
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        for (JsonNode r : results) {
            String benchmark = r.get("benchmark").asString();
            String[] parts = benchmark.split("\\.");
            String cls = parts[parts.length - 2];
            String method = parts[parts.length - 1];
            Unit unit = UNITS.get(cls);
            String side = method.startsWith("kafka") ? "kafka" : method.startsWith("rivven") ? "rivven" : null;
            JsonNode primary = r.get("primaryMetric");
            if (unit == null || side == null) {
                String score = unit == null
                        ? String.format(Locale.ROOT, "%.3f %s", primary.get("score").asDouble(), primary.get("scoreUnit").asString())
                        : format(unit, value(unit, r));
                others.add(String.format(Locale.ROOT, "%s.%s %s: %s%s", cls, method, params(r), score, secondary(r)));
                continue;
            }
            String scenario = cls + "." + Character.toLowerCase(method.charAt(side.length())) + method.substring(side.length() + 1);
            String params = params(r);
            Row row = rows.computeIfAbsent(scenario + " " + params, k -> new Row(scenario, params, unit));
            row.sides.put(side, value(unit, r));
        }
        out.println("| scenario | parameters | Kafka | Rivven | Rivven / Kafka |");
        out.println("|---|---|---|---|---|");
        for (Row row : rows.values()) {
            Value kafka = row.sides.get("kafka");
            Value rivven = row.sides.get("rivven");
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", row.scenario, row.params, format(row.unit, kafka),
                    format(row.unit, rivven), ratio(row.unit, kafka, rivven));
        }
        for (String other : others) {
            out.println("(not paired) " + other);
        }
    }

    /**
     * JMH's secondary results (e.g. {@link ScaleBench}'s heap counters) as {@code , name mean (max) unit}
     * over the measured iterations. (JMH's own score of an {@code EVENTS} counter is the sum over
     * the iterations, so the mean and maximum are computed here from its raw data.)
     */
    private static String secondary(JsonNode r) {
        JsonNode metrics = r.get("secondaryMetrics");
        if (metrics == null || metrics.isNull()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : metrics.properties()) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (JsonNode fork : e.getValue().get("rawData")) {
                for (JsonNode v : fork) {
                    sum += v.asDouble();
                    max = Math.max(max, v.asDouble());
                    n++;
                }
            }
            if (n > 0) {
                sb.append(String.format(Locale.ROOT, ", %s mean %.1f (max %.1f)", e.getKey(), sum / n, max));
            }
        }
        return sb.toString();
    }

    private static String params(JsonNode r) {
        JsonNode params = r.get("params");
        if (params == null || params.isNull()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : params.properties()) {
            sb.append(sb.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue().asString());
        }
        return sb.toString();
    }

    private static Value value(Unit unit, JsonNode r) {
        JsonNode m = r.get("primaryMetric");
        double score = m.get("score").asDouble();
        double error = m.get("scoreError").asDouble(Double.NaN);
        String scoreUnit = m.get("scoreUnit").asString();
        return switch (unit) {
            case BATCH -> {
                double perSecond = perSecond(scoreUnit);
                double bytes = (double) Workload.DEFAULT_RECORD_BYTES * Workload.DEFAULT_RECORDS_PER_BATCH;
                yield new Value(score * perSecond * bytes, error * perSecond * bytes, Double.NaN, Double.NaN);
            }
            case PASS -> {
                double seconds = seconds(scoreUnit);
                long totalMiB = Long.parseLong(r.get("params").get("totalMiB").asString());
                double bytes = passPayloadBytes(totalMiB);
                double bps = bytes / (score * seconds);
                // error of 1/x: relative error is the same to first order
                yield new Value(bps, Double.isFinite(error) ? bps * error / score : Double.NaN, Double.NaN, Double.NaN);
            }
            case LATENCY -> {
                double us = seconds(scoreUnit) * 1e6;
                JsonNode pct = m.get("scorePercentiles");
                yield new Value(score * us, error * us, pct.get("50.0").asDouble() * us, pct.get("99.0").asDouble() * us);
            }
        };
    }

    /** Payload bytes of a standard-workload pass over {@code totalMiB}: whole 102,400-byte batches. */
    static double passPayloadBytes(long totalMiB) {
        long batch = (long) Workload.DEFAULT_RECORD_BYTES * Workload.DEFAULT_RECORDS_PER_BATCH;
        long total = totalMiB << 20;
        return (double) ((total + batch - 1) / batch) * batch;
    }

    private static double perSecond(String scoreUnit) { // "ops/s", "ops/ms", ...
        return 1.0 / seconds(scoreUnit.substring(scoreUnit.indexOf('/') + 1) + "/op");
    }

    private static double seconds(String scoreUnit) { // "ms/op", "us/op", "s/op", "ns/op"
        String u = scoreUnit.substring(0, scoreUnit.indexOf('/'));
        TimeUnit t = switch (u) {
            case "s" -> TimeUnit.SECONDS;
            case "ms" -> TimeUnit.MILLISECONDS;
            case "us" -> TimeUnit.MICROSECONDS;
            case "ns" -> TimeUnit.NANOSECONDS;
            case "min" -> TimeUnit.MINUTES;
            default -> throw new IllegalArgumentException("unknown JMH score unit " + scoreUnit);
        };
        return t.toNanos(1) / 1e9;
    }

    private static String format(Unit unit, Value v) {
        if (v == null) {
            return "—";
        }
        if (unit == Unit.LATENCY) {
            return String.format(Locale.ROOT, "p50 %.2f µs, p99 %.2f µs", v.p50(), v.p99());
        }
        String gbps = String.format(Locale.ROOT, "%.2f GB/s", v.value() / 1e9);
        return Double.isFinite(v.error()) ? gbps + String.format(Locale.ROOT, " ± %.2f", v.error() / 1e9) : gbps;
    }

    private static String ratio(Unit unit, Value kafka, Value rivven) {
        if (kafka == null || rivven == null) {
            return "—";
        }
        double r = unit == Unit.LATENCY ? rivven.p99() / kafka.p99() : rivven.value() / kafka.value();
        return String.format(Locale.ROOT, "%.2fx", r);
    }
}
