package io.rivven.cli.command;

import io.rivven.cli.Main;
import io.rivven.cli.support.CliContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code rivven} command lines in process, in a temporary working directory whose
 * {@code rivven.json} puts the data under {@code ./data} (so a test's data lives and dies with the
 * directory), with a given standard input, capturing stdout and stderr.
 */
public abstract class CliFixture {

    /** A config with the data under ./data, the nio backend and no compression. */
    public static final String CONFIG = """
            { "dataDir": "data", "io": { "type": "nio" }, "defaults": { "compression": "none" } }""";

    @TempDir
    public Path cwd;

    /** The result of one command line. */
    public record Result(int code, String out, String err) {
        public List<String> lines() {
            return out.lines().toList();
        }

        public List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Writes {@code json} as ./rivven.json. */
    public void config(String json) {
        try {
            Files.writeString(cwd.resolve("rivven.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result run(String... args) {
        return runWithInput("", false, args);
    }

    public Result runWithInput(String stdin, String... args) {
        return runWithInput(stdin, false, args);
    }

    public Result runWithInput(String stdin, boolean terminal, String... args) {
        return runWithInput(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal, args);
    }

    /**
     * Runs with standard input arriving in {@code chunks}: each read returns at most the rest of
     * the current chunk, and {@code available()} is 0 at the end of each chunk, as when a user
     * types lines one after another (so {@code produce} appends one batch per chunk).
     */
    public Result runWithChunks(List<String> chunks, String... args) {
        return runWithInput(new ChunkedInput(chunks), false, args);
    }

    public Result runWithInput(InputStream stdin, boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = new CliContext(cwd, null, new PrintWriter(out), new PrintWriter(err), stdin, terminal);
        int code = Main.run(args, ctx);
        return new Result(code, out.toString(), err.toString());
    }

    /** Standard input delivered in chunks. */
    static final class ChunkedInput extends InputStream {
        private final List<byte[]> chunks;
        private int chunk;
        private int pos;

        ChunkedInput(List<String> chunks) {
            this.chunks = chunks.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toList();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            while (chunk < chunks.size() && pos == chunks.get(chunk).length) {
                chunk++;
                pos = 0;
            }
            if (chunk == chunks.size()) {
                return -1;
            }
            byte[] c = chunks.get(chunk);
            int n = Math.min(len, c.length - pos);
            System.arraycopy(c, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return chunk < chunks.size() ? chunks.get(chunk).length - pos : 0;
        }
    }

    /** {@code data/topics/<topic>/partition-<p>/<20-digit base>.<suffix>}. */
    public Path segmentFile(String topic, int partition, long base, String suffix) {
        String digits = Long.toString(base);
        return cwd.resolve("data/topics").resolve(topic).resolve("partition-" + partition)
                .resolve("0".repeat(20 - digits.length()) + digits + "." + suffix);
    }
}
