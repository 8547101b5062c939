package io.rivven.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rivven.api.BufferAllocator;
import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Codec} must pass. A codec module's test extends this class and
 * implements {@link #provider()}; it may override {@link #config()} and the format traits
 * ({@link #checksumsContent()}, {@link #detectsTruncation()}, {@link #compresses()}), then adds
 * its own cases (levels, interop with other implementations of the same format).
 *
 * <pre>{@code
 * class ZstdCodecTest extends CodecContract {
 *     @Override protected CodecProvider provider() { return new ZstdCodecProvider(); }
 * }
 * }</pre>
 *
 * <p>What it checks: names and ids; round trips of empty, one-byte, incompressible, constant,
 * text-like and 16 MiB inputs; every mix of heap, direct, sliced (non-zero {@code arrayOffset}),
 * positioned and read-only buffers, with guard bytes around each window so a codec that reads or
 * writes outside {@code [position, limit)} fails; that output never exceeds
 * {@link Codec#maxCompressedLength}; that a too-small {@code dst} gives
 * {@link BufferOverflowException} and consumes nothing; that decompression grows its output through
 * the allocator and releases every buffer but the one it returns (also when it fails); that
 * garbage, truncated and bit-flipped input gives {@link CodecException} and never another
 * exception; concurrent use; and that an unknown option is rejected with its path.
 *
 * <p>All random data is seeded, so a failure reproduces. Nothing here measures time.
 */
public abstract class CodecContract {

    /** Ids 0–4 belong to these names (Kafka's codecs); a plugin may not claim them under another name. */
    private static final List<String> STANDARD_NAMES = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private static final byte GUARD = (byte) 0xA5;
    private static final int PAD = 13;

    private Codec codec;

    /** The provider under test. */
    protected abstract CodecProvider provider();

    /** The options the codec under test is created with; by default none. */
    protected PluginConfig config() {
        return PluginConfig.empty("codec-contract → compression");
    }

    /**
     * Whether the format checksums the decompressed content (gzip's CRC-32): then a flipped bit
     * anywhere either fails or leaves the output unchanged (a bit in an unchecked header field).
     * Formats without one (snappy, Kafka's lz4 and zstd frames) may return other bytes instead.
     */
    protected boolean checksumsContent() {
        return false;
    }

    /**
     * Whether every proper prefix of a stream is rejected (the format has an end marker or
     * trailer). Formats without one (xerial snappy framing) may return a prefix of the input.
     */
    protected boolean detectsTruncation() {
        return true;
    }

    /**
     * Whether the codec makes redundant data smaller (1 MiB of one byte to under a tenth, text to
     * under half). Only a pass-through codec such as {@code none} answers no.
     */
    protected boolean compresses() {
        return true;
    }

    /** The codec under test, created once per test from {@link #provider()} and {@link #config()}. */
    protected final Codec codec() {
        if (codec == null) {
            codec = provider().create(config());
        }
        return codec;
    }

    // ---------------------------------------------------------------- identity

    @Test
    void nameIsValidAndSharedByProviderAndCodec() {
        String name = provider().name();
        assertTrue(PluginProvider.isValidName(name), () -> "invalid codec name '" + name + "', must match "
                + PluginProvider.NAME_PATTERN);
        assertEquals(name, codec().name(), "codec name differs from its provider's");
        assertNotNull(provider().description(), "description");
        assertFalse(provider().description().isBlank(), "provider description is blank");
    }

    @Test
    void idIsInRangeAndSharedByProviderAndCodec() {
        byte id = provider().id();
        assertTrue(id >= 0 && id <= CodecProvider.MAX_ID, () -> "codec id " + id + " outside 0.." + CodecProvider.MAX_ID);
        assertEquals(id, codec().id(), "codec id differs from its provider's");
        String name = provider().name();
        if (id < CodecProvider.FIRST_CUSTOM_ID) {
            assertEquals(STANDARD_NAMES.get(id), name, "id " + id + " is reserved for Kafka's codec");
        }
        int standard = STANDARD_NAMES.indexOf(name);
        if (standard >= 0) {
            assertEquals(standard, id, "'" + name + "' must have Kafka's id");
        }
    }

    @Test
    void providerIsFoundByServiceLoader() {
        CodecProvider expected = provider();
        List<CodecProvider> found = new ArrayList<>();
        ServiceLoader.load(CodecProvider.class, expected.getClass().getClassLoader()).forEach(p -> {
            if (p.name().equals(expected.name())) {
                found.add(p);
            }
        });
        assertEquals(1, found.size(), () -> "providers named '" + expected.name() + "' found by ServiceLoader: " + found);
        assertSame(expected.getClass(), found.getFirst().getClass());
    }

    @Test
    void unknownOptionIsRejectedWithItsPath() {
        PluginConfig base = config();
        Map<String, Object> values = new LinkedHashMap<>(base.asMap());
        values.put("no-such-option", 1L);
        PluginConfig bad = PluginConfig.of(base.path(), values);
        ConfigException e = assertThrows(ConfigException.class, () -> provider().create(bad));
        assertEquals(bad.pathOf("no-such-option"), e.path());
        assertTrue(e.getMessage().contains("no-such-option"), e::getMessage);
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void emptyInput() {
        for (BufferKind kind : BufferKind.values()) {
            roundTrip(new byte[0], kind, kind.writable(), BufferAllocator.HEAP);
        }
    }

    @Test
    void oneByte() {
        for (BufferKind kind : BufferKind.values()) {
            roundTrip(new byte[] {42}, kind, kind.writable(), BufferAllocator.DIRECT);
            roundTrip(new byte[] {(byte) 0xFF}, kind, kind.writable(), BufferAllocator.HEAP);
        }
    }

    @Test
    void incompressibleData() {
        byte[] data = testData(DataKind.RANDOM, 300_000, 1);
        roundTrip(data, BufferKind.HEAP, BufferKind.DIRECT, BufferAllocator.HEAP);
        roundTrip(data, BufferKind.DIRECT_SLICE, BufferKind.HEAP_SLICE, BufferAllocator.DIRECT);
    }

    @Test
    void constantData() {
        byte[] data = testData(DataKind.CONSTANT, 1 << 20, 2);
        byte[] compressed = roundTrip(data, BufferKind.HEAP_SLICE, BufferKind.DIRECT_SLICE, BufferAllocator.HEAP);
        if (compresses()) {
            assertTrue(compressed.length < data.length / 10, () -> "1 MiB of one byte compressed to " + compressed.length + " bytes");
        }
        roundTrip(new byte[100_000], BufferKind.DIRECT, BufferKind.HEAP, BufferAllocator.DIRECT);
    }

    @Test
    void textLikeDataCompresses() {
        byte[] data = testData(DataKind.TEXT, 200_000, 3);
        byte[] compressed = roundTrip(data, BufferKind.HEAP, BufferKind.HEAP, BufferAllocator.HEAP);
        if (compresses()) {
            assertTrue(compressed.length < data.length / 2, () -> "text compressed to " + compressed.length + " of " + data.length);
        }
    }

    @Test
    void sixteenMiBHeapToDirect() {
        byte[] data = testData(DataKind.MIXED, 16 << 20, 4);
        roundTrip(data, BufferKind.HEAP, BufferKind.DIRECT_SLICE, BufferAllocator.DIRECT);
    }

    @Test
    void sixteenMiBDirectToHeapThroughTinyAllocator() {
        byte[] data = testData(DataKind.RUNS, 16 << 20, 5);
        byte[] compressed = compress(data, BufferKind.DIRECT, BufferKind.HEAP);
        CountingAllocator allocator = new CountingAllocator(false);
        ByteBuffer out = codec().decompress(source(BufferKind.DIRECT_SLICE, compressed), allocator);
        assertContent(data, out, "16 MiB through a counting allocator");
        allocator.assertOnlyLive(out);
    }

    @Test
    void everyBufferKindCombination() {
        byte[] data = testData(DataKind.MIXED, 70_000, 6);
        for (BufferKind src : BufferKind.values()) {
            for (BufferKind dst : BufferKind.writableKinds()) {
                roundTrip(data, src, dst, new CountingAllocator(!src.direct()));
            }
        }
    }

    @Test
    void randomRoundTripsOfManySizes() {
        Random random = new Random(7);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            sizes.add(i);
        }
        for (int shift = 6; shift <= 19; shift++) {
            sizes.add((1 << shift) - 1);
            sizes.add(1 << shift);
            sizes.add((1 << shift) + 1);
        }
        for (int i = 0; i < 30; i++) {
            sizes.add(random.nextInt(600_000));
        }
        BufferKind[] kinds = BufferKind.values();
        BufferKind[] writable = BufferKind.writableKinds();
        DataKind[] dataKinds = DataKind.values();
        int i = 0;
        for (int size : sizes) {
            DataKind dataKind = dataKinds[i % dataKinds.length];
            byte[] data = testData(dataKind, size, 1000 + i);
            BufferAllocator allocator = switch (i % 4) {
                case 0 -> BufferAllocator.HEAP;
                case 1 -> BufferAllocator.DIRECT;
                case 2 -> new CountingAllocator(false);
                default -> new CountingAllocator(true);
            };
            roundTrip(data, kinds[i % kinds.length], writable[(i / kinds.length) % writable.length], allocator);
            i++;
        }
    }

    @Test
    void compressedSizeNeverExceedsMaxCompressedLength() {
        // roundTrip gives dst exactly maxCompressedLength bytes; this adds the worst cases by kind.
        for (DataKind kind : DataKind.values()) {
            for (int size : new int[] {0, 1, 15, 16, 17, 255, 4095, 65535, 65536, 65537, 131_073, 400_000}) {
                roundTrip(testData(kind, size, size * 31L + kind.ordinal()), BufferKind.HEAP_SLICE, BufferKind.DIRECT_SLICE,
                        BufferAllocator.HEAP);
            }
        }
        for (int size = 0; size < 1 << 20; size = size * 3 + 1) {
            int bound = codec().maxCompressedLength(size);
            assertTrue(bound >= 0, "maxCompressedLength(" + size + ") = " + bound);
        }
    }

    @Test
    void tooSmallDestinationThrowsOverflowAndConsumesNothing() {
        for (int size : new int[] {0, 1, 1000, 100_000}) {
            byte[] data = testData(DataKind.TEXT, size, 8);
            for (BufferKind kind : new BufferKind[] {BufferKind.HEAP_SLICE, BufferKind.DIRECT_SLICE}) {
                ByteBuffer src = source(kind, data);
                int bound = codec().maxCompressedLength(size);
                if (bound == 0) {
                    continue; // a format without framing (none) needs no bytes for empty input: no dst is too small
                }
                Window dst = destination(kind, bound - 1);
                int srcPosition = src.position();
                int dstPosition = dst.buffer.position();
                assertThrows(BufferOverflowException.class, () -> codec().compress(src, dst.buffer),
                        "dst of maxCompressedLength - 1 bytes for " + size + " input bytes");
                assertEquals(srcPosition, src.position(), "src position moved on overflow");
                assertEquals(dstPosition, dst.buffer.position(), "dst position moved on overflow");
                dst.assertGuardsIntact("overflow");
            }
        }
    }

    @Test
    void decompressionGrowsThroughTinyAllocatorAndReleasesEverythingElse() {
        for (DataKind kind : DataKind.values()) {
            byte[] data = testData(kind, 333_333, 9 + kind.ordinal());
            byte[] compressed = compress(data, BufferKind.HEAP, BufferKind.HEAP);
            for (boolean direct : new boolean[] {false, true}) {
                CountingAllocator allocator = new CountingAllocator(direct);
                ByteBuffer out = codec().decompress(source(direct ? BufferKind.DIRECT : BufferKind.HEAP_SLICE, compressed), allocator);
                assertContent(data, out, kind + " through a counting " + (direct ? "direct" : "heap") + " allocator");
                allocator.assertOnlyLive(out);
            }
        }
    }

    // ---------------------------------------------------------------- corrupt input

    @Test
    void garbageInputIsRejectedCleanly() {
        Random random = new Random(10);
        byte[] valid = compress(testData(DataKind.MIXED, 50_000, 11), BufferKind.HEAP, BufferKind.HEAP);
        for (int i = 0; i < 300; i++) {
            int length = i < 40 ? i : random.nextInt(5000);
            byte[] garbage = new byte[length];
            random.nextBytes(garbage);
            if (i % 3 == 0) {
                // A valid beginning (magic, header) followed by garbage reaches deeper into the decoder.
                System.arraycopy(valid, 0, garbage, 0, Math.min(length, Math.min(valid.length, 1 + random.nextInt(32))));
            }
            BufferKind kind = i % 2 == 0 ? BufferKind.HEAP_SLICE : BufferKind.DIRECT_SLICE;
            expectCorruptHandled(garbage, null, Expect.FAIL_OR_ANY, kind, "garbage #" + i + " of " + length + " bytes");
        }
    }

    @Test
    void truncatedInputIsRejected() {
        byte[] data = testData(DataKind.MIXED, 150_000, 12);
        byte[] valid = compress(data, BufferKind.HEAP, BufferKind.HEAP);
        Expect expect = detectsTruncation() ? Expect.FAIL : Expect.FAIL_OR_PREFIX;
        Random random = new Random(13);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < Math.min(valid.length, 80); i++) {
            cuts.add(i);
            cuts.add(valid.length - 1 - i);
        }
        for (int i = 0; i < 150; i++) {
            cuts.add(random.nextInt(valid.length));
        }
        int i = 0;
        for (int cut : cuts) {
            if (cut < 0 || cut >= valid.length) {
                continue;
            }
            BufferKind kind = i++ % 2 == 0 ? BufferKind.HEAP : BufferKind.DIRECT;
            expectCorruptHandled(Arrays.copyOf(valid, cut), data, expect, kind,
                    "stream of " + valid.length + " bytes truncated to " + cut);
        }
    }

    @Test
    void bitFlipsAreRejectedOrHarmless() {
        byte[] data = testData(DataKind.MIXED, 40_000, 14);
        byte[] valid = compress(data, BufferKind.HEAP, BufferKind.HEAP);
        Expect expect = checksumsContent() ? Expect.FAIL_OR_EQUAL : Expect.FAIL_OR_ANY;
        Random random = new Random(15);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < Math.min(valid.length, 64); i++) {
            positions.add(i);
            positions.add(valid.length - 1 - i);
        }
        for (int i = 0; i < 400; i++) {
            positions.add(random.nextInt(valid.length));
        }
        int i = 0;
        for (int position : positions) {
            byte[] corrupt = valid.clone();
            int bit = random.nextInt(8);
            corrupt[position] ^= (byte) (1 << bit);
            BufferKind kind = i++ % 2 == 0 ? BufferKind.HEAP_SLICE : BufferKind.DIRECT_SLICE;
            expectCorruptHandled(corrupt, data, expect, kind, "bit " + bit + " of byte " + position + " flipped in a stream of "
                    + valid.length + " bytes");
        }
        for (int j = 0; j < 100; j++) {
            byte[] corrupt = valid.clone();
            int position = random.nextInt(valid.length);
            corrupt[position] = (byte) random.nextInt(256);
            expectCorruptHandled(corrupt, data, expect, BufferKind.READ_ONLY_DIRECT, "byte " + position + " replaced");
        }
    }

    /**
     * Small inputs whose headers or length fields claim a huge decompressed size (gigabytes), in
     * this codec's format; a codec test overrides this with crafted examples. Each must be rejected
     * with {@link CodecException} or decode to what it really holds, without the codec asking for a
     * buffer anywhere near the claimed size. None by default.
     */
    protected List<byte[]> inputsClaimingHugeSizes() {
        return List.of();
    }

    @Test
    void claimedSizesDoNotDriveAllocation() {
        int i = 0;
        for (byte[] input : inputsClaimingHugeSizes()) {
            for (BufferKind kind : new BufferKind[] {BufferKind.HEAP_SLICE, BufferKind.DIRECT_SLICE}) {
                expectCorruptHandled(input, null, Expect.FAIL_OR_ANY, kind, "input #" + i + " claiming a huge size ("
                        + java.util.HexFormat.of().formatHex(input) + ")");
            }
            i++;
        }
    }

    /**
     * A decompression bomb (a small stream that expands far beyond what the reader allows): the
     * engine's reader gives codecs an allocator that refuses buffers above its limit; the codec must
     * stop there (passing that refusal on, or as a {@link CodecException}), release every buffer and
     * never obtain one above the limit by other means.
     */
    @Test
    void expansionBeyondTheAllocatorsLimitStopsThere() {
        if (!compresses()) {
            return;
        }
        byte[] zeros = new byte[8 << 20];
        byte[] compressed = compress(zeros, BufferKind.HEAP, BufferKind.HEAP);
        int limit = 1 << 20;
        for (BufferKind kind : new BufferKind[] {BufferKind.HEAP_SLICE, BufferKind.DIRECT_SLICE}) {
            CountingAllocator allocator = new CountingAllocator(kind.direct(), limit);
            String label = codec().name() + ": " + compressed.length + " bytes expanding to " + zeros.length
                    + " through an allocator refusing more than " + limit + " (" + kind + ")";
            try {
                ByteBuffer out = codec().decompress(source(kind, compressed), allocator);
                fail(label + ": returned " + out.remaining() + " bytes");
            } catch (RefusedAllocation | CodecException e) {
                allocator.assertOnlyLive(null);
            } catch (Throwable t) {
                throw new AssertionError(label + ": expected the allocator's refusal or CodecException, got " + t, t);
            }
        }
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentUseFromSeveralThreads() throws Exception {
        Codec shared = codec();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(100 + thread);
                    for (int i = 0; i < 40; i++) {
                        byte[] data = testData(DataKind.values()[random.nextInt(DataKind.values().length)], random.nextInt(200_000),
                                random.nextLong());
                        BufferKind kind = BufferKind.values()[random.nextInt(BufferKind.values().length)];
                        roundTrip(shared, data, kind, kind.writable(), random.nextBoolean() ? BufferAllocator.HEAP
                                : BufferAllocator.DIRECT);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /** Compresses {@code data} with {@link #codec()} and returns the exact compressed bytes. */
    protected final byte[] compress(byte[] data) {
        return compress(data, BufferKind.HEAP, BufferKind.HEAP);
    }

    /** Decompresses {@code compressed} (heap buffers) with {@link #codec()}. */
    protected final byte[] decompress(byte[] compressed) {
        ByteBuffer out = codec().decompress(ByteBuffer.wrap(compressed), BufferAllocator.HEAP);
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /**
     * Compresses {@code data} from a source of {@code srcKind} into a destination of {@code dstKind}
     * sized exactly {@link Codec#maxCompressedLength}, decompresses it back and checks every
     * property of the round trip; returns the compressed bytes.
     */
    protected final byte[] roundTrip(byte[] data, BufferKind srcKind, BufferKind dstKind, BufferAllocator allocator) {
        return roundTrip(codec(), data, srcKind, dstKind, allocator);
    }

    private byte[] compress(byte[] data, BufferKind srcKind, BufferKind dstKind) {
        return compress(codec(), data, srcKind, dstKind);
    }

    private static byte[] compress(Codec codec, byte[] data, BufferKind srcKind, BufferKind dstKind) {
        String what = codec.name() + " compress " + data.length + " bytes " + srcKind + " → " + dstKind;
        ByteBuffer src = source(srcKind, data);
        int bound = codec.maxCompressedLength(data.length);
        assertTrue(bound >= 0, what + ": maxCompressedLength = " + bound);
        Window dst = destination(dstKind, bound);
        int start = dst.buffer.position();
        int written = codec.compress(src, dst.buffer);
        assertEquals(src.limit(), src.position(), what + ": src not fully consumed");
        assertEquals(start + written, dst.buffer.position(), what + ": dst position does not match the returned count");
        assertTrue(written >= 0 && written <= bound, what + ": wrote " + written + " bytes, maxCompressedLength is " + bound);
        dst.assertGuardsIntact(what);
        assertSourceUnchanged(src, data, what);
        byte[] compressed = new byte[written];
        dst.buffer.get(start, compressed);
        return compressed;
    }

    private static byte[] roundTrip(Codec codec, byte[] data, BufferKind srcKind, BufferKind dstKind, BufferAllocator allocator) {
        byte[] compressed = compress(codec, data, srcKind, dstKind);
        BufferKind back = BufferKind.values()[(srcKind.ordinal() + dstKind.ordinal() + 1) % BufferKind.values().length];
        String what = codec.name() + " decompress " + compressed.length + " bytes (" + data.length + " originally) from " + back;
        ByteBuffer src = source(back, compressed);
        ByteBuffer out = codec.decompress(src, allocator);
        assertEquals(src.limit(), src.position(), what + ": src not fully consumed");
        assertSourceUnchanged(src, compressed, what);
        assertContent(data, out, what);
        if (allocator instanceof CountingAllocator counting) {
            counting.assertOnlyLive(out);
        }
        allocator.release(out);
        return compressed;
    }

    private void expectCorruptHandled(byte[] corrupt, byte[] original, Expect expect, BufferKind kind, String what) {
        CountingAllocator allocator = new CountingAllocator(kind.direct());
        String label = codec().name() + ": " + what;
        ByteBuffer out;
        try {
            out = codec().decompress(source(kind, corrupt), allocator);
        } catch (CodecException e) {
            assertNotNull(e.getMessage(), label + ": CodecException without a message");
            allocator.assertOnlyLive(null);
            assertAllocationBounded(allocator, corrupt.length, original, label);
            return;
        } catch (Throwable t) {
            throw new AssertionError(label + ": expected CodecException, got " + t, t);
        }
        allocator.assertOnlyLive(out);
        assertAllocationBounded(allocator, corrupt.length, original, label);
        assertEquals(0, out.position(), label + ": result position");
        switch (expect) {
            case FAIL -> fail(label + ": accepted, returned " + out.remaining() + " bytes");
            case FAIL_OR_EQUAL -> assertContent(original, out, label + " (accepted, so the output must be unchanged)");
            case FAIL_OR_PREFIX -> {
                assertTrue(out.remaining() <= original.length, label + ": accepted, returned more bytes than the original");
                assertContent(Arrays.copyOf(original, out.remaining()), out, label + " (accepted, so the output must be a prefix)");
            }
            case FAIL_OR_ANY -> {
                // Accepted: the format has nothing that detects this change.
            }
        }
    }

    /**
     * What a codec may ask for while reading {@code inputLength} corrupt bytes: a few MiB (an LZ4
     * block of 4 MiB, say), twice the original content, or a few hundred times the input, but never
     * what a corrupt length field claims (gigabytes).
     */
    private static void assertAllocationBounded(CountingAllocator allocator, int inputLength, byte[] original, String label) {
        long bound = (16L << 20) + 300L * inputLength + (original == null ? 0 : 2L * original.length);
        assertTrue(allocator.largest() <= bound, label + ": asked the allocator for a buffer of " + allocator.largest()
                + " bytes after " + inputLength + " bytes of input, expected at most " + bound);
    }

    private static void assertContent(byte[] expected, ByteBuffer actual, String what) {
        assertEquals(0, actual.position(), what + ": result position");
        assertEquals(expected.length, actual.remaining(), what + ": decompressed length");
        int mismatch = actual.mismatch(ByteBuffer.wrap(expected));
        if (mismatch >= 0) {
            fail(what + ": decompressed bytes differ from byte " + mismatch);
        }
    }

    private static void assertSourceUnchanged(ByteBuffer src, byte[] expected, String what) {
        ByteBuffer window = src.duplicate().clear().position(src.limit() - expected.length).limit(src.limit());
        if (window.mismatch(ByteBuffer.wrap(expected)) >= 0) {
            fail(what + ": the codec modified its source buffer");
        }
    }

    // ---------------------------------------------------------------- test data and buffers

    /** Kinds of generated content, from incompressible to highly compressible. */
    public enum DataKind {
        RANDOM, CONSTANT, TEXT, RUNS, MIXED
    }

    /** Reproducible test content of {@code size} bytes. */
    public static byte[] testData(DataKind kind, int size, long seed) {
        Random random = new Random(seed);
        byte[] data = new byte[size];
        switch (kind) {
            case RANDOM -> random.nextBytes(data);
            case CONSTANT -> Arrays.fill(data, (byte) random.nextInt(256));
            case TEXT -> fillText(data, 0, size, random);
            case RUNS -> {
                int i = 0;
                while (i < size) {
                    int run = Math.min(size - i, 1 + random.nextInt(300));
                    Arrays.fill(data, i, i + run, (byte) random.nextInt(256));
                    i += run;
                }
            }
            case MIXED -> {
                int i = 0;
                while (i < size) {
                    int chunk = Math.min(size - i, 1 + random.nextInt(40_000));
                    switch (random.nextInt(3)) {
                        case 0 -> {
                            byte[] noise = new byte[chunk];
                            random.nextBytes(noise);
                            System.arraycopy(noise, 0, data, i, chunk);
                        }
                        case 1 -> Arrays.fill(data, i, i + chunk, (byte) random.nextInt(256));
                        default -> fillText(data, i, i + chunk, random);
                    }
                    i += chunk;
                }
            }
        }
        return data;
    }

    private static final String[] WORDS = {"offset", "partition", "topic", "\"key\":", "\"value\":", "{", "}", "segment",
        "timestamp", "1718000000000", "lz4", "zstd", "consumer", "group", ",", "orders", "rivven", "\n", "null", "42"};

    private static void fillText(byte[] data, int from, int to, Random random) {
        int i = from;
        while (i < to) {
            String word = WORDS[random.nextInt(WORDS.length)];
            for (int c = 0; c < word.length() && i < to; c++) {
                data[i++] = (byte) word.charAt(c);
            }
            if (i < to) {
                data[i++] = ' ';
            }
        }
    }

    /**
     * How a test buffer is laid out. Every kind surrounds its window with guard bytes in the same
     * backing storage; the slice kinds also start the window at a non-zero position inside a slice
     * that itself starts at a non-zero offset ({@code arrayOffset() != 0} for heap buffers).
     */
    public enum BufferKind {
        HEAP, HEAP_SLICE, DIRECT, DIRECT_SLICE, READ_ONLY_HEAP, READ_ONLY_DIRECT;

        boolean direct() {
            return this == DIRECT || this == DIRECT_SLICE || this == READ_ONLY_DIRECT;
        }

        BufferKind writable() {
            return switch (this) {
                case READ_ONLY_HEAP -> HEAP_SLICE;
                case READ_ONLY_DIRECT -> DIRECT_SLICE;
                default -> this;
            };
        }

        static BufferKind[] writableKinds() {
            return new BufferKind[] {HEAP, HEAP_SLICE, DIRECT, DIRECT_SLICE};
        }
    }

    /** A buffer of {@code kind} whose remaining bytes are {@code bytes}, surrounded by guard bytes. */
    public static ByteBuffer source(BufferKind kind, byte[] bytes) {
        Window window = window(kind.writable(), bytes.length);
        window.buffer.put(window.buffer.position(), bytes);
        return switch (kind) {
            case READ_ONLY_HEAP, READ_ONLY_DIRECT -> window.buffer.asReadOnlyBuffer();
            default -> window.buffer;
        };
    }

    private static Window destination(BufferKind kind, int length) {
        return window(kind, length);
    }

    private static Window window(BufferKind kind, int length) {
        int before = kind == BufferKind.HEAP || kind == BufferKind.DIRECT ? 0 : PAD;
        int capacity = PAD + before + length + PAD;
        ByteBuffer backing = kind.direct() ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        for (int i = 0; i < capacity; i++) {
            backing.put(i, GUARD);
        }
        ByteBuffer buffer = switch (kind) {
            // Position PAD inside the whole buffer: arrayOffset 0, window at a non-zero position.
            case HEAP, DIRECT -> backing.duplicate().position(PAD).limit(PAD + length);
            // A slice from PAD (arrayOffset PAD), window at position PAD inside it.
            default -> backing.slice(PAD, before + length + PAD).position(before).limit(before + length);
        };
        return new Window(backing, buffer, PAD + before, PAD + before + length);
    }

    /** A buffer under test and its backing storage, whose bytes outside {@code [start, end)} must stay guards. */
    private record Window(ByteBuffer backing, ByteBuffer buffer, int start, int end) {
        void assertGuardsIntact(String what) {
            for (int i = 0; i < backing.capacity(); i++) {
                if ((i < start || i >= end) && backing.get(i) != GUARD) {
                    fail(what + ": the codec wrote outside [position, limit) of dst, at " + (i - start) + " relative to the position");
                }
            }
        }
    }

    /** Thrown by a {@link CountingAllocator} with a limit for a request above it. */
    public static final class RefusedAllocation extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        RefusedAllocation(int requested, int limit) {
            super("refused a buffer of " + requested + " bytes, above the limit of " + limit);
        }
    }

    private enum Expect {
        FAIL, FAIL_OR_EQUAL, FAIL_OR_PREFIX, FAIL_OR_ANY
    }

    /**
     * An allocator that hands out buffers of exactly the requested capacity (sliced, so heap
     * buffers have {@code arrayOffset() != 0}) and tracks them, so that a test can check that a
     * codec released every buffer but the one it returned. Thread-safe.
     */
    public static final class CountingAllocator implements BufferAllocator {
        private final boolean direct;
        private final int limit;
        private final Set<ByteBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<String> violations = new ArrayList<>();
        private int allocations;
        private long largest;

        public CountingAllocator(boolean direct) {
            this(direct, Integer.MAX_VALUE);
        }

        /**
         * An allocator that refuses requests above {@code limit} bytes by throwing
         * {@link RefusedAllocation}, as the engine's bounded readers do with decompression bombs.
         */
        public CountingAllocator(boolean direct, int limit) {
            this.direct = direct;
            this.limit = limit;
        }

        @Override
        public synchronized ByteBuffer allocate(int minCapacity) {
            largest = Math.max(largest, minCapacity);
            if (minCapacity > limit) {
                throw new RefusedAllocation(minCapacity, limit);
            }
            if (minCapacity < 0) {
                violations.add("allocate(" + minCapacity + ")");
                minCapacity = 0;
            }
            allocations++;
            ByteBuffer backing = direct ? ByteBuffer.allocateDirect(minCapacity + 3) : ByteBuffer.allocate(minCapacity + 3);
            ByteBuffer buffer = backing.slice(3, minCapacity);
            live.add(buffer);
            return buffer;
        }

        @Override
        public synchronized void release(ByteBuffer buffer) {
            if (!live.remove(buffer)) {
                violations.add("released a buffer that is not live (capacity " + buffer.capacity() + "): released twice?");
            }
        }

        /** The largest capacity asked for so far (refused requests included). */
        public synchronized long largest() {
            return largest;
        }

        /** How many buffers were allocated so far. */
        public synchronized int allocations() {
            return allocations;
        }

        /** Fails unless the only buffer not released is {@code result} (none when {@code null}). */
        public synchronized void assertOnlyLive(ByteBuffer result) {
            assertTrue(violations.isEmpty(), () -> "allocator misuse: " + violations);
            if (result == null) {
                assertEquals(0, live.size(), "buffers never released after a failed decompress: " + live.size());
            } else {
                assertTrue(live.contains(result), "the returned buffer did not come from the allocator (or was released)");
                assertEquals(1, live.size(), "buffers never released besides the result: " + (live.size() - 1));
            }
        }
    }
}
