package io.rivven.cli.dump;

import io.rivven.api.BufferAllocator;
import io.rivven.core.format.v2.CodecResolver;
import io.rivven.core.format.v2.RecordBatch;
import io.rivven.core.format.v2.RecordBatchLayout;
import io.rivven.core.format.v2.RecordCursor;
import io.rivven.core.plugin.CodecRegistry;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Header;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Prints the batches of a {@code .log} segment file, as Kafka's {@code kafka-dump-log} does: one
 * line per batch (offsets, position, size, codec, CRC validity, record count, max timestamp), the
 * records under it when asked, then a summary.
 *
 * <p>Damage: a batch whose CRC does not match is printed with {@code crcValid: false} and the scan
 * goes on (its length field is trusted when it is plausible). The scan stops, with a line saying
 * where and why, at a torn tail (fewer bytes left than the batch or a header needs) or at garbage
 * (a length no batch can have, a magic byte other than 2). The buffer is only read.
 *
 * <p>Not thread-safe; one instance per dump.
 */
public final class LogDump {

    private final PrintWriter out;
    private final CodecRegistry codecs;
    private final boolean printRecords;
    private final int maxBatchSize;

    /**
     * @param codecs       names codec ids and decodes compressed batches (for {@code printRecords})
     * @param maxBatchSize the largest plausible batch
     */
    public LogDump(PrintWriter out, CodecRegistry codecs, boolean printRecords, int maxBatchSize) {
        this.out = out;
        this.codecs = codecs;
        this.printRecords = printRecords;
        this.maxBatchSize = maxBatchSize;
    }

    /** What a dump found. */
    public record Summary(int batches, long records, int badCrc, long validBytes, long fileBytes, String stoppedAt) {
        /** Whether the file is a clean sequence of valid batches. */
        public boolean clean() {
            return badCrc == 0 && stoppedAt == null;
        }
    }

    /** Dumps {@code file}, whose bytes are {@code data} (position 0 = file position 0). */
    public Summary dump(Path file, ByteBuffer data) {
        out.println("Dumping " + file + " (" + data.remaining() + " bytes)");
        int pos = 0;
        int limit = data.limit();
        int batches = 0;
        int bad = 0;
        long records = 0;
        long validBytes = 0;
        String stopped = null;
        RecordBatch batch = new RecordBatch();
        CodecResolver resolver = codecs::forId;
        try (RecordCursor cursor = new RecordCursor(resolver, BufferAllocator.HEAP)) {
            while (pos < limit) {
                int left = limit - pos;
                if (left < RecordBatchLayout.LOG_OVERHEAD) {
                    stopped = "torn tail at position " + pos + ": " + left + " bytes, less than a batch's "
                            + RecordBatchLayout.LOG_OVERHEAD + "-byte offset and length fields";
                    break;
                }
                int length = RecordBatchLayout.batchLength(data, pos);
                long size = (long) length + RecordBatchLayout.LOG_OVERHEAD;
                if (length < RecordBatchLayout.MIN_BATCH_LENGTH || size > maxBatchSize) {
                    stopped = "garbage at position " + pos + ": batchLength " + length + " is not a plausible batch length ("
                            + RecordBatchLayout.MIN_BATCH_LENGTH + ".." + (maxBatchSize - RecordBatchLayout.LOG_OVERHEAD) + ")";
                    break;
                }
                if (left >= RecordBatchLayout.HEADER_LENGTH_UP_TO_MAGIC && RecordBatchLayout.magic(data, pos) != RecordBatchLayout.MAGIC) {
                    stopped = "garbage at position " + pos + ": magic " + RecordBatchLayout.magic(data, pos)
                            + ", expected " + RecordBatchLayout.MAGIC;
                    break;
                }
                if (size > left) {
                    stopped = "torn tail at position " + pos + ": the batch there claims " + size + " bytes, "
                            + left + " are left";
                    break;
                }
                batch.wrap(data, pos, pos);
                long stored = batch.checksum();
                long computed = batch.computeChecksum();
                boolean valid = stored == computed;
                batches++;
                if (valid) {
                    records += batch.recordCount();
                    validBytes = pos + size;
                } else {
                    bad++;
                }
                printBatch(batch, stored, computed);
                if (printRecords) {
                    printRecords(cursor, batch);
                }
                pos += (int) size;
            }
        }
        Summary s = new Summary(batches, records, bad, validBytes, limit, stopped);
        if (stopped != null) {
            out.println("STOPPED: " + stopped + "; the bytes from there on are not batches (recovery truncates them)");
        }
        out.println(batches + (batches == 1 ? " batch, " : " batches, ") + records + " records in valid batches, " + bad + " with a bad CRC; "
                + validBytes + " of " + limit + " bytes are valid batches");
        out.flush();
        return s;
    }

    private void printBatch(RecordBatch b, long stored, long computed) {
        StringBuilder sb = new StringBuilder(200);
        sb.append("baseOffset: ").append(b.baseOffset())
                .append(" lastOffset: ").append(b.lastOffset())
                .append(" count: ").append(b.recordCount())
                .append(" position: ").append(b.position())
                .append(" size: ").append(b.sizeInBytes())
                .append(" codec: ").append(codecName(b.codecId()))
                .append(" crc: ").append(hex(stored))
                .append(" crcValid: ").append(stored == computed);
        if (stored != computed) {
            sb.append(" (computed ").append(hex(computed)).append(')');
        }
        sb.append(" maxTimestamp: ").append(b.maxTimestamp())
                .append(" timestampType: ").append(b.timestampType().name().toLowerCase(java.util.Locale.ROOT));
        if (b.producerId() != RecordBatchLayout.NO_PRODUCER_ID) {
            sb.append(" producerId: ").append(b.producerId()).append(" producerEpoch: ").append(b.producerEpoch())
                    .append(" baseSequence: ").append(b.baseSequence());
        }
        if (b.isTransactional()) {
            sb.append(" transactional: true");
        }
        if (b.isControlBatch()) {
            sb.append(" control: true");
        }
        if (b.hasDeleteHorizon()) {
            sb.append(" deleteHorizonMs: ").append(b.deleteHorizonMs());
        }
        out.println(sb);
    }

    private void printRecords(RecordCursor cursor, RecordBatch batch) {
        StringBuilder sb = new StringBuilder(256);
        try {
            cursor.reset(batch);
            while (cursor.next()) {
                sb.setLength(0);
                sb.append("| offset: ").append(cursor.offset())
                        .append(" timestamp: ").append(cursor.timestamp())
                        .append(" keySize: ").append(cursor.keySize())
                        .append(" valueSize: ").append(cursor.valueSize());
                if (cursor.headerCount() > 0) {
                    sb.append(" headers: [");
                    List<Header> headers = cursor.headers();
                    for (int i = 0; i < headers.size(); i++) {
                        Header h = headers.get(i);
                        sb.append(i == 0 ? "" : ", ");
                        escape(sb, h.key());
                        sb.append('=');
                        ByteBuffer v = h.value();
                        if (v == null) {
                            sb.append("null");
                        } else {
                            escape(sb, utf8(v));
                        }
                    }
                    sb.append(']');
                }
                sb.append(" key: ");
                appendPayload(sb, cursor.key());
                sb.append(" value: ");
                appendPayload(sb, cursor.value());
                out.println(sb);
            }
        } catch (CorruptRecordException e) {
            out.println("| records cannot be decoded: " + e.getMessage());
        } catch (RuntimeException e) {
            out.println("| records cannot be decoded: " + e);
        }
    }

    private String codecName(byte id) {
        return codecs.providerForId(id).map(p -> p.name()).orElse("id " + id + " (not installed)");
    }

    private static void appendPayload(StringBuilder sb, ByteBuffer b) {
        if (b == null) {
            sb.append("null");
        } else {
            escape(sb, utf8(b));
        }
    }

    private static String utf8(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** Appends {@code s} with control characters escaped ({@code \n}, {@code \t}, {@code \r}, {@code \\}, {@code \}{@code uXXXX}). */
    static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    static String hex(long crc) {
        return String.format("0x%08x", crc);
    }
}
