package io.rivven.codec.snappy;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/**
 * The {@code snappy} codec, Kafka id 2: snappy in snappy-java's stream framing, as Kafka writes it.
 * No options (Kafka has none for snappy either).
 *
 * <p>Stateless and thread-safe; the codec it creates is immutable and thread-safe.
 */
public final class SnappyCodecProvider implements CodecProvider {

    public static final String NAME = "snappy";

    private static final SnappyCodec CODEC = new SnappyCodec();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte id() {
        return SNAPPY;
    }

    @Override
    public String description() {
        return "Snappy in xerial stream framing (Kafka id 2), snappy-java; no options";
    }

    @Override
    public Codec create(PluginConfig config) {
        config.requireOnly();
        return CODEC;
    }
}
