package io.rivven.it.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A crash test's child JVM, killed with SIGKILL: what {@link CrashTest} and {@link LifecycleCrashTest} share. */
final class KilledChild {

    private KilledChild() {
    }

    /**
     * Starts {@code command} (its stderr to {@code log}), kills it {@code delayMs} after it printed
     * {@code ready .} (or after it started, when {@code early}) and returns every line it printed,
     * {@code ready .} included; the last one may be cut by the kill. Fails the test when the child
     * does not get ready within 60 s, or exits with an error before the kill.
     */
    static List<String> runAndKill(List<String> command, Path log, long delayMs, boolean early) throws Exception {
        Process child = new ProcessBuilder(command).redirectError(log.toFile()).start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().name("child-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.equals("ready .")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the pipe breaks when the child is killed
            } finally {
                ready.complete(null);
            }
        });
        if (!early) {
            try {
                ready.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                child.destroyForcibly();
                fail("child did not start within 60 s; its stderr: " + Files.readString(log));
            }
            if (!child.isAlive()) {
                fail("child exited with " + child.waitFor() + " before it was killed; its stderr: " + Files.readString(log));
            }
        }
        Thread.sleep(delayMs);
        boolean aliveAtKill = child.isAlive();
        child.destroyForcibly(); // SIGKILL on Linux
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (!aliveAtKill && child.exitValue() != 0) {
            fail("child failed on its own (exit " + child.exitValue() + "); its stderr: " + Files.readString(log));
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
