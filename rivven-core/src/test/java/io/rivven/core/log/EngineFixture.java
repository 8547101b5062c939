package io.rivven.core.log;

import io.rivven.core.config.RivvenConfig;
import io.rivven.core.plugin.PluginLoader;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.record.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Builds engines over a temp directory for the log tests. */
final class EngineFixture {

    static final Plugins PLUGINS = PluginLoader.create().load();
    static final long T0 = 1_700_000_000_000L;

    final Path dataDir;
    final AtomicLong clock = new AtomicLong(T0);
    private String defaults = "";

    EngineFixture(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** {@code json} is the inside of the "defaults" object, e.g. {@code "flush": {"mode": "os"}}. */
    EngineFixture defaults(String json) {
        this.defaults = json;
        return this;
    }

    RivvenConfig config() {
        String json = "{\"dataDir\": \"" + dataDir.toString().replace("\\", "\\\\") + "\", \"pluginDirs\": [],"
                + " \"io\": {\"type\": \"nio\"}, \"defaults\": {\"compression\": {\"type\": \"none\"}"
                + (defaults.isEmpty() ? "" : ", " + defaults) + "}}";
        return RivvenConfig.parse(json, "test.json");
    }

    StorageEngine open() throws IOException {
        return StorageEngine.builder(config()).plugins(PLUGINS).clock(clock::get).open();
    }

    /** {@code count} records numbered from {@code from}: key "key-i", value "value-i-..." of about {@code valueSize} bytes. */
    static List<Record> records(int from, int count, int valueSize) {
        List<Record> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            out.add(Record.of(T0 + i, "key-" + i, valueOf(i, valueSize)));
        }
        return out;
    }

    static String valueOf(int i, int valueSize) {
        StringBuilder sb = new StringBuilder("value-").append(i).append('-');
        while (sb.length() < valueSize) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        return sb.toString();
    }

    static String string(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }
}
