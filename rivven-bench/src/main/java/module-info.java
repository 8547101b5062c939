/**
 * Rivven's JMH benchmarks, with Kafka's own classes as the baseline (see docs/performance.md).
 *
 * <p>Kafka's jars cannot be modules: they split packages between them ({@code org.apache.kafka.common}
 * is in kafka-clients and kafka-server-common, {@code org.apache.kafka.server.purgatory} in
 * kafka-server-common and kafka-storage, and more). So this module names what it requires from
 * Rivven, JMH and Jackson, and reads Kafka's classes on the class path ({@code --add-reads
 * io.rivven.bench=ALL-UNNAMED} in this module's pom). {@code rivven-bench/run} runs the benchmarks,
 * the generated JMH classes and everything else on the class path, as JMH expects; there the
 * codec modules and {@code rivven-io-nio} are found through {@code META-INF/services}.
 */
module io.rivven.bench {
    requires io.rivven.core;
    requires jmh.core;
    requires tools.jackson.databind;
    requires java.management; // ScaleBench's heap measurement

    exports io.rivven.bench;
    exports io.rivven.bench.kafka;
    exports io.rivven.bench.rivven;
    exports io.rivven.bench.workload;
}
