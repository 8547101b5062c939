package io.rivven.codec.snappy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/** Kafka's own compression streams, exactly as its record batch builder and reader use them. */
final class KafkaStreams {

    private KafkaStreams() {
    }

    static byte[] compress(Compression compression, byte[] data) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(64);
        try (OutputStream out = compression.wrapForOutput(buffer, RecordBatch.CURRENT_MAGIC_VALUE)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer written = buffer.buffer().flip();
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    static byte[] decompress(Compression compression, byte[] compressed) {
        try (InputStream in = compression.wrapForInput(ByteBuffer.wrap(compressed), RecordBatch.CURRENT_MAGIC_VALUE,
                BufferSupplier.create())) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
