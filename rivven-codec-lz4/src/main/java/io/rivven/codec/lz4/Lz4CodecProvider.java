package io.rivven.codec.lz4;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/**
 * The {@code lz4} codec, Kafka id 3: the LZ4 frame format exactly as Kafka writes it.
 *
 * <p>Option {@code level}: 1 to 17, default 9, Kafka's range and default. As in Kafka, level 9
 * uses lz4's fast compressor and every other level the HC compressor at that level.
 *
 * <p>Stateless and thread-safe; codecs it creates are immutable and thread-safe.
 */
public final class Lz4CodecProvider implements CodecProvider {

    public static final String NAME = "lz4";
    public static final String LEVEL = "level";
    public static final int MIN_LEVEL = 1;
    public static final int MAX_LEVEL = 17;
    public static final int DEFAULT_LEVEL = 9;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte id() {
        return LZ4;
    }

    @Override
    public String description() {
        return "LZ4 frames (Kafka id 3), lz4-java; option level 1-17, default 9 (as Kafka)";
    }

    @Override
    public Codec create(PluginConfig config) {
        config.requireOnly(LEVEL);
        return new Lz4Codec(config.getInt(LEVEL, DEFAULT_LEVEL, MIN_LEVEL, MAX_LEVEL));
    }
}
