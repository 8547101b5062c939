/**
 * JUnit 5 contract suites that every Rivven plugin must pass. A plugin's test extends the suite
 * for its SPI and implements one factory method; third-party plugin authors do the same.
 */
module io.rivven.testkit {
    requires transitive io.rivven.api;
    requires transitive org.junit.jupiter.api;
    exports io.rivven.testkit;

    uses io.rivven.api.codec.CodecProvider;
}
