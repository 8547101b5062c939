/** The {@code gzip} batch compression codec (Kafka codec id and framing). */
module io.rivven.codec.gzip {
    requires io.rivven.api;

    provides io.rivven.api.codec.CodecProvider with io.rivven.codec.gzip.GzipCodecProvider;
}
