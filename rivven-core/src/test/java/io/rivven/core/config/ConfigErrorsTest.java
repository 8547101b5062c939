package io.rivven.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.api.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every way a config file can be wrong, with the exact message: {@code <file> → <json.path>: <problem>}. */
class ConfigErrorsTest {

    static String error(String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> RivvenConfig.parse(json.replace('\'', '"'), "rivven.json"));
        assertTrue(e.getMessage().startsWith("rivven.json → "), e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            { 'dataDirr': 'x' } | rivven.json → dataDirr: unknown key; accepted: dataDir, defaults, io, pluginDirs, tiered, topics (did you mean "dataDir"?)
            { 'data_dir': 'x' } | rivven.json → data_dir: unknown key; accepted: dataDir, defaults, io, pluginDirs, tiered, topics (did you mean "dataDir"?)
            { 'defaults': { 'foo': 1 } } | rivven.json → defaults.foo: unknown key; accepted: cleanupPolicy, compression, flush, indexes, partitions, retention, segment
            { 'defaults': { 'segment': { 'byte': 1 } } } | rivven.json → defaults.segment.byte: unknown key; accepted: bytes, indexIntervalBytes, indexMaxBytes, ms, preallocateBytes (did you mean "bytes"?)
            { 'defaults': { 'cleanup.policy': 'delete' } } | rivven.json → defaults["cleanup.policy"]: unknown key; accepted: cleanupPolicy, compression, flush, indexes, partitions, retention, segment (did you mean "cleanupPolicy"?)
            { 'topics': { 'orders': { 'retention': { 'hours': 1 } } } } | rivven.json → topics.orders.retention.hours: unknown key; accepted: bytes, ms
            { 'topics': { 'my.topic': { 'partition': 1 } } } | rivven.json → topics["my.topic"].partition: unknown key; accepted: cleanupPolicy, compression, flush, indexes, partitions, retention, segment (did you mean "partitions"?)
            { 'tiered': { 'hot': { 'maxbytes': 1 } } } | rivven.json → tiered.hot.maxbytes: unknown key; accepted: maxAgeMs, maxBytes (did you mean "maxBytes"?)
            { 'tiered': { 'coldd': {} } } | rivven.json → tiered.coldd: unknown key; accepted: cold, enabled, hot, migrateIntervalMs, preset, warm (did you mean "cold"?)
            """)
    void unknownKeys(String json, String message) {
        assertEquals(message, error(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            { 'topics': { 'orders': { 'partitions': '4' } } } | rivven.json → topics.orders.partitions: must be an integer between 1 and 100000, got "4"
            { 'topics': { 'orders': { 'partitions': 1.5 } } } | rivven.json → topics.orders.partitions: must be an integer between 1 and 100000, got 1.5
            { 'topics': { 'orders': { 'partitions': 0 } } } | rivven.json → topics.orders.partitions: must be between 1 and 100000, got 0
            { 'topics': { 'orders': { 'partitions': 100001 } } } | rivven.json → topics.orders.partitions: must be between 1 and 100000, got 100001
            { 'defaults': { 'flush': { 'mode': 'sometimes' } } } | rivven.json → defaults.flush.mode: must be one of always, interval, os, got "sometimes"
            { 'defaults': { 'flush': { 'mode': 1 } } } | rivven.json → defaults.flush.mode: must be one of always, interval, os, got 1
            { 'defaults': { 'flush': { 'intervalMs': 0 } } } | rivven.json → defaults.flush.intervalMs: must be at least 1, got 0
            { 'defaults': { 'flush': { 'intervalBytes': 0 } } } | rivven.json → defaults.flush.intervalBytes: must be -1 (unlimited) or at least 1, got 0
            { 'defaults': { 'cleanupPolicy': 'compact,delete' } } | rivven.json → defaults.cleanupPolicy: must be one of delete, compact, both, got "compact,delete"
            { 'defaults': { 'retention': { 'ms': -2 } } } | rivven.json → defaults.retention.ms: must be -1 (unlimited) or at least 0, got -2
            { 'defaults': { 'retention': { 'bytes': '1GB' } } } | rivven.json → defaults.retention.bytes: must be -1 (unlimited) or at least 0, got "1GB"
            { 'defaults': { 'segment': { 'bytes': 4294967296 } } } | rivven.json → defaults.segment.bytes: must be between 64 and 2147483647, got 4294967296
            { 'defaults': { 'segment': { 'bytes': 10 } } } | rivven.json → defaults.segment.bytes: must be between 64 and 2147483647, got 10
            { 'defaults': { 'segment': { 'indexIntervalBytes': 0 } } } | rivven.json → defaults.segment.indexIntervalBytes: must be between 1 and 2147483647, got 0
            { 'defaults': { 'segment': { 'indexMaxBytes': 8 } } } | rivven.json → defaults.segment.indexMaxBytes: must be between 24 and 2147483647, got 8
            { 'topics': { 'orders': { 'segment': { 'indexMaxBytes': 23 } } } } | rivven.json → topics.orders.segment.indexMaxBytes: must be between 24 and 2147483647, got 23
            { 'defaults': { 'segment': { 'ms': 123456789012345678901234567890 } } } | rivven.json → defaults.segment.ms: must be at least 1, got 123456789012345678901234567890
            { 'defaults': { 'segment': 5 } } | rivven.json → defaults.segment: must be an object, got 5
            { 'defaults': [] } | rivven.json → defaults: must be an object, got an array
            { 'topics': [] } | rivven.json → topics: must be an object, got an array
            { 'topics': { 'orders': 4 } } | rivven.json → topics.orders: must be an object, got 4
            { 'dataDir': '' } | rivven.json → dataDir: must be a non-empty string, got ""
            { 'dataDir': null } | rivven.json → dataDir: must be a non-empty string, got null
            { 'pluginDirs': 'plugins' } | rivven.json → pluginDirs: must be an array, got "plugins"
            { 'pluginDirs': ['a', 7] } | rivven.json → pluginDirs[1]: must be a non-empty string, got 7
            { 'tiered': { 'preset': 'fast' } } | rivven.json → tiered.preset: must be one of high-performance, cost-optimized, testing, got "fast"
            { 'tiered': { 'enabled': 'yes' } } | rivven.json → tiered.enabled: must be true or false, got "yes"
            { 'tiered': { 'hot': { 'maxBytes': -1 } } } | rivven.json → tiered.hot.maxBytes: must be at least 0, got -1
            { 'tiered': { 'warm': { 'maxBytes': -5 } } } | rivven.json → tiered.warm.maxBytes: must be -1 (unlimited) or at least 0, got -5
            { 'tiered': { 'migrateIntervalMs': 0 } } | rivven.json → tiered.migrateIntervalMs: must be at least 1, got 0
            { 'tiered': 'testing' } | rivven.json → tiered: must be an object, got "testing"
            """)
    void wrongTypesAndRanges(String json, String message) {
        assertEquals(message, error(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            { 'defaults': { 'compression': {} } } | rivven.json → defaults.compression.type: required: the compression codec name
            { 'defaults': { 'compression': { 'level': 3 } } } | rivven.json → defaults.compression.type: required: the compression codec name
            { 'defaults': { 'compression': { 'type': 3 } } } | rivven.json → defaults.compression.type: must be a string (the compression codec name), got 3
            { 'defaults': { 'compression': { 'type': 'LZ4' } } } | rivven.json → defaults.compression.type: must be a compression codec name: a lowercase letter, then lowercase letters, digits or '-' (at most 32), got "LZ4"
            { 'defaults': { 'compression': 'Zstd' } } | rivven.json → defaults.compression: must be a compression codec name: a lowercase letter, then lowercase letters, digits or '-' (at most 32), got "Zstd"
            { 'defaults': { 'compression': 4 } } | rivven.json → defaults.compression: must be an object {"type": <compression codec name>, …options} or a compression codec name, got 4
            { 'io': [] } | rivven.json → io: must be an object {"type": <I/O backend name>, …options} or a I/O backend name, got an array
            { 'defaults': { 'indexes': { 'type': 'bloom' } } } | rivven.json → defaults.indexes: must be an array, got an object
            { 'defaults': { 'indexes': [ { 'type': 'bloom' }, {} ] } } | rivven.json → defaults.indexes[1].type: required: the index type name
            { 'tiered': { 'cold': { 'type': '' } } } | rivven.json → tiered.cold.type: must be a cold store name: a lowercase letter, then lowercase letters, digits or '-' (at most 32), got ""
            { 'defaults': { 'compression': { 'type': 'x', 'n': 1e999 } } } | rivven.json → defaults.compression.n: number out of range, got Infinity
            { 'defaults': { 'compression': { 'type': 'x', 'n': 99999999999999999999 } } } | rivven.json → defaults.compression.n: integer out of range, got 99999999999999999999
            """)
    void pluginObjects(String json, String message) {
        assertEquals(message, error(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            { 'topics': { 'a/b': {} } } | rivven.json → topics["a/b"]: invalid topic name "a/b": a topic name is 1-249 characters from A-Z a-z 0-9 . _ - and not "." or ".."
            { 'topics': { '': {} } } | rivven.json → topics[""]: invalid topic name "": a topic name is 1-249 characters from A-Z a-z 0-9 . _ - and not "." or ".."
            { 'topics': { '..': {} } } | rivven.json → topics[".."]: invalid topic name "..": a topic name is 1-249 characters from A-Z a-z 0-9 . _ - and not "." or ".."
            { 'topics': { '__consumer_offsets': {} } } | rivven.json → topics.__consumer_offsets: invalid topic name "__consumer_offsets": names starting with __ are reserved for internal topics
            """)
    void invalidTopicNames(String json, String message) {
        assertEquals(message, error(json));
    }

    @Test
    void duplicateKeysFailWithPathAndPosition() {
        assertEquals("rivven.json → topics.orders.partitions (line 3, column 28): duplicate key \"partitions\"; "
                        + "each key may appear once",
                error("{ 'topics': {\n  'orders': { 'partitions': 1,\n               'partitions': 2 } } }"));
        assertEquals("rivven.json → dataDir (line 1, column 28): duplicate key \"dataDir\"; each key may appear once",
                error("{ 'dataDir': 'a', 'dataDir': 'b' }"));
    }

    @Test
    void aSyntaxErrorUnderADigitsOnlyTopicNameNamesTheKeyNotAnArrayIndex() {
        // "2024" is a valid topic name; the binder writes its path topics["2024"], and so must the parser's errors
        assertEquals("rivven.json → topics[\"2024\"].partitions (line 1, column 54): duplicate key \"partitions\"; "
                        + "each key may appear once",
                error("{ 'topics': { '2024': { 'partitions': 1, 'partitions': 2 } } }"));
        String m = error("{ 'pluginDirs': [ 'a', 'b',, ] }");
        assertTrue(m.startsWith("rivven.json → pluginDirs[2] (line 1, column 28): invalid JSON: "), m);
    }

    @Test
    void syntaxErrorsNamePathAndPosition() {
        String m = error("{ 'defaults': {\n  'partitions': 1,, } }");
        assertTrue(m.startsWith("rivven.json → defaults.partitions (line 2, column 19): invalid JSON: Unexpected character (','"), m);
        m = error("{ 'dataDir': tru }");
        assertTrue(m.startsWith("rivven.json → dataDir (line 1, column 14): invalid JSON: Unrecognized token 'tru'"), m);
        m = error("{ 'a': 1 } x");
        assertTrue(m.startsWith("rivven.json → (top level) (line 1, column 12): invalid JSON: "), m);
        m = error("{ 'dataDir': 'x'");
        assertTrue(m.startsWith("rivven.json → dataDir (line 1, column "), m);
        assertTrue(m.endsWith("invalid JSON: Unexpected end-of-input: expected close marker for Object"), m);
        assertFalse(m.contains("Source") || m.contains("REDACTED") || m.contains("#UNKNOWN"), "the parser's own location noise: " + m);
    }

    /** A secret written without quotes is a syntax error; the token must not be echoed (nor kept in the cause). */
    @Test
    void anUnquotedSecretIsNotEchoedInTheSyntaxError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidatorTest.parse(
                "{ 'tiered': { 'cold': { 'type': 's3', 'accountKey': abcSECRET123 } } }"));
        assertEquals("rivven.json → tiered.cold.accountKey (line 1, column 53): invalid JSON: Unrecognized token '******': "
                + "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("abcSECRET123"), t.toString());
        }
    }

    @Test
    void emptyAndNonObjectFiles() {
        assertEquals("rivven.json → (top level): empty; a config file is a JSON object, e.g. {\"dataDir\": \"data\"}", error(""));
        assertEquals("rivven.json → (top level): empty; a config file is a JSON object, e.g. {\"dataDir\": \"data\"}", error("  \n"));
        assertEquals("rivven.json → (top level): must be an object, got an array", error("[]"));
        assertEquals("rivven.json → (top level): must be an object, got \"x\"", error("'x'"));
    }
}
