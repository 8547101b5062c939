package io.rivven.codec.zstd;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/**
 * The {@code zstd} codec, Kafka id 4: standard Zstandard frames through zstd-jni.
 *
 * <p>Option {@code level}: -131072 to 22, default 3, Kafka's range and default (negative levels
 * trade ratio for speed; 0 means zstd's default, 3; 20 to 22 need much more memory).
 *
 * <p>Stateless and thread-safe; codecs it creates are immutable and thread-safe.
 */
public final class ZstdCodecProvider implements CodecProvider {

    public static final String NAME = "zstd";
    public static final String LEVEL = "level";
    /** {@code ZSTD_minCLevel()}, the bottom of Kafka's range. */
    public static final int MIN_LEVEL = -131072;
    public static final int MAX_LEVEL = 22;
    public static final int DEFAULT_LEVEL = 3;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte id() {
        return ZSTD;
    }

    @Override
    public String description() {
        return "Zstandard (Kafka id 4), zstd-jni; option level -131072 to 22, default 3 (as Kafka)";
    }

    @Override
    public Codec create(PluginConfig config) {
        config.requireOnly(LEVEL);
        return new ZstdCodec(config.getInt(LEVEL, DEFAULT_LEVEL, MIN_LEVEL, MAX_LEVEL));
    }
}
