package io.rivven.core.log;

import static io.rivven.core.log.EngineFixture.await;
import static io.rivven.core.log.EngineFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine closed from a callback of an append's {@link AppendResult#durable()} future (the
 * natural reaction to a failed fsync: shut down), run where the engine completes that future: in
 * its scheduler, holding the partition's flush lock (a group commit), or in an appending thread
 * holding the partition's lock (a failed write). The first close there used to wait for that very
 * thread: a group commit's callback waited 30 s for the scheduler to end (its own task), then for
 * the partition's flush lock, which it held, for ever; an appending thread waited for the close
 * of its partition, which waited for the partition's lock, which it held.
 */
class CloseFromCallbackTest {

    @TempDir
    Path dir;

    private FaultyIoProvider faulty;

    private EngineFixture fixture(String flush) {
        faulty = FaultyIoProvider.overNio();
        return new EngineFixture(dir).faultyIo(faulty)
                .defaults("\"flush\": " + flush);
    }

    /** A callback that closes {@code engine} and completes {@code done} when the close returned. */
    private static Runnable closing(StorageEngine engine, CompletableFuture<String> done) {
        return () -> {
            try {
                engine.close();
                done.complete(Thread.currentThread().getName());
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
    }

    /** The closed engine released its directory, and the first append (one record at offset 0) was written. */
    private static void assertReopensWithTheFirstAppend(EngineFixture fx) throws IOException {
        try (StorageEngine again = fx.open()) {
            assertEquals(EngineFixture.expected(0, 1, 20), EngineFixture.readAll(again.partition("t", 0), 0));
        }
    }

    /**
     * Holds the scheduler's next group commit (the one an append past {@code intervalBytes} queues)
     * until the returned latch is counted down, so the test can attach its callback first; the
     * commit's fsync then fails when {@code fail}.
     */
    private CountDownLatch holdGroupCommit(boolean fail) {
        CountDownLatch registered = new CountDownLatch(1);
        faulty.beforeSync = path -> {
            if (Thread.currentThread().getName().equals("rivven-scheduler")) {
                faulty.beforeSync = null;
                await(registered);
                if (fail) {
                    throw new UncheckedIOException(new IOException(path + ": fsync failed (injected)"));
                }
            }
        };
        return registered;
    }

    @Test
    void aCallbackOfAFailedGroupCommitClosesTheEngine() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000, \"intervalBytes\": 1}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        CountDownLatch registered = holdGroupCommit(true); // it fails once the callback is in place
        AppendResult r = p.append(records(0, 1, 20)); // passes intervalBytes: the scheduler flushes
        CompletableFuture<String> closed = new CompletableFuture<>();
        Runnable close = closing(engine, closed);
        r.durable().whenComplete((v, e) -> close.run());
        registered.countDown();
        assertEquals("rivven-scheduler", closed.get(20, TimeUnit.SECONDS), "the close returns in the scheduler's thread");
        CompletionException failed = assertThrows(CompletionException.class, () -> r.durable().join());
        assertInstanceOf(PartitionFailedException.class, failed.getCause());
        engine.close(); // waits for the close the callback started
        assertTrue(p.isClosed());
        assertReopensWithTheFirstAppend(fx);
    }

    @Test
    void aCallbackOfAGroupCommitClosesTheEngine() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000, \"intervalBytes\": 1}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        CountDownLatch registered = holdGroupCommit(false);
        AppendResult r = p.append(records(0, 1, 20));
        CompletableFuture<String> closed = new CompletableFuture<>();
        Runnable close = closing(engine, closed);
        r.durable().thenRun(close);
        registered.countDown();
        assertEquals("rivven-scheduler", closed.get(20, TimeUnit.SECONDS));
        engine.close();
        assertTrue(p.isClosed());
        assertReopensWithTheFirstAppend(fx);
    }

    @Test
    void aCallbackRunByAFailedWriteClosesTheEngine() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000}");
        StorageEngine engine = fx.open();
        engine.createTopic("t", 1);
        PartitionLog p = engine.partition("t", 0);
        AppendResult waiting = p.append(records(0, 1, 20));
        CompletableFuture<String> closed = new CompletableFuture<>();
        Runnable close = closing(engine, closed);
        waiting.durable().whenComplete((v, e) -> close.run());
        faulty.failAppend.set(true);
        AtomicReference<Throwable> appendFailure = new AtomicReference<>();
        Thread appender = Thread.ofPlatform().name("appender").start(() -> { // its failed write fails the waiter
            try {
                p.append(records(1, 1, 20));
            } catch (Throwable t) {
                appendFailure.set(t);
            }
        });
        assertEquals("appender", closed.get(20, TimeUnit.SECONDS), "the close returns in the appending thread");
        appender.join(TimeUnit.SECONDS.toMillis(20)); // only against a hang
        assertFalse(appender.isAlive(), "the append whose failure closed the engine hangs");
        assertInstanceOf(PartitionFailedException.class, appendFailure.get());
        engine.close();
        assertTrue(p.isClosed());
        faulty.failAppend.set(false);
        assertReopensWithTheFirstAppend(fx);
    }

    /**
     * {@code deleteTopic} from a group commit's callback would wait for the close of the topic's
     * partitions, which waits for the flush lock the callback's thread holds: it hung. It is
     * refused instead, with the way out, and the topic stays whole.
     */
    @Test
    void aCallbackOfAGroupCommitCannotDeleteTheTopicButSaysHow() throws Exception {
        EngineFixture fx = fixture("{\"mode\": \"interval\", \"intervalMs\": 3600000, \"intervalBytes\": 1}");
        try (StorageEngine engine = fx.open()) {
            engine.createTopic("t", 1);
            PartitionLog p = engine.partition("t", 0);
            CountDownLatch registered = holdGroupCommit(false);
            AppendResult r = p.append(records(0, 1, 20));
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            r.durable().thenRun(() -> {
                try {
                    engine.deleteTopic("t");
                    refused.complete(null);
                } catch (Throwable t) {
                    refused.complete(t);
                }
            });
            registered.countDown();
            Throwable t = refused.get(20, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, t);
            assertTrue(t.getMessage().contains("Async"), t.getMessage());
            assertEquals(EngineFixture.expected(0, 1, 20), EngineFixture.readAll(p, 0), "the topic is whole");
            assertTrue(engine.deleteTopic("t"), "from the application's own thread it works");
        }
    }
}
