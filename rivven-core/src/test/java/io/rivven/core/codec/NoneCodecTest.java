package io.rivven.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.rivven.api.codec.CodecProvider;
import io.rivven.testkit.CodecContract;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The built-in {@code none} codec passes the contract every codec passes (as a pass-through format). */
class NoneCodecTest extends CodecContract {

    @Override
    protected CodecProvider provider() {
        return new NoneCodecProvider();
    }

    @Override
    protected boolean compresses() {
        return false;
    }

    /** No framing: any prefix of a stream is a valid stream. */
    @Override
    protected boolean detectsTruncation() {
        return false;
    }

    @Test
    void bytesPassThroughUnchanged() {
        byte[] data = "{\"id\": 1}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(data, compress(data));
        assertArrayEquals(data, decompress(data));
        assertSame(NoneCodec.INSTANCE, provider().create(config()));
    }
}
