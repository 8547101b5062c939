package io.rivven.core.plugin;

import io.rivven.api.BufferAllocator;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.tier.ColdStore;
import io.rivven.api.tier.ColdStoreProvider;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Fake providers of every SPI for registry, loader and config tests. */
public final class Fakes {

    private Fakes() {
    }

    /** A codec that copies bytes; accepts a {@code level} 1..9 option. */
    public static final class FakeCodecProvider implements CodecProvider {
        private final String name;
        private final byte id;
        private final boolean requiresOption;
        public final AtomicInteger created = new AtomicInteger();

        public FakeCodecProvider(String name, int id) {
            this(name, id, false);
        }

        public FakeCodecProvider(String name, int id, boolean requiresOption) {
            this.name = name;
            this.id = (byte) id;
            this.requiresOption = requiresOption;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public byte id() {
            return id;
        }

        @Override
        public Codec create(PluginConfig config) {
            config.requireOnly("level");
            config.getInt("level", 1, 1, 9);
            if (requiresOption) {
                config.requireString("level");
            }
            created.incrementAndGet();
            return new Codec() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public byte id() {
                    return id;
                }

                @Override
                public int maxCompressedLength(int sourceLength) {
                    return sourceLength;
                }

                @Override
                public int compress(ByteBuffer src, ByteBuffer dst) {
                    int n = src.remaining();
                    dst.put(src);
                    return n;
                }

                @Override
                public ByteBuffer decompress(ByteBuffer src, BufferAllocator allocator) {
                    ByteBuffer out = allocator.allocate(src.remaining());
                    return out.put(src).flip();
                }
            };
        }
    }

    /** An I/O backend provider whose support is configurable; create() is never expected. */
    public static final class FakeIoProvider implements IoBackendProvider {
        private final String name;
        private final boolean supported;

        public FakeIoProvider(String name, boolean supported) {
            this.name = name;
            this.supported = supported;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean isSupported() {
            return supported;
        }

        @Override
        public String unsupportedReason() {
            return supported ? "" : "needs Linux >= 5.6";
        }

        @Override
        public IoBackend create(PluginConfig config) {
            throw new UnsupportedOperationException("fake");
        }
    }

    /** A cold store provider with secret keys; requires {@code bucket}, accepts {@code secretKey} and {@code region}. */
    public static final class FakeColdProvider implements ColdStoreProvider {
        private final String name;
        public final AtomicInteger closed = new AtomicInteger();

        public FakeColdProvider(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> secretKeys() {
            return Set.of("secretKey");
        }

        @Override
        public ColdStore create(PluginConfig config) {
            config.requireOnly("bucket", "secretKey", "region");
            config.requireString("bucket");
            return (ColdStore) java.lang.reflect.Proxy.newProxyInstance(ColdStore.class.getClassLoader(),
                    new Class<?>[] {ColdStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            closed.incrementAndGet();
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    /** An index provider accepting a {@code fpp} option between 0 and 1 (as an integer percent 1..50). */
    public static final class FakeIndexProvider implements IndexProvider {
        private final String name;
        private final String suffix;

        public FakeIndexProvider(String name, String suffix) {
            this.name = name;
            this.suffix = suffix;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String fileSuffix() {
            return suffix;
        }

        @Override
        public void validate(PluginConfig config) {
            config.requireOnly("percent");
            config.getInt("percent", 1, 1, 50);
        }

        @Override
        public SegmentIndex create(IndexContext context, PluginConfig config) {
            throw new UnsupportedOperationException("fake");
        }
    }

    /** A source in plugin folder {@code folder}. */
    public static PluginSource folder(String folder, String module) {
        return new PluginSource(PluginSource.Kind.MODULE_LAYER, Path.of(folder), module, Path.of(folder, module + ".jar"));
    }

    /** gzip, lz4, none, snappy, zstd with Kafka's ids. */
    public static Plugins.Builder standardCodecs() {
        return Plugins.builder()
                .add(new FakeCodecProvider("none", 0))
                .add(new FakeCodecProvider("gzip", 1))
                .add(new FakeCodecProvider("snappy", 2))
                .add(new FakeCodecProvider("lz4", 3))
                .add(new FakeCodecProvider("zstd", 4));
    }
}
