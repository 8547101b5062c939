package io.rivven.core.log;

import io.rivven.api.PluginConfig;
import io.rivven.api.index.BatchInfo;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.KeyLookup;
import io.rivven.api.index.SegmentIndex;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A test-only index type: the exact set of keys in a segment ({@code <base>.keys}), answering
 * {@link KeyLookup} without false positives, so tests can tell exactly which batches it saw. With
 * the option {@code "refuse": K} its {@link SegmentIndex#append} throws when a batch holds key K,
 * as a plugin that cannot handle a batch would.
 *
 * <p>File: {@code "RKS1"}, then per batch {@code lastOffset: int64, keyCount: int32} and each key
 * as {@code length: int32, bytes}. Written by {@link SegmentIndex#flush}, {@code seal} and {@code close}.
 */
final class KeySetIndexProvider implements IndexProvider {

    static final String NAME = "keyset";
    static final String SUFFIX = "keys";
    private static final int MAGIC = 0x524b5331; // "RKS1"

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String fileSuffix() {
        return SUFFIX;
    }

    @Override
    public void validate(PluginConfig config) {
        config.requireOnly("refuse");
    }

    @Override
    public SegmentIndex create(IndexContext context, PluginConfig config) throws IOException {
        validate(config);
        return new KeySetIndex(context, config.getString("refuse", null));
    }

    /** The keys of the file, as UTF-8 strings, or throws if it is missing or damaged. */
    static Set<String> keysIn(Path file) throws IOException {
        Set<String> keys = new TreeSet<>();
        for (List<String> batch : read(file).values()) {
            keys.addAll(batch);
        }
        return keys;
    }

    private static TreeMap<Long, List<String>> read(Path file) throws IOException {
        TreeMap<Long, List<String>> batches = new TreeMap<>();
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            return batches;
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new CorruptIndexException(file + ": bad magic");
            }
            while (in.available() > 0) {
                long last = in.readLong();
                int n = in.readInt();
                if (n < 0 || n > bytes.length) {
                    throw new CorruptIndexException(file + ": bad key count " + n);
                }
                List<String> keys = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int len = in.readInt();
                    if (len < 0 || len > in.available()) {
                        throw new CorruptIndexException(file + ": bad key length " + len);
                    }
                    keys.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
                }
                if (!batches.isEmpty() && last <= batches.lastKey()) {
                    throw new CorruptIndexException(file + ": batches out of order");
                }
                batches.put(last, keys);
            }
        } catch (java.io.EOFException e) {
            throw new CorruptIndexException(file + ": truncated");
        }
        return batches;
    }

    private static final class KeySetIndex implements SegmentIndex, KeyLookup {
        private final IndexContext context;
        private final String refuse;
        private final TreeMap<Long, List<String>> batches;
        private final Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile CorruptIndexException damage;
        private boolean dirty;
        private boolean sealed;

        KeySetIndex(IndexContext context, String refuse) throws IOException {
            this.context = context;
            this.refuse = refuse;
            Path file = context.file();
            TreeMap<Long, List<String>> loaded = new TreeMap<>();
            if (Files.exists(file)) {
                try {
                    loaded = read(file);
                } catch (CorruptIndexException e) {
                    damage = e; // reported by sanityCheck
                }
            } else if (context.writable()) {
                Files.write(file, new byte[0]);
            } else {
                throw new NoSuchFileException(file.toString());
            }
            this.batches = loaded;
            loaded.values().forEach(keys::addAll);
        }

        @Override
        public void append(BatchInfo batch) {
            List<String> found = new ArrayList<>();
            batch.forEachKey(k -> found.add(k == null ? "" : StandardCharsets.UTF_8.decode(k.duplicate()).toString()));
            if (refuse != null && found.contains(refuse)) {
                throw new IllegalArgumentException(context.file() + ": refusing the batch at offset " + batch.baseOffset()
                        + " (key '" + refuse + "')");
            }
            batches.put(batch.lastOffset(), found);
            keys.addAll(found);
            dirty = true;
        }

        @Override
        public boolean mightContain(ByteBuffer key) {
            return keys.contains(StandardCharsets.UTF_8.decode(key.duplicate()).toString());
        }

        @Override
        public boolean isFull() {
            return false;
        }

        @Override
        public void truncateTo(long offset) {
            batches.tailMap(offset, true).clear();
            keys.clear();
            batches.values().forEach(keys::addAll);
            dirty = true;
        }

        @Override
        public void reset() {
            batches.clear();
            keys.clear();
            damage = null;
            dirty = true;
        }

        @Override
        public void seal() throws IOException {
            flush();
            sealed = true;
        }

        @Override
        public void flush() throws IOException {
            if (!dirty || !context.writable() || sealed) {
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(MAGIC);
                for (var e : batches.entrySet()) {
                    out.writeLong(e.getKey());
                    out.writeInt(e.getValue().size());
                    for (String k : e.getValue()) {
                        byte[] b = k.getBytes(StandardCharsets.UTF_8);
                        out.writeInt(b.length);
                        out.write(b);
                    }
                }
            }
            Files.write(context.file(), bytes.toByteArray());
            dirty = false;
        }

        @Override
        public void sanityCheck() throws CorruptIndexException {
            if (damage != null) {
                throw damage;
            }
        }

        @Override
        public long sizeInBytes() {
            try {
                return Files.size(context.file());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        @Override
        public String toString() {
            return "KeySetIndex[" + context.file().getFileName() + ", " + keys.size() + " keys]";
        }
    }
}
