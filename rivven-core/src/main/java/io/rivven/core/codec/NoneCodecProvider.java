package io.rivven.core.codec;

import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;

/** The built-in {@code none} codec: id 0, batches stored uncompressed. */
public final class NoneCodecProvider implements CodecProvider {

    @Override
    public String name() {
        return NoneCodec.NAME;
    }

    @Override
    public byte id() {
        return NONE;
    }

    @Override
    public String description() {
        return "no compression (Kafka id 0)";
    }

    @Override
    public Codec create(PluginConfig config) {
        config.requireOnly();
        return NoneCodec.INSTANCE;
    }
}
