package io.rivven.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rivven.api.ConfigException;
import io.rivven.api.Evolving;
import io.rivven.api.PluginConfig;
import io.rivven.api.PluginProvider;
import io.rivven.api.index.CorruptIndexException;
import io.rivven.api.index.IndexContext;
import io.rivven.api.index.IndexProvider;
import io.rivven.api.index.KeyLookup;
import io.rivven.api.index.OffsetLookup;
import io.rivven.api.index.SegmentIndex;
import io.rivven.api.index.TimeLookup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every segment index type must meet ({@link IndexProvider}). A plugin's test extends
 * this class and implements {@link #provider()}; it may override the configuration hooks
 * ({@link #config()}, {@link #maxFileBytes()}, {@link #indexIntervalBytes()}, …) and add tests of
 * its own.
 *
 * <p>The suite drives the index as the engine does: synthetic batches ({@link SimpleBatchInfo})
 * with increasing offsets and positions and mostly increasing timestamps are appended, then the
 * index is sealed, closed, reopened read-only, truncated, reset, filled up and damaged. Whatever
 * lookup interfaces the index implements are checked against a brute-force model of the batches:
 * <ul>
 *   <li>{@link OffsetLookup}: the result is {@code (base offset, 0)} or the start of an appended
 *       batch holding the returned offset; the returned offset is {@code <= target}; the batch
 *       holding the target starts at or after the returned position, and not much further than
 *       {@code indexIntervalBytes} (the index is sparse, not empty); results never move backwards
 *       as the target grows.</li>
 *   <li>{@link TimeLookup}: the result is {@code (-1, base offset)} or has a timestamp
 *       {@code <= target} and an appended offset before which no batch reaches the target (so a
 *       forward scan from it finds the first record at or after the target); {@code lastEntry()}
 *       is the largest timestamp appended and the first batch that reached it; once sealed,
 *       looking up {@code Long.MAX_VALUE} finds that last entry.</li>
 *   <li>{@link KeyLookup}: no false negatives for any appended key.</li>
 * </ul>
 */
@Evolving
public abstract class IndexContract {

    private static final long FIRST_TIMESTAMP = 1_700_000_000_000L;
    private static final String CONFIG_PATH = "test → indexes[0]";

    /** A fresh directory per test, holding the index file. */
    @TempDir
    protected Path dir;

    private IndexProvider provider;

    /** For subclasses: a plugin's test class. */
    protected IndexContract() {
    }

    /** The provider under test. Called once per test. */
    protected abstract IndexProvider provider();

    /** The options passed to {@code create}; none by default. */
    protected PluginConfig config() {
        return PluginConfig.empty(CONFIG_PATH);
    }

    /** {@link IndexContext#maxFileBytes()} for the regular tests: enough for {@link #batchCount()} batches. */
    protected int maxFileBytes() {
        return 256 * 1024;
    }

    /** {@link IndexContext#indexIntervalBytes()} for the regular tests. */
    protected int indexIntervalBytes() {
        return 1024;
    }

    /** {@link IndexContext#maxFileBytes()} for {@link #becomesFullWithASmallFile()}. */
    protected int smallMaxFileBytes() {
        return 64;
    }

    /** The segment's base offset (not 0, so that relative and absolute offsets differ). */
    protected long baseOffset() {
        return 7_000L;
    }

    /** How many batches the regular tests append. */
    protected int batchCount() {
        return 1_500;
    }

    /** Whether {@link SegmentIndex#sanityCheck()} can tell entries out of order (false for, say, a Bloom filter). */
    protected boolean detectsEntriesOutOfOrder() {
        return true;
    }

    /** Whether the index fills up (so {@link SegmentIndex#isFull()} turns true) in {@link #smallMaxFileBytes()}. */
    protected boolean becomesFull() {
        return true;
    }

    /**
     * Damages a sealed index file so that its entries are out of order. By default the file is
     * appended to itself: for fixed-size entries this keeps the length valid and repeats the first
     * entry after the last.
     */
    protected void disorderEntries(Path file) throws IOException {
        Files.write(file, Files.readAllBytes(file), StandardOpenOption.APPEND);
    }

    /**
     * The batches the tests append: consecutive offsets from {@code firstOffset}, back to back
     * from {@code firstPosition}, 1–8 records of 10–100 bytes each plus a 61-byte header,
     * timestamps mostly growing from {@code firstTimestamp} but sometimes stepping back, and
     * keys from a small set (a quarter of the records have none).
     */
    protected List<SimpleBatchInfo> batches(Random random, long firstOffset, long firstPosition, long firstTimestamp,
                                            int count) {
        List<SimpleBatchInfo> out = new ArrayList<>(count);
        long offset = firstOffset;
        long position = firstPosition;
        long timestamp = firstTimestamp;
        for (int i = 0; i < count; i++) {
            int records = 1 + random.nextInt(8);
            int size = 61 + records * (10 + random.nextInt(91));
            timestamp += random.nextInt(10) < 8 ? random.nextInt(50) : -random.nextInt(200);
            List<byte[]> keys = new ArrayList<>(records);
            for (int r = 0; r < records; r++) {
                keys.add(random.nextInt(4) == 0 ? null
                        : ("key-" + random.nextInt(997)).getBytes(StandardCharsets.UTF_8));
            }
            out.add(new SimpleBatchInfo(offset, offset + records - 1, timestamp, position, size, keys));
            offset += records;
            position += size;
        }
        return out;
    }

    @BeforeEach
    public final void createProvider() {
        provider = provider();
        assertNotNull(provider, "provider() returned null");
    }

    /** The index file for the test's segment, {@code <20-digit base offset>.<suffix>} in {@link #dir}. */
    protected final Path file() {
        return dir.resolve(String.format("%020d.%s", baseOffset(), provider.fileSuffix()));
    }

    /** The context of the test's segment. */
    protected final IndexContext context(boolean writable, int maxFileBytes, int indexIntervalBytes) {
        return new IndexContext("contract-topic", 3, baseOffset(), file(), writable, maxFileBytes, indexIntervalBytes);
    }

    /** Opens the test's index with {@link #maxFileBytes()} and {@link #indexIntervalBytes()}. */
    protected final SegmentIndex open(boolean writable) throws IOException {
        return provider.create(context(writable, maxFileBytes(), indexIntervalBytes()), config());
    }

    // ------------------------------------------------------------------------------------ tests

    @Test
    public void nameAndSuffixAreValid() {
        assertTrue(PluginProvider.isValidName(provider.name()),
                "name '" + provider.name() + "' must match " + PluginProvider.NAME_PATTERN);
        String suffix = provider.fileSuffix();
        assertNotNull(suffix, "fileSuffix()");
        assertTrue(suffix.matches("[a-z][a-z0-9_-]{0,31}"),
                "fileSuffix '" + suffix + "' must be lowercase ASCII without a dot");
        assertFalse(Set.of("log", "deleted", "cleaned", "swap", "tmp", "snapshot").contains(suffix),
                "fileSuffix '" + suffix + "' is taken by the engine's own files");
        assertNotNull(provider.description(), "description()");
    }

    @Test
    public void unknownOptionFailsBeforeTouchingDisk() {
        Map<String, Object> options = new LinkedHashMap<>(config().asMap());
        options.put("noSuchOption", 1L);
        PluginConfig bad = PluginConfig.of(CONFIG_PATH, options);
        ConfigException e = assertThrows(ConfigException.class, () -> provider.validate(bad));
        assertTrue(e.getMessage().contains("noSuchOption"), "the message names the option: " + e.getMessage());
        assertThrows(ConfigException.class, () -> provider.create(context(true, maxFileBytes(), indexIntervalBytes()), bad));
        assertFalse(Files.exists(file()), "create() with bad options must not create " + file());
        provider.validate(config());
    }

    @Test
    public void newIndexIsEmptyAndClosesTwice() throws IOException {
        SegmentIndex index = open(true);
        try {
            assertTrue(Files.exists(file()), "create() on a missing file creates it");
            assertFalse(index.isFull(), "a new index is not full");
            index.sanityCheck();
            checkLookups(index, List.of(), "new index", true);
            index.flush();
        } finally {
            index.close();
        }
        index.close();
        assertTrue(Files.exists(file()), "close() does not delete the file");
    }

    @Test
    public void appendSealAndReopenReadOnly() throws IOException {
        List<SimpleBatchInfo> batches = batches(new Random(1), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        SegmentIndex index = open(true);
        try {
            appendAll(index, batches);
            checkLookups(index, batches, "writable", true);
            index.sanityCheck();
            index.flush();
            index.seal();
            checkLookups(index, batches, "sealed", true);
            checkSealed(index, batches, "sealed");
            assertEquals(Files.size(file()), index.sizeInBytes(), "a sealed index is trimmed to sizeInBytes()");
            index.flush();
        } finally {
            index.close();
        }
        index.close();
        byte[] sealed = Files.readAllBytes(file());
        try (SegmentIndex readOnly = open(false)) {
            readOnly.sanityCheck();
            checkLookups(readOnly, batches, "reopened read-only", true);
            checkSealed(readOnly, batches, "reopened read-only");
            assertEquals(sealed.length, readOnly.sizeInBytes(), "sizeInBytes() of a sealed file is its length");
            assertTrue(readOnly.isFull(), "an index opened read-only accepts no batch, so isFull() is true");
        }
        assertArrayEquals(sealed, Files.readAllBytes(file()), "opening read-only and closing must not change the file");
    }

    @Test
    public void reopenWritableAfterCleanClose() throws IOException {
        List<SimpleBatchInfo> batches = batches(new Random(2), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        List<SimpleBatchInfo> first = batches.subList(0, batches.size() / 2);
        try (SegmentIndex index = open(true)) {
            appendAll(index, first);
        }
        SegmentIndex index = open(true);
        try {
            index.sanityCheck();
            checkLookups(index, first, "reopened writable after close", true);
            appendAll(index, batches.subList(first.size(), batches.size()));
            checkLookups(index, batches, "appended after reopening", true);
            index.seal();
            checkSealed(index, batches, "sealed after reopening");
        } finally {
            index.close();
        }
        try (SegmentIndex readOnly = open(false)) {
            readOnly.sanityCheck();
            checkLookups(readOnly, batches, "reopened read-only", true);
        }
    }

    @Test
    public void truncateToDropsEverythingFromTheOffset() throws IOException {
        List<SimpleBatchInfo> batches = batches(new Random(3), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        SimpleBatchInfo cut = batches.get(batches.size() / 2);
        List<SimpleBatchInfo> kept = new ArrayList<>(batches.subList(0, batches.size() / 2));
        SegmentIndex index = open(true);
        try {
            appendAll(index, batches);
            index.truncateTo(batches.getLast().lastOffset() + 1);
            checkLookups(index, batches, "after truncateTo above the last offset (no change)", true);

            index.truncateTo(cut.baseOffset());
            index.sanityCheck();
            checkLookups(index, kept, "after truncateTo(" + cut.baseOffset() + ")", false);

            // The log grows again from the cut, with other batches.
            List<SimpleBatchInfo> regrown = new ArrayList<>(kept);
            regrown.addAll(batches(new Random(33), cut.baseOffset(), cut.position(), cut.maxTimestamp() - 500,
                    batches.size() - kept.size()));
            appendAll(index, regrown.subList(kept.size(), regrown.size()));
            checkLookups(index, regrown, "appended after truncateTo", false);
            index.seal();
            index.sanityCheck();
            checkLookups(index, regrown, "sealed after truncateTo", false);
            index.close();
            try (SegmentIndex readOnly = open(false)) {
                readOnly.sanityCheck();
                checkLookups(readOnly, regrown, "reopened after truncateTo", false);
            }
        } finally {
            index.close();
        }
    }

    @Test
    public void resetRemovesEveryEntryForARebuild() throws IOException {
        List<SimpleBatchInfo> batches = batches(new Random(4), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        SegmentIndex index = open(true);
        try {
            appendAll(index, batches);
            index.truncateTo(baseOffset());
            checkLookups(index, List.of(), "after truncateTo(base offset)", true);

            appendAll(index, batches);
            index.reset();
            index.sanityCheck();
            assertFalse(index.isFull(), "a reset index is not full");
            checkLookups(index, List.of(), "after reset", true);

            appendAll(index, batches);
            checkLookups(index, batches, "rebuilt after reset", true);
            index.seal();
            checkSealed(index, batches, "rebuilt and sealed");
        } finally {
            index.close();
        }
        try (SegmentIndex readOnly = open(false)) {
            readOnly.sanityCheck();
            checkLookups(readOnly, batches, "rebuilt, reopened", true);
        }
    }

    @Test
    public void becomesFullWithASmallFile() throws IOException {
        assumeTrue(becomesFull(), "this index type does not fill up");
        List<SimpleBatchInfo> batches = batches(new Random(5), baseOffset(), 0, FIRST_TIMESTAMP, 20_000);
        List<SimpleBatchInfo> appended = new ArrayList<>();
        IndexContext small = context(true, smallMaxFileBytes(), 1);
        try (SegmentIndex index = provider.create(small, config())) {
            for (SimpleBatchInfo batch : batches) {
                if (index.isFull()) {
                    break;
                }
                index.append(batch);
                appended.add(batch);
            }
            assertTrue(index.isFull(), "not full after " + appended.size() + " batches in a " + smallMaxFileBytes()
                    + "-byte file with indexIntervalBytes 1");
            checkLookups(index, appended, "full", true);
            index.seal();
            index.sanityCheck();
            assertTrue(index.isFull(), "a sealed index is full");
        }
        try (SegmentIndex readOnly = provider.create(context(false, smallMaxFileBytes(), 1), config())) {
            readOnly.sanityCheck();
            checkLookups(readOnly, appended, "full, reopened", true);
        }
    }

    @Test
    public void sanityCheckRejectsGarbageAppended() throws IOException {
        byte[] sealed = sealedFile(6);
        for (int garbage : new int[] {1, 3, 7}) {
            byte[] damaged = Arrays.copyOf(sealed, sealed.length + garbage);
            Arrays.fill(damaged, sealed.length, damaged.length, (byte) 0x5A);
            Files.write(file(), damaged);
            assertCorrupt(garbage + " garbage bytes appended");
        }
    }

    @Test
    public void sanityCheckRejectsEntriesOutOfOrder() throws IOException {
        assumeTrue(detectsEntriesOutOfOrder(), "entry order is not defined for this index type");
        sealedFile(7);
        disorderEntries(file());
        assertCorrupt("entries out of order");
    }

    @Test
    public void lookupsRunConcurrentlyWithAppendsAndSeal() throws Exception {
        List<SimpleBatchInfo> batches = batches(new Random(8), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        BatchModel model = new BatchModel(batches, baseOffset());
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger appended = new AtomicInteger();
        try (SegmentIndex index = open(true)) {
            assumeTrue(index instanceof OffsetLookup || index instanceof TimeLookup, "no lookups to run");
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                long seed = r;
                readers.add(Thread.ofPlatform().name("index-reader-" + r).start(() -> {
                    Random random = new Random(seed);
                    try {
                        for (int i = 0; !done.get() || i < 2_000; i++) {
                            int known = appended.get();
                            if (known == 0) {
                                Thread.onSpinWait();
                                continue;
                            }
                            SimpleBatchInfo batch = batches.get(random.nextInt(known));
                            if (index instanceof OffsetLookup lookup) {
                                long target = batch.baseOffset() + random.nextInt((int) (batch.lastOffset() - batch.baseOffset() + 1));
                                model.checkOffsetResult(target, lookup.lookup(target), "concurrent lookup", Long.MAX_VALUE);
                            }
                            if (index instanceof TimeLookup lookup) {
                                model.checkTimeResult(batch.maxTimestamp(), lookup.lookupByTime(batch.maxTimestamp()),
                                        "concurrent lookupByTime");
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            try {
                for (SimpleBatchInfo batch : batches) {
                    index.append(batch);
                    appended.incrementAndGet();
                }
                index.seal();
            } finally {
                done.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            checkLookups(index, batches, "after concurrent lookups", true);
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " reader(s) failed; first: " + failures.peek());
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private void appendAll(SegmentIndex index, List<SimpleBatchInfo> batches) throws IOException {
        for (SimpleBatchInfo batch : batches) {
            assertFalse(index.isFull(), "index full before " + batch + ": maxFileBytes() is too small for the test");
            index.append(batch);
        }
    }

    /** Writes a sealed index of {@link #batchCount()} batches to {@link #file()} and returns its bytes. */
    private byte[] sealedFile(long seed) throws IOException {
        List<SimpleBatchInfo> batches = batches(new Random(seed), baseOffset(), 0, FIRST_TIMESTAMP, batchCount());
        try (SegmentIndex index = open(true)) {
            appendAll(index, batches);
            index.seal();
        }
        try (SegmentIndex readOnly = open(false)) {
            readOnly.sanityCheck();
        }
        return Files.readAllBytes(file());
    }

    /** Opening read-only, or else {@code sanityCheck()}, must throw a CorruptIndexException naming the file. */
    private void assertCorrupt(String damage) throws IOException {
        String path = file().toAbsolutePath().toString();
        SegmentIndex index;
        try {
            index = open(false);
        } catch (CorruptIndexException e) {
            assertTrue(e.getMessage().contains(path), damage + ": the message names " + path + ": " + e.getMessage());
            return;
        }
        try {
            CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck,
                    damage + ": sanityCheck() must fail");
            assertTrue(e.getMessage().contains(path), damage + ": the message names " + path + ": " + e.getMessage());
        } finally {
            index.close();
        }
    }

    /**
     * Checks every lookup interface the index implements against the batches.
     *
     * @param exactLastEntry whether {@link TimeLookup#lastEntry()} must be exactly the largest
     *                       timestamp appended (after a truncation it may be an upper bound)
     */
    protected final void checkLookups(SegmentIndex index, List<SimpleBatchInfo> batches, String when,
                                      boolean exactLastEntry) {
        BatchModel model = new BatchModel(batches, baseOffset());
        if (index instanceof OffsetLookup lookup) {
            model.checkOffsetLookup(lookup, when, 2L * (indexIntervalBytes() + model.maxBatchSize));
        }
        if (index instanceof TimeLookup lookup) {
            model.checkTimeLookup(lookup, when, exactLastEntry);
        }
        if (index instanceof KeyLookup lookup) {
            model.checkKeys(lookup, when);
        }
    }

    private void checkSealed(SegmentIndex index, List<SimpleBatchInfo> batches, String when) {
        if (index instanceof TimeLookup lookup) {
            assertEquals(lookup.lastEntry(), lookup.lookupByTime(Long.MAX_VALUE),
                    when + ": the last entry of a sealed time index is the segment's largest timestamp");
        }
        assertTrue(index.isFull(), when + ": a sealed index accepts no more batches, so isFull() is true");
    }
}
