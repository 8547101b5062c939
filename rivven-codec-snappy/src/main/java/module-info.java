/** The {@code snappy} batch compression codec (Kafka codec id and framing). */
module io.rivven.codec.snappy {
    requires io.rivven.api;
    requires org.xerial.snappy;
    provides io.rivven.api.codec.CodecProvider with io.rivven.codec.snappy.SnappyCodecProvider;
}
