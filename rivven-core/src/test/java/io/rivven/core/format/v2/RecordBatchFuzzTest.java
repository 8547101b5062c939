package io.rivven.core.format.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.api.codec.Codec;
import io.rivven.core.record.CorruptRecordException;
import io.rivven.core.record.Header;
import io.rivven.core.record.Record;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deterministic fuzzing of the batch reader ({@link RecordBatch#ensureValid}, {@link RecordCursor},
 * {@link RecordBatchReader}) with valid batches mutated at random: bit flips, replaced bytes, record
 * fields re-encoded as hostile varints (huge, negative, 6+ bytes), truncations and insertions,
 * record counts and offset deltas that disagree. The CRC is recomputed after most mutations so that
 * the damage reaches the record parser, and compressed batches are rebuilt from a mutated records
 * section so that it reaches the parser behind the codec too.
 *
 * <p>The oracle is a plain reference decoder of the format written here from the spec: when it
 * accepts, the cursor must return exactly its records; when it rejects, the cursor must throw
 * {@link CorruptRecordException} naming the batch's position. Any other throwable (index out of
 * bounds, negative array size, out of memory…) fails the test with the seed and the bytes.
 *
 * <p>Fixed seeds and bounded iterations; the timeout only guards against an endless loop.
 */
@Timeout(120)
class RecordBatchFuzzTest {

    private static final int AT = 37;           // the batch's index in its buffer
    private static final long POSITION = 81_920; // the position error messages must name
    private static final Codec DEFLATE = DeflateTestCodec.INSTANCE;
    private static final CodecResolver CODECS = CodecResolver.of(DEFLATE);

    // ---------------------------------------------------------------- valid batches to mutate

    private static List<Record> records(SplittableRandom random) {
        int n = 1 + random.nextInt(6);
        List<Record> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Record.Builder b = Record.builder().timestamp(1_000_000 + random.nextInt(-100_000, 100_000));
            switch (random.nextInt(4)) {
                case 0 -> { } // null key
                case 1 -> b.key(new byte[0]);
                default -> b.key(bytes(random, random.nextInt(1, 40)));
            }
            if (random.nextInt(6) != 0) {
                b.value(bytes(random, random.nextBoolean() ? random.nextInt(20) : random.nextInt(100, 400)));
            }
            int headers = random.nextInt(4) == 0 ? 0 : random.nextInt(4);
            for (int h = 0; h < headers; h++) {
                b.header(Header.of("h" + h, random.nextInt(5) == 0 ? null : bytes(random, random.nextInt(12))));
            }
            list.add(b.build());
        }
        return list;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** An uncompressed batch as an array of exactly its size. */
    private static byte[] uncompressedBatch(SplittableRandom random) {
        ByteBuffer b = RecordBatchWriter.encode(random.nextLong(0, 1L << 40), null, records(random));
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    // ---------------------------------------------------------------- the reference decoder

    /** Thrown by the reference decoder: the bytes break the format. */
    private static final class Invalid extends RuntimeException {
        Invalid(String why) {
            super(why, null, false, false);
        }
    }

    private record Rec(int offsetDelta, long timestampDelta, byte attributes, byte[] key, byte[] value, List<byte[][]> headers) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Rec r) || r.offsetDelta != offsetDelta || r.timestampDelta != timestampDelta
                    || r.attributes != attributes || !Arrays.equals(r.key, key) || !Arrays.equals(r.value, value)
                    || r.headers.size() != headers.size()) {
                return false;
            }
            for (int i = 0; i < headers.size(); i++) {
                if (!Arrays.equals(headers.get(i)[0], r.headers.get(i)[0]) || !Arrays.equals(headers.get(i)[1], r.headers.get(i)[1])) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return offsetDelta;
        }

        @Override
        public String toString() {
            return "Rec[delta=" + offsetDelta + ", ts=" + timestampDelta + ", key=" + (key == null ? null : key.length)
                    + ", value=" + (value == null ? null : value.length) + ", headers=" + headers.size() + "]";
        }
    }

    /** Decodes a records section straight from the spec, noting where each varint field starts and ends. */
    private static final class Reference {
        final byte[] b;
        int p;
        final int end;
        final List<int[]> varints = new ArrayList<>(); // {start, end} of every varint field

        Reference(byte[] b, int from, int to) {
            this.b = b;
            this.p = from;
            this.end = to;
        }

        long varint(int limit, int maxBytes) {
            int start = p;
            long v = 0;
            for (int i = 0; i < maxBytes; i++) {
                if (p >= limit) {
                    throw new Invalid("varint cut short");
                }
                int x = b[p++];
                v |= (long) (x & 0x7F) << (7 * i);
                if (x >= 0) {
                    varints.add(new int[] {start, p});
                    return maxBytes == 5 ? (long) Varints.unzigzag((int) v) : Varints.unzigzag(v);
                }
            }
            throw new Invalid("varint too long");
        }

        int int32(int limit) {
            return (int) varint(limit, 5);
        }

        byte[] bytes(int n, int limit) {
            if (n < -1 || n > limit - p) {
                throw new Invalid("length " + n);
            }
            if (n < 0) {
                return null;
            }
            byte[] a = Arrays.copyOfRange(b, p, p + n);
            p += n;
            return a;
        }

        List<Rec> decode(int count, int lastOffsetDelta) {
            if (count < 0 || lastOffsetDelta < 0 || count > (long) lastOffsetDelta + 1
                    || (long) count * RecordBatchLayout.MIN_RECORD_SIZE > end - p) {
                throw new Invalid("counts");
            }
            if (count == 0) {
                return List.of(); // as Kafka's DefaultRecordBatch: no records, the section is not read
            }
            List<Rec> out = new ArrayList<>();
            int previous = -1;
            for (int i = 0; i < count; i++) {
                int length = int32(end);
                if (length < RecordBatchLayout.MIN_RECORD_BODY_SIZE || length > end - p) {
                    throw new Invalid("record length " + length);
                }
                int bodyEnd = p + length;
                byte attributes = b[p++];
                long ts = varint(bodyEnd, 10);
                int delta = int32(bodyEnd);
                if (delta <= previous || delta > lastOffsetDelta) {
                    throw new Invalid("offsetDelta " + delta);
                }
                previous = delta;
                byte[] key = bytes(int32(bodyEnd), bodyEnd);
                byte[] value = bytes(int32(bodyEnd), bodyEnd);
                int headerCount = int32(bodyEnd);
                if (headerCount < 0 || headerCount > bodyEnd - p) {
                    throw new Invalid("headerCount " + headerCount);
                }
                List<byte[][]> headers = new ArrayList<>();
                for (int h = 0; h < headerCount; h++) {
                    int ks = int32(bodyEnd);
                    if (ks < 0) {
                        throw new Invalid("null header key");
                    }
                    byte[] k = bytes(ks, bodyEnd);
                    byte[] v = bytes(int32(bodyEnd), bodyEnd);
                    headers.add(new byte[][] {k, v});
                }
                if (p != bodyEnd) {
                    throw new Invalid("record length disagrees");
                }
                out.add(new Rec(delta, ts, attributes, key, value, headers));
            }
            if (p != end) {
                throw new Invalid("bytes after the last record");
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- running the reader

    /** A heap allocator that tracks the buffers it handed out and not got back. */
    private static final class Tracking implements BufferAllocator {
        final Map<ByteBuffer, Boolean> live = new IdentityHashMap<>();
        long largest;

        @Override
        public ByteBuffer allocate(int minCapacity) {
            largest = Math.max(largest, minCapacity);
            ByteBuffer b = ByteBuffer.allocate(minCapacity);
            live.put(b, true);
            return b;
        }

        @Override
        public void release(ByteBuffer buffer) {
            live.remove(buffer);
        }
    }

    /**
     * Validates and decodes the batch in {@code batch} (placed at {@link #AT} of a heap or direct
     * buffer): its records, or the {@link CorruptRecordException}. Any other throwable fails.
     */
    private static Object read(byte[] batch, boolean direct, boolean checkCrc, String what) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(AT + batch.length + 5) : ByteBuffer.allocate(AT + batch.length + 5);
        buffer.put(AT, batch).limit(AT + batch.length);
        Tracking allocator = new Tracking();
        RecordCursor cursor = new RecordCursor(CODECS, allocator, 1 << 20);
        try {
            RecordBatch view = new RecordBatch().wrap(buffer, AT, POSITION);
            if (checkCrc) {
                view.ensureValid();
            }
            List<Rec> out = new ArrayList<>();
            cursor.reset(view);
            while (cursor.next()) {
                out.add(toRec(cursor));
            }
            assertEquals(false, cursor.next(), what + ": next() after the end");
            return out;
        } catch (CorruptRecordException e) {
            assertEquals(POSITION, e.position(), what + ": exception position: " + e.getMessage());
            assertTrue(e.getMessage().contains("position " + POSITION), what + ": message does not name the position: "
                    + e.getMessage());
            assertTrue(e.field() != null && !e.field().isEmpty(), what + ": no field: " + e.getMessage());
            assertEquals(false, cursor.next(), what + ": next() after a failure");
            return e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected CorruptRecordException, got " + t + "\nbatch: "
                    + HexFormat.of().formatHex(batch), t);
        } finally {
            cursor.close();
            assertTrue(allocator.largest <= 1 << 20, what + ": a buffer of " + allocator.largest + " bytes was allocated");
            assertTrue(allocator.live.isEmpty(), what + ": " + allocator.live.size() + " decompression buffer(s) not released");
        }
    }

    private static Rec toRec(RecordCursor c) {
        Record r = c.toRecord(); // exercises the views and the header accessors
        List<byte[][]> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            byte[] k = new byte[h.keySize()];
            h.writeKeyTo(k, 0);
            h.key();
            headers.add(new byte[][] {k, h.valueBytes()});
        }
        return new Rec(c.offsetDelta(), c.timestampDelta(), c.attributes(), r.keyBytes(), r.valueBytes(), headers);
    }

    /** The reference decoder's verdict on an uncompressed batch (its records section is {@code plain}). */
    private static Object reference(byte[] header, byte[] plain) {
        ByteBuffer h = ByteBuffer.wrap(header);
        try {
            return new Reference(plain, 0, plain.length).decode(RecordBatchLayout.recordCount(h, 0),
                    RecordBatchLayout.lastOffsetDelta(h, 0));
        } catch (Invalid e) {
            return e;
        }
    }

    private static void compare(Object expected, Object actual, String what, byte[] batch) {
        if (expected instanceof List<?> e) {
            if (!(actual instanceof List<?> a)) {
                fail(what + ": the reference decoder accepts it, the reader fails: " + actual + "\nbatch: "
                        + HexFormat.of().formatHex(batch));
                return;
            }
            assertEquals(e, a, what + ": records differ\nbatch: " + HexFormat.of().formatHex(batch));
        } else if (actual instanceof List<?> a) {
            fail(what + ": the reference decoder rejects it (" + ((Invalid) expected).getMessage() + "), the reader returns "
                    + a + "\nbatch: " + HexFormat.of().formatHex(batch));
        }
    }

    // ---------------------------------------------------------------- building mutated batches

    /** A batch with {@code header}'s fields (61 bytes), {@code section} as its records, {@code codec} id; length and CRC fixed. */
    private static byte[] assemble(byte[] header, byte[] section, int codecId, boolean fixCrc) {
        byte[] out = Arrays.copyOf(header, RecordBatchLayout.HEADER_LENGTH + section.length);
        System.arraycopy(section, 0, out, RecordBatchLayout.HEADER_LENGTH, section.length);
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, out.length - RecordBatchLayout.LOG_OVERHEAD);
        short attributes = RecordBatchLayout.attributes(b, 0);
        b.putShort(RecordBatchLayout.ATTRIBUTES_OFFSET, (short) ((attributes & ~RecordBatchLayout.CODEC_MASK) | codecId));
        if (fixCrc) {
            RecordBatchLayout.putCrc(b, 0, RecordBatchLayout.computeCrc(b, 0, out.length));
        }
        return out;
    }

    private static byte[] compress(byte[] plain) {
        ByteBuffer dst = ByteBuffer.allocate(DEFLATE.maxCompressedLength(plain.length));
        DEFLATE.compress(ByteBuffer.wrap(plain), dst);
        return Arrays.copyOf(dst.array(), dst.position());
    }

    /** Hostile values for a varint field. */
    private static final int[] HOSTILE = {
        -1, -2, -3, 0, 1, 5, 6, 7, 127, 128, 8191, 8192, 1 << 20, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
        Integer.MIN_VALUE, Integer.MIN_VALUE + 1, 2_000_000_000, -2_000_000_000, 1 << 30
    };

    /** Replaces bytes [from, to) of {@code a} with {@code with}. */
    private static byte[] splice(byte[] a, int from, int to, byte[] with) {
        byte[] out = new byte[a.length - (to - from) + with.length];
        System.arraycopy(a, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(a, to, out, from + with.length, a.length - to);
        return out;
    }

    private static byte[] varint(long zigzagged, int minBytes) {
        byte[] out = new byte[10];
        int n = 0;
        long v = zigzagged;
        while ((v & ~0x7FL) != 0 || n + 1 < minBytes) {
            out[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[n++] = (byte) v;
        return Arrays.copyOf(out, n);
    }

    /** One random mutation of a records section whose varint fields are {@code fields}. */
    private static byte[] mutateSection(byte[] s, List<int[]> fields, SplittableRandom random, StringBuilder what) {
        int kind = random.nextInt(9);
        if (s.length == 0) {
            kind = 7;
        }
        switch (kind) {
            case 0 -> { // bit flips
                byte[] m = s.clone();
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(m.length);
                    int bit = random.nextInt(8);
                    m[at] ^= (byte) (1 << bit);
                    what.append("flip bit ").append(bit).append(" of byte ").append(at).append("; ");
                }
                return m;
            }
            case 1 -> { // a byte replaced
                byte[] m = s.clone();
                int at = random.nextInt(m.length);
                m[at] = (byte) random.nextInt(256);
                what.append("byte ").append(at).append(" = ").append(m[at]).append("; ");
                return m;
            }
            case 2, 3, 4 -> { // a varint field re-encoded with a hostile value (canonically or padded)
                int[] f = fields.get(random.nextInt(fields.size()));
                long value = random.nextInt(3) == 0 ? random.nextInt(-300, 300) : HOSTILE[random.nextInt(HOSTILE.length)];
                int minBytes = random.nextInt(4) == 0 ? random.nextInt(1, 6) : 1;
                byte[] enc = varint(Varints.zigzag((int) value) & 0xFFFFFFFFL, minBytes);
                what.append("varint field at ").append(f[0]).append(" = ").append(value).append(" in ").append(enc.length)
                        .append(" bytes; ");
                return splice(s, f[0], f[1], enc);
            }
            case 5 -> { // an over-long varint: 6 to 11 bytes with continuation bits
                int[] f = fields.get(random.nextInt(fields.size()));
                int n = 6 + random.nextInt(6);
                byte[] enc = new byte[n];
                Arrays.fill(enc, (byte) (0x80 | random.nextInt(128)));
                enc[n - 1] = (byte) random.nextInt(2); // ends, or not
                if (random.nextBoolean()) {
                    enc[n - 1] = (byte) 0x81;
                }
                what.append("over-long varint of ").append(n).append(" bytes at ").append(f[0]).append("; ");
                return splice(s, f[0], f[1], enc);
            }
            case 6 -> { // truncated
                int cut = random.nextInt(s.length);
                what.append("records section cut to ").append(cut).append("; ");
                return Arrays.copyOf(s, cut);
            }
            case 7 -> { // bytes inserted
                int at = s.length == 0 ? 0 : random.nextInt(s.length + 1);
                byte[] extra = bytes(random, 1 + random.nextInt(9));
                what.append(extra.length).append(" bytes inserted at ").append(at).append("; ");
                return splice(s, at, at, extra);
            }
            default -> { // bytes deleted
                int at = random.nextInt(s.length);
                int n = 1 + random.nextInt(Math.min(8, s.length - at));
                what.append(n).append(" bytes deleted at ").append(at).append("; ");
                return splice(s, at, at + n, new byte[0]);
            }
        }
    }

    /** Sometimes changes recordCount or lastOffsetDelta in the header. */
    private static void mutateCounts(byte[] header, SplittableRandom random, StringBuilder what) {
        ByteBuffer h = ByteBuffer.wrap(header);
        int r = random.nextInt(10);
        if (r == 0) {
            int count = RecordBatchLayout.recordCount(h, 0);
            int[] choices = {count - 1, count + 1, 0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, count * 2, 1 << 28};
            int c = choices[random.nextInt(choices.length)];
            h.putInt(RecordBatchLayout.RECORD_COUNT_OFFSET, c);
            what.append("recordCount = ").append(c).append("; ");
        } else if (r == 1) {
            int last = RecordBatchLayout.lastOffsetDelta(h, 0);
            int[] choices = {last - 1, last + 1, 0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
            int d = choices[random.nextInt(choices.length)];
            h.putInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, d);
            what.append("lastOffsetDelta = ").append(d).append("; ");
        }
    }

    // ---------------------------------------------------------------- the tests

    @Test
    void mutatedRecordsSectionsWithAValidCrcAreDecodedExactlyOrRejectedClearly() {
        SplittableRandom random = new SplittableRandom(0x5EED_0001L);
        int rejected = 0;
        int iterations = 4000;
        for (int i = 0; i < iterations; i++) {
            byte[] batch = uncompressedBatch(random);
            byte[] header = Arrays.copyOf(batch, RecordBatchLayout.HEADER_LENGTH);
            byte[] section = Arrays.copyOfRange(batch, RecordBatchLayout.HEADER_LENGTH, batch.length);
            Reference fields = new Reference(section, 0, section.length);
            ByteBuffer hb = ByteBuffer.wrap(header);
            fields.decode(RecordBatchLayout.recordCount(hb, 0), RecordBatchLayout.lastOffsetDelta(hb, 0)); // the valid batch decodes
            StringBuilder what = new StringBuilder("iteration " + i + ": ");
            byte[] mutated = mutateSection(section, fields.varints, random, what);
            if (random.nextInt(4) == 0) { // a second mutation, at a field start of the original where still in range
                int length = mutated.length;
                List<int[]> inRange = fields.varints.stream().filter(f -> f[1] <= length).toList();
                mutated = mutateSection(mutated, inRange.isEmpty() ? List.of(new int[] {0, 0}) : inRange, random, what);
            }
            mutateCounts(header, random, what);
            Object expected = reference(header, mutated);
            boolean compressed = random.nextInt(3) == 0;
            byte[] b = compressed ? assemble(header, compress(mutated), DEFLATE.id(), true)
                    : assemble(header, mutated, 0, true);
            String label = what + (compressed ? "compressed" : "uncompressed");
            Object actual = read(b, random.nextBoolean(), true, label);
            compare(expected, actual, label, b);
            if (actual instanceof CorruptRecordException) {
                rejected++;
            }
        }
        assertTrue(rejected > iterations / 4 && rejected < iterations, rejected + " of " + iterations + " rejected");
    }

    @Test
    void mutatedBatchesWithAStaleCrcAreRejectedByEnsureValid() {
        SplittableRandom random = new SplittableRandom(0x5EED_0002L);
        for (int i = 0; i < 1500; i++) {
            byte[] batch = uncompressedBatch(random);
            if (random.nextBoolean()) {
                byte[] section = Arrays.copyOfRange(batch, RecordBatchLayout.HEADER_LENGTH, batch.length);
                batch = assemble(batch, compress(section), DEFLATE.id(), true);
            }
            byte[] m = batch.clone();
            int at = RecordBatchLayout.CRC_START_OFFSET + random.nextInt(m.length - RecordBatchLayout.CRC_START_OFFSET);
            m[at] ^= (byte) (1 << random.nextInt(8));
            Object actual = read(m, random.nextBoolean(), true, "iteration " + i + ": bit flip at " + at);
            assertTrue(actual instanceof CorruptRecordException e && e.field().equals("crc"), "iteration " + i + ": " + actual);
        }
    }

    @Test
    void mutatedCompressedBytesWithAValidCrcAreRejectedClearly() {
        SplittableRandom random = new SplittableRandom(0x5EED_0003L);
        for (int i = 0; i < 1500; i++) {
            byte[] batch = uncompressedBatch(random);
            byte[] header = Arrays.copyOf(batch, RecordBatchLayout.HEADER_LENGTH);
            byte[] compressed = compress(Arrays.copyOfRange(batch, RecordBatchLayout.HEADER_LENGTH, batch.length));
            StringBuilder what = new StringBuilder("iteration " + i + ": ");
            byte[] m = mutateSection(compressed, List.of(new int[] {0, 1}), random, what);
            mutateCounts(header, random, what);
            read(assemble(header, m, DEFLATE.id(), true), random.nextBoolean(), true, what.toString());
        }
    }

    @Test
    void headerFieldsAndLengthsSetToExtremesAreRejectedClearly() {
        SplittableRandom random = new SplittableRandom(0x5EED_0004L);
        int[] lengths = {Integer.MIN_VALUE, -1, 0, 48, 49, 50, Integer.MAX_VALUE, Integer.MAX_VALUE - 11, 1 << 30};
        for (int i = 0; i < 1000; i++) {
            byte[] batch = uncompressedBatch(random);
            ByteBuffer b = ByteBuffer.wrap(batch);
            String what = "iteration " + i + ": ";
            switch (random.nextInt(4)) {
                case 0 -> {
                    int length = random.nextBoolean() ? lengths[random.nextInt(lengths.length)]
                            : batch.length - RecordBatchLayout.LOG_OVERHEAD + random.nextInt(-20, 20);
                    b.putInt(RecordBatchLayout.BATCH_LENGTH_OFFSET, length);
                    what += "batchLength = " + length;
                }
                case 1 -> {
                    int cut = random.nextInt(batch.length);
                    batch = Arrays.copyOf(batch, cut);
                    what += "cut to " + cut;
                }
                case 2 -> {
                    byte magic = (byte) random.nextInt(256);
                    b.put(RecordBatchLayout.MAGIC_OFFSET, magic);
                    what += "magic = " + magic;
                }
                default -> {
                    short attributes = (short) random.nextInt(1 << 16);
                    b.putShort(RecordBatchLayout.ATTRIBUTES_OFFSET, attributes);
                    RecordBatchLayout.putCrc(b, 0, RecordBatchLayout.computeCrc(b, 0, batch.length));
                    what += "attributes = " + attributes;
                }
            }
            read(batch, random.nextBoolean(), true, what);
            read(batch, random.nextBoolean(), false, what + " (no CRC check: the cursor alone)");
        }
    }

    @Test
    void readerOverMutatedLogRegionsStopsOrFailsClearly() {
        SplittableRandom random = new SplittableRandom(0x5EED_0005L);
        for (int i = 0; i < 600; i++) {
            ByteBuffer region = ByteBuffer.allocate(64 * 1024);
            int n = 1 + random.nextInt(6);
            for (int j = 0; j < n; j++) {
                region.put(uncompressedBatch(random));
            }
            region.flip();
            byte[] a = new byte[region.remaining()];
            region.get(a);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(a.length);
                a[at] = random.nextBoolean() ? (byte) (a[at] ^ (1 << random.nextInt(8))) : (byte) random.nextInt(256);
            }
            if (random.nextInt(3) == 0) {
                a = Arrays.copyOf(a, random.nextInt(a.length));
            }
            ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocateDirect(a.length + 3) : ByteBuffer.allocate(a.length + 3);
            buffer.position(3);
            buffer.put(a).flip().position(3);
            RecordBatchReader reader = new RecordBatchReader(buffer).source("fuzz.log").basePosition(4096)
                    .requireIncreasingOffsets(random.nextBoolean()).verifyChecksums(random.nextBoolean());
            String what = "iteration " + i;
            int batches = 0;
            try {
                for (RecordBatch b; (b = reader.next()) != null; ) {
                    assertTrue(++batches <= n, what + ": more batches than written");
                    try (RecordCursor c = b.records(CODECS, BufferAllocator.HEAP)) {
                        while (c.next()) {
                            c.toRecord().headers().forEach(Header::key);
                        }
                    } catch (CorruptRecordException e) {
                        assertTrue(e.getMessage().contains("position " + b.position()), what + ": " + e.getMessage());
                    }
                }
                assertEquals(a.length, reader.validBytes() + reader.partialBytes(), what + ": valid + partial bytes");
            } catch (CorruptRecordException e) {
                assertTrue(e.getMessage().startsWith("fuzz.log: batch at position " + reader.position()), what + ": "
                        + e.getMessage());
                assertEquals(reader.position(), e.position(), what);
            } catch (Throwable t) {
                throw new AssertionError(what + ": expected CorruptRecordException, got " + t + "\nregion: "
                        + HexFormat.of().formatHex(a), t);
            }
        }
    }

    @Test
    void aCompressedBatchExpandingBeyondTheLimitIsRefusedBeforeItIsAllocated() {
        // 8 MiB of zeros compress to a few KiB: the cursor in read() allows 1 MiB.
        byte[] zeros = new byte[8 << 20];
        ByteBuffer one = RecordBatchWriter.encode(0, null, List.of(Record.of(null, zeros)));
        byte[] batch = new byte[one.remaining()];
        one.get(batch);
        byte[] header = Arrays.copyOf(batch, RecordBatchLayout.HEADER_LENGTH);
        byte[] bomb = assemble(header, compress(Arrays.copyOfRange(batch, RecordBatchLayout.HEADER_LENGTH, batch.length)),
                DEFLATE.id(), true);
        assertTrue(bomb.length < 64 * 1024, bomb.length + " bytes");
        Object actual = read(bomb, false, true, "decompression bomb");
        assertTrue(actual instanceof CorruptRecordException e && e.getMessage().contains("would decompress to more than"),
                String.valueOf(actual));
    }
}
