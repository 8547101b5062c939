package io.rivven.core.log;

import io.rivven.api.PluginConfig;
import io.rivven.api.io.IoBackend;
import io.rivven.api.io.IoBackendProvider;
import io.rivven.api.io.IoFile;
import io.rivven.api.io.OpenMode;
import io.rivven.core.format.v2.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test-only I/O backend ({@code "faulty"}): the {@code nio} backend with switches that make
 * syncs or appends fail, as a dying disk does, and counts of syncs, reads, small reads (of at
 * most a batch header, {@link RecordBatchLayout#HEADER_LENGTH} bytes) and appends from direct and
 * from heap memory.
 */
final class FaultyIoProvider implements IoBackendProvider {

    final AtomicBoolean failSync = new AtomicBoolean();
    final AtomicBoolean failAppend = new AtomicBoolean();
    final AtomicBoolean failTruncate = new AtomicBoolean();
    final AtomicInteger syncs = new AtomicInteger();
    /** Calls of {@link IoFile#read}. */
    final AtomicLong reads = new AtomicLong();
    /** Calls of {@link IoFile#read} for at most {@link RecordBatchLayout#HEADER_LENGTH} bytes: header reads. */
    final AtomicLong smallReads = new AtomicLong();
    final AtomicInteger directAppends = new AtomicInteger();
    final AtomicInteger heapAppends = new AtomicInteger();
    /** Runs (in the syncing thread) before each {@link IoFile#sync}, with the file's path; null: nothing. */
    volatile java.util.function.Consumer<Path> beforeSync;
    /** Runs (in the opening thread) before each {@link IoBackend#open}, with the path; null: nothing. */
    volatile java.util.function.Consumer<Path> beforeOpen;
    private final IoBackendProvider nio;

    /** Over the {@code nio} backend of {@link EngineFixture#PLUGINS}. */
    static FaultyIoProvider overNio() {
        return new FaultyIoProvider(EngineFixture.PLUGINS.ioBackends().get("nio", "test"));
    }

    FaultyIoProvider(IoBackendProvider nio) {
        this.nio = nio;
    }

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public IoBackend create(PluginConfig config) {
        IoBackend delegate = nio.create(config);
        return new IoBackend() {
            @Override
            public String name() {
                return "faulty";
            }

            @Override
            public IoFile open(Path path, OpenMode mode) throws IOException {
                java.util.function.Consumer<Path> hook = beforeOpen;
                if (hook != null) {
                    hook.accept(path);
                }
                return new FaultyFile(delegate.open(path, mode));
            }

            @Override
            public void close() throws IOException {
                delegate.close();
            }
        };
    }

    private final class FaultyFile implements IoFile {
        private final IoFile f;

        FaultyFile(IoFile f) {
            this.f = f;
        }

        @Override
        public Path path() {
            return f.path();
        }

        @Override
        public long size() throws IOException {
            return f.size();
        }

        @Override
        public long append(ByteBuffer... srcs) throws IOException {
            if (failAppend.get()) {
                throw new IOException(f.path() + ": append failed (injected: no space left on device)");
            }
            for (ByteBuffer b : srcs) {
                (b.isDirect() ? directAppends : heapAppends).incrementAndGet();
            }
            return f.append(srcs);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            f.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            reads.incrementAndGet();
            if (dst.remaining() <= RecordBatchLayout.HEADER_LENGTH) {
                smallReads.incrementAndGet();
            }
            return f.read(dst, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return f.transferTo(position, count, target);
        }

        @Override
        public void sync(boolean metadata) throws IOException {
            if (failSync.get()) {
                throw new IOException(f.path() + ": fsync failed (injected: EIO)");
            }
            java.util.function.Consumer<Path> hook = beforeSync;
            if (hook != null) {
                hook.accept(f.path());
            }
            syncs.incrementAndGet();
            f.sync(metadata);
        }

        @Override
        public void truncate(long size) throws IOException {
            if (failTruncate.get()) {
                throw new IOException(f.path() + ": truncate failed (injected: EIO)");
            }
            f.truncate(size);
        }

        @Override
        public boolean preallocate(long end) throws IOException {
            return f.preallocate(end);
        }

        @Override
        public void renameTo(Path target) throws IOException {
            f.renameTo(target);
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }
}
