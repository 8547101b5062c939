/** The {@code lz4} batch compression codec (Kafka codec id and framing). */
module io.rivven.codec.lz4 {
    requires io.rivven.api;
    requires org.lz4.java;
    provides io.rivven.api.codec.CodecProvider with io.rivven.codec.lz4.Lz4CodecProvider;
}
