/** The {@code zstd} batch compression codec (Kafka codec id and framing). */
module io.rivven.codec.zstd {
    requires io.rivven.api;
    requires com.github.luben.zstd_jni;
    provides io.rivven.api.codec.CodecProvider with io.rivven.codec.zstd.ZstdCodecProvider;
}
