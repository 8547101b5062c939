package io.rivven.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.core.plugin.Fakes;
import io.rivven.core.plugin.Fakes.FakeColdProvider;
import io.rivven.core.plugin.Plugins;
import org.junit.jupiter.api.Test;

class ConfigPrinterTest {

    static final String WITH_SECRETS = """
            { "tiered": { "preset": "testing",
                          "cold": { "type": "fs", "bucket": "b", "secretKey": "hunter2", "region": "eu" } },
              "topics": { "orders": { "partitions": 4,
                                      "compression": { "type": "zstd", "level": 3, "password": "pw1" } } } }""";

    final Plugins plugins = Fakes.standardCodecs().add(new FakeColdProvider("fs")).build();

    @Test
    void secretsOfKnownPluginsAreMasked() {
        String json = ConfigPrinter.toJson(RivvenConfig.parse(WITH_SECRETS, "rivven.json"), plugins);
        assertFalse(json.contains("hunter2"), json);
        assertTrue(json.contains("\"secretKey\" : \"******\""), json);
        assertTrue(json.contains("\"region\" : \"eu\""), json);
        assertTrue(json.contains("\"bucket\" : \"b\""), json);
        // zstd is installed and declares no secrets: its options are printed as they are
        assertTrue(json.contains("\"password\" : \"pw1\""), json);
    }

    @Test
    void optionsOfUnknownPluginsThatLookSecretAreMasked() {
        String json = ConfigPrinter.toJson(RivvenConfig.parse(WITH_SECRETS, "rivven.json"), Plugins.of());
        assertFalse(json.contains("hunter2"), json);
        assertFalse(json.contains("pw1"), json);
        assertTrue(json.contains("\"region\" : \"eu\""), json);
        assertTrue(json.contains("\"level\" : 3"), json);
        String noRegistry = ConfigPrinter.toJson(RivvenConfig.parse(WITH_SECRETS, "rivven.json"), null);
        assertFalse(noRegistry.contains("hunter2") || noRegistry.contains("pw1"), noRegistry);
    }

    @Test
    void toStringNeverShowsOptionValues() {
        String s = RivvenConfig.parse(WITH_SECRETS, "rivven.json").toString();
        assertFalse(s.contains("hunter2") || s.contains("pw1"), s);
    }

    @Test
    void printedConfigIsAValidConfigThatPrintsTheSame() {
        RivvenConfig c = RivvenConfig.parse(WITH_SECRETS, "rivven.json");
        String once = ConfigPrinter.toJson(c, plugins);
        RivvenConfig again = RivvenConfig.parse(once, "printed.json");
        assertEquals(once, ConfigPrinter.toJson(again, plugins));
        assertEquals(c.defaults().flush(), again.defaults().flush());
        assertEquals(c.topics().get("orders").segment(), again.topics().get("orders").segment());
        assertEquals(c.tiered().hot(), again.tiered().hot());
        assertEquals(c.tiered().preset(), again.tiered().preset());
    }

    @Test
    void effectiveConfigShowsEveryDefault() {
        String json = ConfigPrinter.toJson(RivvenConfig.embeddedDefault(), plugins);
        for (String key : new String[] {"\"dataDir\" : \"data\"", "\"pluginDirs\" : [ \"plugins\" ]", "\"type\" : \"nio\"",
                "\"type\" : \"lz4\"", "\"bytes\" : 1073741824", "\"indexIntervalBytes\" : 4096", "\"cleanupPolicy\" : \"delete\"",
                "\"mode\" : \"interval\"", "\"enabled\" : false", "\"topics\" : { }"}) {
            assertTrue(json.contains(key), key + " in\n" + json);
        }
    }

    @Test
    void secretsNestedInOptionsOfUnknownPluginsAreMasked() {
        String json = ConfigPrinter.toJson(RivvenConfig.parse("""
                { "tiered": { "cold": { "type": "s3x", "auth": { "user": "me", "password": "pw-nested" },
                                        "endpoints": [ { "apiKey": "k-in-list" } ] } } }""", "rivven.json"), Plugins.of());
        assertFalse(json.contains("pw-nested") || json.contains("k-in-list"), json);
        assertTrue(json.contains("\"user\" : \"me\""), json);
    }
}
