package io.rivven.codec.gzip;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/**
 * The {@code gzip} codec, Kafka id 1: the gzip member format through the JDK's zlib.
 *
 * <p>Option {@code level}: 1 (fastest) to 9 (smallest), default 6. Kafka's default gzip level is
 * {@code -1} ({@code Deflater.DEFAULT_COMPRESSION}), which zlib maps to 6, so the default writes
 * the same bytes as Kafka's default.
 *
 * <p>Stateless and thread-safe; codecs it creates are immutable and thread-safe.
 */
public final class GzipCodecProvider implements CodecProvider {

    public static final String NAME = "gzip";
    public static final String LEVEL = "level";
    public static final int MIN_LEVEL = 1;
    public static final int MAX_LEVEL = 9;
    public static final int DEFAULT_LEVEL = 6;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte id() {
        return GZIP;
    }

    @Override
    public String description() {
        return "gzip (Kafka id 1), JDK zlib; option level 1-9, default 6 (as Kafka)";
    }

    @Override
    public Codec create(PluginConfig config) {
        config.requireOnly(LEVEL);
        return new GzipCodec(config.getInt(LEVEL, DEFAULT_LEVEL, MIN_LEVEL, MAX_LEVEL));
    }
}
