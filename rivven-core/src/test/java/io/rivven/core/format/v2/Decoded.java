package io.rivven.core.format.v2;

import io.rivven.api.BufferAllocator;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A decoded record with its offset; test helper. */
record Decoded(long offset, Record record) {

    static final CodecResolver CODECS = CodecResolver.of(DeflateTestCodec.INSTANCE);

    /** Validates the batch at {@code batch}'s position and decodes every record. */
    static List<Decoded> all(ByteBuffer batch) {
        RecordBatch b = RecordBatch.of(batch).ensureValid();
        List<Decoded> out = new ArrayList<>();
        try (RecordCursor c = b.records(CODECS, BufferAllocator.HEAP)) {
            while (c.next()) {
                out.add(new Decoded(c.offset(), c.toRecord()));
            }
        }
        return out;
    }

    static List<Record> records(ByteBuffer batch) {
        return all(batch).stream().map(Decoded::record).toList();
    }
}
